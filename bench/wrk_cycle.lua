-- wrk script for bench/serve.py: cycle through the request paths in the file
-- named by the first argument, each thread from its own starting point, and
-- print the figures as one line "JSON {...}" (latencies in microseconds).
--
-- Latencies are timed here, per request, not taken from wrk's own
-- histogram: Debian's wrk 4.1.0 gave a mean of 88 ms for 217 requests made
-- one after another in 5 s on one connection (at most 23 ms), with the tail
-- of a few slow queries spread over the fast ones, while a plain Python
-- client and the server's log agreed with each other. This needs one
-- connection per thread (bench/serve.py runs wrk with -t equal to -c), so
-- each response follows its own thread's last request.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clk_id, load_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("load_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local paths = {}
local threads = {}
local sent_at = nil
lat = {}  -- global: done() reads each thread's table with thread:get

function setup(thread)
  thread:set("start", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  counter = start or 0
end

function request()
  counter = counter + 1
  sent_at = now_us()
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if sent_at then lat[#lat + 1] = now_us() - sent_at end
  sent_at = nil
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("lat")) do all[#all + 1] = v end
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return 0 end
    return all[math.max(1, math.ceil(p / 100 * #all))]
  end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "timed": %d, "seconds": %.3f, "p50": %d, "p95": %d, "p99": %d, "max": %d, "errors": %d}\n',
    summary.requests, #all, summary.duration / 1e6, pct(50), pct(95), pct(99), pct(100),
    e.connect + e.read + e.write + e.status + e.timeout))
end
