-- wrk script of util/reload-test.sh: one request, sent again and again,
-- whose every answer must be a 200 of exactly RELOAD_LENGTH bytes.
--
-- Environment: RELOAD_METHOD (GET), RELOAD_PATH, RELOAD_BODY (POST),
-- RELOAD_CONTENT_TYPE, RELOAD_CLOSE (non-empty: "Connection: close", a new
-- connection for every request), RELOAD_LENGTH.  Prints one line:
-- "RELOAD name ok N bad N connect N read N write N timeout N".

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   ok = 0
   bad = 0

   local headers = {}
   headers["Host"] = os.getenv("RELOAD_HOST") or "autodiscover.example.com"

   if os.getenv("RELOAD_CONTENT_TYPE") then
      headers["Content-Type"] = os.getenv("RELOAD_CONTENT_TYPE")
   end

   if (os.getenv("RELOAD_CLOSE") or "") ~= "" then
      headers["Connection"] = "close"
   end

   expect = tonumber(os.getenv("RELOAD_LENGTH"))
   req = wrk.format(os.getenv("RELOAD_METHOD") or "GET",
                    os.getenv("RELOAD_PATH"), headers,
                    os.getenv("RELOAD_BODY"))
end

function request()
   return req
end

function response(status, headers, body)
   if status == 200 and #body == expect then
      ok = ok + 1
   else
      bad = bad + 1
      if bad <= 3 then
         io.stderr:write(string.format("RELOAD bad answer: status %d, "
                                       .. "%d bytes instead of %d\n",
                                       status, #body, expect))
      end
   end
end

function done(summary, latency, requests)
   local n_ok, n_bad = 0, 0

   for _, t in ipairs(threads) do
      n_ok = n_ok + t:get("ok")
      n_bad = n_bad + t:get("bad")
   end

   local e = summary.errors

   io.write(string.format("RELOAD %s ok %d bad %d connect %d read %d "
                          .. "write %d timeout %d\n",
                          os.getenv("RELOAD_NAME") or "?", n_ok, n_bad,
                          e.connect, e.read, e.write, e.timeout))
end
