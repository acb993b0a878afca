-- POST 10 Trace sales of 3 line items each per request, each line one unit of a random lot
-- (lot ids FIRST..FIRST+LOTS-1), each sale with an external id no other request uses:
-- wrk -s trace_sales.lua URL -- PATH FIRST_LOT_ID LOTS LOCAL_TIME UTC_TIME
local path, first, lots, local_time, utc_time
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  path, first, lots, local_time, utc_time = args[1], tonumber(args[2]), tonumber(args[3]), args[4], args[5]
  local urandom = io.open("/dev/urandom", "rb")
  local a, b, c = urandom:read(3):byte(1, 3)
  urandom:close()
  run = (a * 65536 + b * 256 + c) * 100 + (thread_id or 0)
  math.randomseed(run)
end
local function line()
  return string.format(
    '{"lot":{"id":"%d"},"quantity":"1","unit_price":"9.99","taxes":[{"type":{"id":"KOMTAX0001"},"rate":"10.00"}]}',
    first + math.random(0, lots - 1))
end
function request()
  counter = counter + 1
  local sales = {}
  for i = 1, 10 do
    sales[i] = string.format(
      '{"customer_types":{"id":"1"},"external_id":"tbench-%d-%d-%d","terminal":"T1","created_at":{"date":"%s","local_time":"%s"},"out_of_state_sale":false,"identifications":[],"currency":{"id":"KOMCURT0001"},"line_items":[%s,%s,%s]}',
      run, counter, i, utc_time, local_time, line(), line(), line())
  end
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", path, headers, '{"sales":[' .. table.concat(sales, ",") .. ']}')
end
