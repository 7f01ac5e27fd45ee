# Copies SRC into the DST directory when SRC exists; warns otherwise.
if(EXISTS ${SRC})
  file(COPY ${SRC} DESTINATION ${DST})
else()
  message(WARNING "${SRC} is missing: run ./dev setup (npm ci) for the page styles")
endif()
