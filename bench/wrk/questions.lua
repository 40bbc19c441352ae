-- The similar-question API asked a different question each time, as people typing their own
-- questions do: the server keeps answers per index revision, so repeating one question would
-- measure that store rather than the ranking. Arguments after "--": a file of questions, one per
-- line, "title<TAB>body" already URL-encoded; the number of wrk threads; where to start (any
-- number: runs at other connection counts start elsewhere, so they do not repeat each other).
-- Request k pairs title k mod n with body (k div n + k) mod n: no pair repeats before n * n
-- requests.
dofile("bench/wrk/report.lua")

local titles, bodies = {}, {}
local counter, threads_set_up, thread_count, start = 0, 0, 1, 0

-- thread:set() makes a global in that thread's own Lua state: thread_index must stay a global.
function setup(thread)
  threads_set_up = threads_set_up + 1
  thread:set("thread_index", threads_set_up - 1)
end

function init(args)
  for line in io.lines(args[1]) do
    local title, body = line:match("^([^\t]*)\t(.*)$")
    if title then
      titles[#titles + 1] = title
      bodies[#bodies + 1] = body
    end
  end
  assert(#titles > 0, "questions.lua: no questions in " .. tostring(args[1]))
  thread_count = tonumber(args[2]) or 1
  start = (tonumber(args[3]) or 0) % (#titles * #titles)
end

function request()
  -- Threads take turns at k, so no two of them ask the same question.
  local k = start + counter * thread_count + (thread_index or 0)
  counter = counter + 1
  local n = #titles
  local i = k % n
  local j = (math.floor(k / n) + i) % n
  return wrk.format("GET", wrk.path .. "?title=" .. titles[i + 1] .. "&body=" .. bodies[j + 1])
end
