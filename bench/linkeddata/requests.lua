-- wrk script: cycle through the request paths in BENCH_PATHS (one a line) with the Accept header in
-- BENCH_ACCEPT, each thread starting at its own place so that the threads do not ask for the same thing.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local accept = os.getenv("BENCH_ACCEPT")
local i = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter)
end

function init(args)
  i = (start * 7919) % #paths
end

function request()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i], { ["Accept"] = accept })
end
