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
  -- The warm-up and the measured run start in the same second: take the run id from the
  -- kernel so their batch names never collide.
  local urandom = io.open("/dev/urandom", "rb")
  local a, b, c = urandom:read(3):byte(1, 3)
  urandom:close()
  run = (a * 65536 + b * 256 + c) * 100 + (thread_id or 0)
end
function request()
  counter = counter + 1
  local objects = {}
  for i = 1, 10 do
    objects[i] = string.format(
      '{"Name":"bench-%d-%d-%d-%d","Type":"Clone","Count":5,"Strain":"%s","Location":"%s","ActualDate":"%s"}',
      run, thread_id or 0, counter, i, strain, location, day)
  end
  -- A headers table given to wrk.format replaces the -H headers, so start from those.
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", path, headers, "[" .. table.concat(objects, ",") .. "]")
end
