-- Prints wrk's figures as one JSON line (after the marker WRKJSON) for bench/run to collect.
-- Errors are socket errors (connect, read, write, timeout) and HTTP statuses of 400 and above,
-- which wrk counts itself; bench/run checks beforehand that every URL answers 200, so a 3xx
-- cannot hide here.
function report(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end

done = report
