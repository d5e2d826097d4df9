-- wrk script of the benchmark: sends pre-built raw HTTP requests, in turn,
-- from the file named by BENCH_REQUESTS, and prints the results as
-- "BENCH key value" lines for bench/bench.pl.
--
-- The file is a sequence of records "<length>\n<length bytes>", each one a
-- complete HTTP/1.1 request (request line, headers, body). A request()
-- function is always defined, even for one record, so that wrk does the
-- same work per request in every row.

local reqs = {}
local n = 0
local i = 0

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

   -- each thread starts at another place of the list
   i = (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % n
end

function request()
   i = i + 1
   if i > n then i = 1 end
   return reqs[i]
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
