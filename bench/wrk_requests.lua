-- wrk script for the page benchmarks: cycles through the requests listed in the file named after `--`
-- (one per line: path, Cookie header, htmx flag 0/1, tab-separated) and prints one JSON line at the end.
local lines = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie, hx = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    local headers = {Cookie = cookie}
    if hx == "1" then headers["HX-Request"] = "true" end
    lines[#lines + 1] = wrk.format("GET", path, headers)
  end
end

function request()
  i = i % #lines + 1
  return lines[i]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "errors": %d, "p50_ms": %.1f, "p95_ms": %.1f, "max_ms": %.1f}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end
