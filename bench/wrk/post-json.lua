-- wrk script: POST a small JSON body, as a job API client does. Used by bench/wrk/echo.sh.
wrk.method = "POST"
wrk.body = '{"order":42,"items":["a","b","c"]}'
wrk.headers["Content-Type"] = "application/json"
