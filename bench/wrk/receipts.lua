-- POST 10 sales receipts of 3 lines each per request, each line one unit of a random package,
-- each receipt with an external number no other request uses:
-- wrk -s receipts.lua URL -- PATH LABEL_STEM PACKAGES SALES_DATE_TIME
local path, stem, packages, sold
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  path, stem, packages, sold = args[1], args[2], tonumber(args[3]), args[4]
  -- The warm-up and the measured run start in the same second: take the run id from the
  -- kernel so their receipt numbers never collide.
  local urandom = io.open("/dev/urandom", "rb")
  local a, b, c = urandom:read(3):byte(1, 3)
  urandom:close()
  run = (a * 65536 + b * 256 + c) * 100 + (thread_id or 0)
  math.randomseed(run)
end
local function line()
  return string.format(
    '{"PackageLabel":"%s%012d","Quantity":1,"UnitOfMeasure":"Each","TotalAmount":9.99}',
    stem, math.random(0, packages - 1))
end
function request()
  counter = counter + 1
  local receipts = {}
  for i = 1, 10 do
    receipts[i] = string.format(
      '{"SalesDateTime":"%s","ExternalReceiptNumber":"bench-%d-%d-%d","SalesCustomerType":"Consumer","Transactions":[%s,%s,%s]}',
      sold, run, counter, i, line(), line(), line())
  end
  -- A headers table given to wrk.format replaces the -H headers, so start from those.
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", path, headers, "[" .. table.concat(receipts, ",") .. "]")
end
