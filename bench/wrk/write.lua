-- The writers of the write scenario: members replying through the API with bearer tokens, at a
-- steady pace per connection (delay() below), to topics across the store and every tenth to
-- the topic the readers are reading, so the page they load keeps changing under them.
-- Arguments after "--": tokens (comma-separated), number of topics, the readers' topic,
-- milliseconds each connection waits between replies.
dofile("bench/wrk/report.lua")

local tokens, topics, hot, pause = {}, 1, 1, 0
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
  pause = tonumber(args[4])
  math.randomseed(os.time() * 100 + (thread_seed or 0))
end

function delay()
  return pause
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
