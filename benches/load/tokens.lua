-- wrk script for benches/load/run.sh: forward-auth checks (nginx convention, straight to
-- `tollgate serve` or to the trivial handler), each with the next token of $TOKENS.
--   TOKENS  file with one token per line (required)
--   TARGET  the original URI asked about (default /lease/42/1/1/status)
--   ONCE    "1": each thread sends its share of the file once, then stops
-- Threads start at different offsets, so with N lines N distinct tokens are in play.
-- `done` prints one JSON line: requests, rps, p50/p99 latency (µs), 5xx count, socket errors.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    tokens[#tokens + 1] = line
  end
  local n = tonumber(os.getenv("THREADS")) or 1
  local share = math.floor(#tokens / n)
  first = id * share + 1
  last = (id == n - 1) and #tokens or (first + share - 1)
  index = first - 1
  once = os.getenv("ONCE") == "1"
  target = os.getenv("TARGET") or "/lease/42/1/1/status"
  fivexx = 0
  answered = 0
end

function request()
  index = index + 1
  if index > last then
    index = first
  end
  return wrk.format("GET", "/auth", {
    ["X-Original-Method"] = "GET",
    ["X-Original-URI"] = target,
    ["Authorization"] = "Bearer " .. tokens[index],
  })
end

-- Only the fault run reads responses (a `response` function makes wrk parse every answer).
if os.getenv("ONCE") == "1" then
  function response(status, headers, body)
    answered = answered + 1
    if status >= 500 then
      fivexx = fivexx + 1
    end
    if answered >= last - first + 1 then
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local total5xx = 0
  for _, thread in ipairs(threads) do
    total5xx = total5xx + (thread:get("fivexx") or 0)
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"fivexx":%d,"socket_errors":%d}\n',
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50),
    latency:percentile(99),
    total5xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  ))
end
