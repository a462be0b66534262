-- wrk client of the benchmark: POSTs the lines of a fixed corpus as JSON, each thread starting at its
-- own place in the corpus, and prints one JSON summary line ("BENCH_RESULT {...}").
--
-- Settings (environment):
--   BENCH_CORPUS  file with one text per line (required)
--   BENCH_PATH    request path, e.g. /api/v1/ner or /predict (default /api/v1/ner)
--   BENCH_BATCH   0 (default): {"text": line}; k > 0: {"texts": [k consecutive lines]}
--   BENCH_MODEL   unset: no "model" field (the server's default model); a name: "model": name in each body
--   BENCH_RATE    unset or 0: closed loop (each connection sends its next request when the previous one
--                 is answered; latency from wrk's own histogram).
--                 > 0: paced (open loop): R requests/s in total, sent on a fixed schedule. Needs exactly
--                 one connection per thread (wrk -t N -c N), so that requests and responses pair up and
--                 this script can time each one and split latency by status (200 vs 503).
--   BENCH_UNTIMED 1: with BENCH_RATE > 0, many connections per thread (wrk -t N -c M, M > N): the
--                 thread's requests keep the paced schedule over whichever connection is free (a flood
--                 that offers its rate however slowly answers come), but are not timed; only statuses
--                 are counted.
--
-- Both modes count responses per status; a 503 without a Retry-After header is counted separately.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local function json_string(s)
  local escaped = s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    return string.format("\\u%04x", c:byte())
  end)
  return '"' .. escaped .. '"'
end

local function json_value(v)
  local t = type(v)
  if t == "table" then
    if #v > 0 then
      local parts = {}
      for i = 1, #v do parts[i] = json_value(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local parts = {}
    for k, x in pairs(v) do parts[#parts + 1] = json_string(tostring(k)) .. ":" .. json_value(x) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "string" then
    return json_string(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.6g", v)
  elseif t == "boolean" then
    return tostring(v)
  end
  return "null"
end

-- ---- main state: one setup per thread, done at the end ----------------------------------------------

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- ---- thread state -----------------------------------------------------------------------------------

local requests = {}
local next_index = 1
local rate_per_thread = 0
local schedule_start, sent = nil, 0
local sent_at = 0
local untimed = os.getenv("BENCH_UNTIMED") == "1"
late_sends = 0
statuses = {}
ok_ms = {}
refused_ms = {}
other_ms = {}
missing_retry_after = 0

function init(args)
  local corpus = os.getenv("BENCH_CORPUS") or error("BENCH_CORPUS is not set")
  local path = os.getenv("BENCH_PATH") or "/api/v1/ner"
  local batch = tonumber(os.getenv("BENCH_BATCH") or "0")
  local rate = tonumber(os.getenv("BENCH_RATE") or "0")
  local lines = {}
  for line in io.lines(corpus) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  assert(#lines > 0, corpus .. " has no lines")
  local model = os.getenv("BENCH_MODEL") or ""
  local model_field = model ~= "" and (',"model":' .. json_string(model)) or ""
  local headers = { ["Content-Type"] = "application/json" }
  for i = 1, #lines do
    local body
    if batch > 0 then
      local texts = {}
      for k = 0, batch - 1 do texts[#texts + 1] = json_string(lines[(i - 1 + k) % #lines + 1]) end
      body = '{"texts":[' .. table.concat(texts, ",") .. "]" .. model_field .. "}"
    else
      body = '{"text":' .. json_string(lines[i]) .. model_field .. "}"
    end
    requests[i] = wrk.format("POST", path, headers, body)
  end
  -- Spread the threads over the corpus so that concurrent requests differ.
  local threads_total = tonumber(os.getenv("BENCH_THREADS") or "1")
  next_index = math.floor(id * #requests / math.max(1, threads_total)) % #requests + 1
  if rate > 0 then
    rate_per_thread = rate / threads_total
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  sent_at = now_ms()
  return r
end

if tonumber(os.getenv("BENCH_RATE") or "0") > 0 then
  -- Paced mode: request k of a thread is due at start + k / rate_per_thread (threads phase-shifted).
  function delay()
    local interval = 1000 / rate_per_thread
    local now = now_ms()
    if schedule_start == nil then
      schedule_start = now + interval * (id % 97) / 97
    end
    local due = schedule_start + sent * interval
    sent = sent + 1
    if now - due > 5 then late_sends = late_sends + 1 end
    return math.max(0, math.floor(due - now))
  end
end

function response(status, headers, body)
  local elapsed = now_ms() - sent_at
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  if status == 503 and headers["Retry-After"] == nil and headers["retry-after"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
  if rate_per_thread > 0 and not untimed then
    local bucket = status == 200 and ok_ms or status == 503 and refused_ms or other_ms
    bucket[#bucket + 1] = elapsed
  end
end

-- ---- main state again --------------------------------------------------------------------------------

local function percentiles(values)
  table.sort(values)
  local n = #values
  local function at(p)
    if n == 0 then return nil end
    return values[math.max(1, math.ceil(p / 100 * n))]
  end
  local sum = 0
  for i = 1, n do sum = sum + values[i] end
  return { count = n, p50 = at(50), p90 = at(90), p99 = at(99), max = at(100), mean = n > 0 and sum / n or nil }
end

function done(summary, latency, requests_summary)
  local result = {
    duration_s = summary.duration / 1e6,
    requests = summary.requests,
    bytes = summary.bytes,
    errors = {
      connect = summary.errors.connect,
      read = summary.errors.read,
      write = summary.errors.write,
      status = summary.errors.status,
      timeout = summary.errors.timeout,
    },
    -- wrk's histogram (every response, microseconds -> milliseconds)
    latency_ms = {
      p50 = latency:percentile(50) / 1000,
      p90 = latency:percentile(90) / 1000,
      p99 = latency:percentile(99) / 1000,
      max = latency.max / 1000,
      mean = latency.mean / 1000,
    },
    statuses = {},
    missing_retry_after = 0,
    late_sends = 0,
  }
  local ok, refused, other = {}, {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      result.statuses[status] = (result.statuses[status] or 0) + count
    end
    result.missing_retry_after = result.missing_retry_after + thread:get("missing_retry_after")
    result.late_sends = result.late_sends + thread:get("late_sends")
    for _, v in ipairs(thread:get("ok_ms")) do ok[#ok + 1] = v end
    for _, v in ipairs(thread:get("refused_ms")) do refused[#refused + 1] = v end
    for _, v in ipairs(thread:get("other_ms")) do other[#other + 1] = v end
  end
  if tonumber(os.getenv("BENCH_RATE") or "0") > 0 and os.getenv("BENCH_UNTIMED") ~= "1" then
    result.paced = {
      rate = tonumber(os.getenv("BENCH_RATE")),
      ok_ms = percentiles(ok),
      refused_ms = percentiles(refused),
      other_ms = percentiles(other),
    }
  end
  io.write("BENCH_RESULT " .. json_value(result) .. "\n")
end
