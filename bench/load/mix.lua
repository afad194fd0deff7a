-- wrk script for bench/load/run.py: cycle through the planned requests in BENCH_REQUESTS (lines of
-- "kind<TAB>path<TAB>accept"), each thread from its own place; count answers by status and stop a thread
-- after BENCH_MAX requests. done() prints one JSON line for run.py to read.
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local kind, path, accept = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  requests[#requests + 1] = wrk.format("GET", path, { ["Accept"] = accept })
end
local max = tonumber(os.getenv("BENCH_MAX"))
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  i = (id * 7919) % #requests
  sent = 0
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end

function response(status, headers, body)
  sent = sent + 1
  if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1 else s2 = s2 + 1 end
  if sent >= max then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0 }
  for _, thread in ipairs(threads) do
    for _, k in ipairs({ "s2", "s3", "s4", "s5" }) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, t.s2, t.s3, t.s4, t.s5,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
