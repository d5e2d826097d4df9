-- wrk script of the benchmark: sends pre-built raw HTTP requests from the
-- file named by BENCH_REQUESTS, and prints the results as "BENCH key
-- value" lines for bench/bench.pl.
--
-- The file is a sequence of records "<length>\n<length bytes>", each one a
-- complete HTTP/1.1 request (request line, headers, body).
--
-- BENCH_STATIC=1: each wrk thread sends one request of the list (thread
-- n the n-th, in turn), and wrk sends it as a static request, with no Lua
-- call per request: the cheapest client wrk can be, so that one client CPU
-- keeps one nginx worker busy.  Otherwise a request() function returns
-- the requests of the list in turn, one Lua call per request.

local reqs = {}
local n = 0
local i = 0
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

function init(args)
   local name = os.getenv("BENCH_REQUESTS")
   local f = assert(io.open(name, "rb"))

   while true do
      local len = f:read("*l")
      if not len then break end
      len = tonumber(len)
      n = n + 1
      reqs[n] = f:read(len)
   end

   f:close()
   assert(n > 0, "no requests in " .. name)

   i = (id or 0) % n
end

if os.getenv("BENCH_STATIC") == "1" then
   -- no global request(): wrk.init() makes this thread's one request
   -- with wrk.format(), after init()
   wrk.format = function()
      return reqs[i + 1]
   end
else
   function request()
      i = i + 1
      if i > n then i = 1 end
      return reqs[i]
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("BENCH requests %d\n", summary.requests))
   io.write(string.format("BENCH duration_us %d\n", summary.duration))
   io.write(string.format("BENCH bytes %d\n", summary.bytes))
   io.write(string.format("BENCH errors %d %d %d %d %d\n",
                          e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format("BENCH latency_us %d %d %d %d %d %.1f\n",
                          latency:percentile(50), latency:percentile(90),
                          latency:percentile(99), latency:percentile(99.9),
                          latency.max, latency.mean))
end
