-- The writers of the write scenario: members replying through the API with bearer tokens, at a
-- steady rate (delay() below), to topics across the store and every tenth to the topic the
-- readers are reading, so the page they load keeps changing under them.
-- Arguments after "--": tokens (comma-separated), number of topics, the readers' topic,
-- milliseconds between replies in this wrk thread (1 for 1,000 replies/s from one thread; fractions
-- are kept, so 1.5 gives 666.7 a second).
dofile("bench/wrk/report.lua")

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } kindred_timespec;
  int clock_gettime(int clock_id, kindred_timespec* now);
]]
local kClockMonotonic = 1
local clock_now = ffi.new("kindred_timespec")
local function now_ms()
  ffi.C.clock_gettime(kClockMonotonic, clock_now)
  return tonumber(clock_now.tv_sec) * 1000 + tonumber(clock_now.tv_nsec) / 1e6
end

-- A replies' schedule that fell this far behind (the server stalled) is moved up to now, so that
-- a stall is not followed by a burst far above the rate asked for.
local kMostBehindMs = 100

local tokens, topics, hot, interval = {}, 1, 1, 1
local next_at = nil
local counter = 0
local thread_seed = 0

function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("thread_seed", thread_seed)
end

function init(args)
  for token in string.gmatch(args[1], "[^,]+") do tokens[#tokens + 1] = token end
  topics = tonumber(args[2])
  hot = tonumber(args[3])
  interval = tonumber(args[4])
  math.randomseed(os.time() * 100 + (thread_seed or 0))
end

-- Open loop: reply k of this thread is due at start + k * interval, whichever connection is free
-- for it, so the rate asked for does not depend on how long each reply takes. (Waiting a fixed
-- pause after each response, as this did first, capped 8 connections at 8 / (pause + latency):
-- under 1,000/s as soon as a reply took any time at all.) When the server is slower than the
-- schedule, every connection has a reply in flight and the rate is what the server sustains.
function delay()
  local now = now_ms()
  next_at = math.max(next_at or now, now - kMostBehindMs)
  local wait = next_at - now
  next_at = next_at + interval
  return wait > 0 and math.floor(wait) or 0
end

function request()
  counter = counter + 1
  local topic = (counter % 10 == 0) and hot or math.random(1, topics)
  -- Each body differs, as real replies do, so no duplicate check can short-cut the write.
  local body = string.format(
    '{"body":"Reply %d.%d from a steady writer. What helped me was *a short walk* and slow breathing, especially in the evenings."}',
    thread_seed or 0, counter)
  return wrk.format("POST", "/api/v1/topics/" .. topic .. "/posts", {
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Content-Type"] = "application/json",
  }, body)
end
