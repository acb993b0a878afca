-- POST 10 plantings per request, each with a batch name no other request uses:
-- wrk -s plantings.lua URL -- PATH STRAIN LOCATION DATE
local path, strain, location, day
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  path, strain, location, day = args[1], args[2], args[3], args[4]
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  run = math.random(1, 1000000000)
end
function request()
  counter = counter + 1
  local objects = {}
  for i = 1, 10 do
    objects[i] = string.format(
      '{"Name":"bench-%d-%d-%d-%d","Type":"Clone","Count":5,"Strain":"%s","Location":"%s","ActualDate":"%s"}',
      run, thread_id or 0, counter, i, strain, location, day)
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
                    "[" .. table.concat(objects, ",") .. "]")
end
