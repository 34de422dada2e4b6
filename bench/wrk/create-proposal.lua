-- wrk script: POST /proposals/ with a body no other request repeats (the duplicate check would refuse it).
-- BENCH_AUTHORIZATION, when set, is sent as the Authorization header; BENCH_RUN keeps runs apart.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
local run = os.getenv("BENCH_RUN") or "run"
local headers = { ["Content-Type"] = "application/json" }
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then headers["Authorization"] = authorization end

function request()
  counter = counter + 1
  local tag = run .. "-" .. tostring(thread_number) .. "-" .. counter
  local body = '{"ai_type":"imperium","file_path":"src/bench-' .. tag .. '.js",'
    .. '"code_before":"if (list.indexOf(x) !== -1) run();\\n",'
    .. '"code_after":"if (list.includes(x)) run(\\"' .. tag .. '\\");\\n"}'
  return wrk.format("POST", "/proposals/", headers, body)
end

-- Summary for bench/seeds-stack.ts: one JSON line it parses.
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
