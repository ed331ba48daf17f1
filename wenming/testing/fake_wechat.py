"""A local fake of the WeChat API the project calls, for tests: one server for all of it.

- `GET /cgi-bin/token` (client credentials): the 公众号's access token, `token-1`, `token-2`, …
  (each fetch a new one; only the newest is valid, as when WeChat expires the others);
- `GET /cgi-bin/ticket/getticket?type=jsapi`: the JS-SDK ticket, `ticket-1`, … (42001 for a
  token that is not the newest);
- `POST /cgi-bin/message/subscribe/bizsend`: a subscribe message, kept in `sends`;
- `GET /sns/oauth2/access_token`: the web OAuth code exchange, answered from `codes`.

A wrong appid or secret is answered 40125, as WeChat does. Tests steer it through its lists:
`send_answers` / `ticket_answers` (errcodes for the next calls, then success), `delay`
(seconds before each answer), `down` (the connection is closed without an answer), and read
`calls` (the path of every request, in order) and `seen` (every query string).

    with FakeWeChat() as fake:
        settings.WECHAT = fake.settings(notice_template="TPL-1")
        ...

The root conftest's `fake_wechat` fixture does exactly that."""

import http.server
import json
import threading
import time
import urllib.parse

APPID, SECRET = "wx-test", "wx-secret"
CODES = {"good": {"openid": "o-good", "access_token": "t", "scope": "snsapi_base"},
         "snapshot": {"openid": "o-virtual", "is_snapshotuser": 1},
         "other": {"openid": "o-other", "access_token": "t"}}


class FakeWeChat:
    def __init__(self):
        self.tokens = []  # handed out, newest last
        self.tickets = []  # (token, ticket) handed out
        self.sends = []  # (token, body) of every bizsend
        self.send_answers = []  # errcodes to answer the next sends with, then 0
        self.ticket_answers = []  # errcodes to answer the next getticket calls with, then a ticket
        self.codes = dict(CODES)  # OAuth code -> WeChat's answer
        self.calls = []  # the path of every request
        self.seen = []  # the query of every request
        self.delay = 0.0
        self.down = False
        self._lock = threading.Lock()
        self._server = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def settings(self, **changes):
        """settings.WECHAT for an account the fake knows, at the fake's address."""
        return {"appid": APPID, "secret": SECRET, "authorize_base": "https://open.example", "api_base": self.base,
                "notice_template": "", "notice_fields": [], "site_url": "", **changes}

    def __enter__(self):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # The answers, each (path, query, body) -> WeChat's JSON.

    def _token(self, query, body):
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("appid") != APPID or query.get("secret") != SECRET:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return {"access_token": token, "expires_in": 7200}

    def _ticket(self, query, body):
        if query.get("type") != "jsapi":
            return {"errcode": 40097, "errmsg": "invalid args"}
        if self.ticket_answers:
            return {"errcode": self.ticket_answers.pop(0), "errmsg": "refused"}
        if not self.tokens or query.get("access_token") != self.tokens[-1]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        ticket = f"ticket-{len(self.tickets) + 1}"
        self.tickets.append((query["access_token"], ticket))
        return {"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200}

    def _send(self, query, body):
        token = query.get("access_token")
        self.sends.append((token, body))
        if not self.tokens or token != self.tokens[-1]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        code = self.send_answers.pop(0) if self.send_answers else 0
        return {"errcode": code, "errmsg": "ok" if not code else "refused"}

    def _oauth(self, query, body):
        if query.get("appid") != APPID or query.get("secret") != SECRET:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        return self.codes.get(query.get("code"), {"errcode": 40029, "errmsg": "invalid code"})

    ROUTES = {("GET", "/cgi-bin/token"): _token, ("GET", "/cgi-bin/ticket/getticket"): _ticket,
              ("POST", "/cgi-bin/message/subscribe/bizsend"): _send, ("GET", "/sns/oauth2/access_token"): _oauth}

    def _handler(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self, method):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8")) if length else None
                if fake.delay:
                    time.sleep(fake.delay)
                with fake._lock:
                    fake.calls.append(url.path)
                    fake.seen.append(query)
                    if fake.down:
                        self.close_connection = True
                        return
                    route = fake.ROUTES.get((method, url.path))
                    answer = route(fake, query, body) if route else {"errcode": 404, "errmsg": "not found"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler
