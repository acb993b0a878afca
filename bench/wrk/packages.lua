-- POST 10 packages from packages per request, each with a tag no other request uses:
-- wrk -s packages.lua URL -- PATH PREFIX ITEM LOCATION DATE SLOTFILE
-- The seeding made tags PREFIX<slot><n> (n from 0, 9 digits) and a source package
-- PREFIX-SRC<slot> for every slot; each thread of each wrk run takes the next slot from
-- SLOTFILE (wrk runs each thread's init in its main thread, one after another), so the warm-up and
-- the measured run never reuse a tag.
local path, prefix, item, location, day, slotfile
local counter = 0
function init(args)
  path, prefix, item, location, day, slotfile = args[1], args[2], args[3], args[4], args[5], args[6]
  local file = io.open(slotfile, "r+")
  local slot = tonumber(file:read("*l")) or 0
  file:seek("set", 0)
  file:write(string.format("%d\n", slot + 1))
  file:close()
  this_slot = slot
end
function request()
  local objects = {}
  for i = 1, 10 do
    local tag = string.format("%s%02d%09d", prefix, this_slot, counter)
    counter = counter + 1
    objects[i] = string.format(
      '{"Tag":"%s","Location":"%s","Item":"%s","Quantity":1,"UnitOfMeasure":"Grams","ActualDate":"%s","Ingredients":[{"Package":"%s-SRC%02d","Quantity":1,"UnitOfMeasure":"Grams"}]}',
      tag, location, item, day, prefix, this_slot)
  end
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", path, headers, "[" .. table.concat(objects, ",") .. "]")
end
