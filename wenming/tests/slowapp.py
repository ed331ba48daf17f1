"""The production WSGI app with one more address, /slow/?seconds=N, that answers 200 after
sleeping: tests of `wenming serve --app wenming.tests.slowapp:application` hold requests in
flight with it while they stop the server."""

import time
from urllib.parse import parse_qs

from wenming.wsgi import application as wenming_app


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/slow/":
        return wenming_app(environ, start_response)
    seconds = float(parse_qs(environ.get("QUERY_STRING", "")).get("seconds", ["1"])[0])
    time.sleep(min(seconds, 30))
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"slept"]
