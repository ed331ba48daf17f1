-- wrk script: each thread walks its own slice of the request file ("token candidate_id"
-- per line) so no two threads send the same vote unless the file repeats it on purpose.
local threads = {}
local lines = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

init = function(args)
  for line in io.lines(args[1]) do table.insert(lines, line) end
  nthreads = tonumber(args[2])
  counter = tid - 1
  statuses = {}
end

request = function()
  local line = lines[(counter % #lines) + 1]
  counter = counter + nthreads
  local token, candidate = line:match("(%S+) (%S+)")
  return wrk.format("POST", "/api/v1/votes",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"candidate_id": ' .. candidate .. '}')
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do totals[code] = (totals[code] or 0) + n end
  end
  for code, n in pairs(totals) do io.write(string.format("STATUS %d %d\n", code, n)) end
end
