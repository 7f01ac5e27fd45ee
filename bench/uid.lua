-- wrk script: GET /api/v1/contracts/{uid} with uids read from UIDS_FILE, in turn.
-- The requests are formatted once, in init: per request, wrk then only hands
-- out the next string, as close as a script gets to the static request that
-- the /healthz run sends (wrk.format per call cost the client about 2 µs a
-- request, on the same two cores as the server).
local requests = {}
local i = 0
function init(args)
  local f = io.open(os.getenv("UIDS_FILE"), "r")
  for line in f:lines() do
    requests[#requests + 1] = wrk.format("GET", "/api/v1/contracts/" .. line)
  end
  f:close()
  i = math.random(#requests)
end
function request()
  i = i % #requests + 1
  return requests[i]
end
