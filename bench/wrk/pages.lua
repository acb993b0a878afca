-- GET a random page of a list: wrk -s pages.lua URL -- PATH PAGES
local path, pages
function init(args)
  path = args[1]
  pages = tonumber(args[2])
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", path .. "&pageNumber=" .. math.random(1, pages))
end
