-- wrk script for bench/serve.py: cycle through the request paths in the file
-- named by the first argument, each thread from its own starting point, and
-- print the figures as one line "JSON {...}" (latencies in microseconds).
local paths = {}
local next_thread = 0

function setup(thread)
  thread:set("start", next_thread * 97)
  next_thread = next_thread + 1
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  counter = start or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "p99": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
