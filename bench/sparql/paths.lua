-- wrk script: GET the endpoint with each query string of a file in turn (one "?query=..." per line),
-- asking for SPARQL JSON. Unless told "same", every request gets its own number as a trailing SPARQL
-- comment ("\n#N"), so that no two requests carry the same query text and no cache can answer them.
-- Usage: wrk -t1 -c8 -d5s -s paths.lua http://127.0.0.1:PORT -- queries.txt /sparql FIRST [same]
local lines = {}
local endpoint = "/sparql"
local first = 0
local same = false
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    lines[#lines + 1] = line
  end
  endpoint = args[2] or endpoint
  first = tonumber(args[3] or "0")
  same = args[4] == "same"
end

function request()
  i = i + 1
  local path = endpoint .. lines[(i - 1) % #lines + 1]
  if not same then
    path = path .. "%0A%23" .. (first + i)
  end
  return wrk.format("GET", path, { ["Accept"] = "application/sparql-results+json" })
end
