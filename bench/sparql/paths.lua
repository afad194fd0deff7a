-- wrk script: GET the endpoint with each query string of a file in turn (one "?query=..." per line),
-- asking for SPARQL JSON.
-- Usage: wrk -t1 -c8 -d5s --latency -s paths.lua http://127.0.0.1:PORT -- queries.txt /sparql
local lines = {}
local endpoint = "/sparql"
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    lines[#lines + 1] = line
  end
  if args[2] then endpoint = args[2] end
end

function request()
  i = i + 1
  return wrk.format("GET", endpoint .. lines[(i - 1) % #lines + 1],
                    { ["Accept"] = "application/sparql-results+json" })
end
