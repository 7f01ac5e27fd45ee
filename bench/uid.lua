-- wrk script: GET /api/v1/contracts/{uid} with uids read from UIDS_FILE, in turn.
local uids = {}
local i = 0
function init(args)
  local f = io.open(os.getenv("UIDS_FILE"), "r")
  for line in f:lines() do uids[#uids + 1] = line end
  f:close()
  i = math.random(#uids)
end
function request()
  i = i % #uids + 1
  return wrk.format("GET", "/api/v1/contracts/" .. uids[i])
end
