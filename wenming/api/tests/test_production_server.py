"""The API's auth, CSRF, cache headers and error shapes on the production server (granian, WSGI,
real CSRF, DEBUG off), not Django's test client, which skips CSRF and the server.

The server runs in a child process on its own SQLite file, prepared once for the module."""

import http.client
import http.cookies
import json
import re
import secrets
import subprocess
import sys
import urllib.parse

import pytest

from wenming.testing.server import ROOT, Server

PASSWORD = "correct horse battery staple"
PREPARE = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
from wenming.campaigns.services import load_preset
from wenming.core.roles import Role
from wenming.testing import factories as f
load_preset("lianyungang-2019")
f.make_world()
office = f.make_user("office", role=Role.OFFICE)
office.set_password({PASSWORD!r})
office.save()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("production-server")
    env = {"DATABASE_URL": f"sqlite:///{data / 'wenming.sqlite3'}", "WENMING_DATA_DIR": str(data),
           "WENMING_SECRET_KEY": secrets.token_urlsafe(40), "WENMING_DEBUG": "0", "WENMING_DEMO": "0",
           "WENMING_TESTING": "0", "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "wenming.settings",
           # production has keys of its own for the phone numbers (core.fields)
           "WENMING_PHONE_KEYS": "Fdfi8IGJuGAvQzwzHCUR4-8mobJJrSw3VSalzsEmW_Q=",
           "WENMING_PHONE_HASH_KEYS": secrets.token_urlsafe(40)}
    server = Server(workers=1, threads=2, env=env)
    subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=server.env, check=True, timeout=600)
    with server as running:
        yield running


class Browser:
    """A client that keeps cookies, as a browser does, over plain HTTP to the server."""

    def __init__(self, server):
        self.server, self.cookies = server, {}

    def request(self, method, path, body=None, headers=None, form=None):
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def json(self, response):
        assert response.headers["Content-Type"].startswith("application/json"), response.headers["Content-Type"]
        return json.loads(response.body)

    def log_in(self):
        page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
        answer = self.request("POST", "/login/", form={"username": "office", "password": PASSWORD,
                                                       "csrfmiddlewaretoken": token},
                              headers={"Referer": self.server.url("/login/")})
        assert answer.status == 302 and "sessionid" in self.cookies, answer.status


def secured_operations(browser):
    spec = browser.json(browser.request("GET", "/api/v1/openapi.json"))
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if operation.get("security"):
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize("authorization", [None, "Bearer junk"])
def test_every_secured_operation_answers_401_in_the_api_shape(server, authorization):
    browser = Browser(server)
    headers = {"Authorization": authorization} if authorization else {}
    operations = list(secured_operations(browser))
    assert len(operations) >= 12
    for method, path in operations:
        response = browser.request(method, path, body={} if method != "GET" else None, headers=headers)
        assert response.status == 401, (method, path, response.status)
        assert browser.json(response)["error"]["code"] == "unauthorized", (method, path)


def test_a_signed_in_session_needs_its_csrf_token_and_gets_403_in_the_api_shape(server):
    browser = Browser(server)
    browser.log_in()
    refused = browser.request("POST", "/api/v1/applications/1/opinions", form={"stage": "office"})
    assert refused.status == 403
    assert browser.json(refused)["error"] == {"code": "csrf_failed", "message": "页面已过期，请刷新页面后重试"}
    passed = browser.request("POST", "/api/v1/applications/1/opinions",
                             form={"stage": "office", "decision": "approve", "text": "同意"},
                             headers={"X-CSRFToken": browser.cookies["csrftoken"],
                                      "Referer": server.url("/workbench/")})
    assert passed.status == 404  # past the check, to a record that does not exist
    assert passed.headers["Cache-Control"] == "private, no-store"


def test_a_page_post_without_csrf_is_refused_in_chinese(server):
    browser = Browser(server)
    response = browser.request("POST", "/login/", form={"username": "office", "password": PASSWORD})
    assert response.status == 403
    text = re.sub(r"<[^>]+>", " ", response.body.decode())  # what the person reads
    assert "页面已过期" in text and "CSRF" not in text and "Forbidden" not in text
    assert "sessionid" not in browser.cookies


def test_a_staff_token_works_and_every_answer_to_it_is_private(server):
    browser = Browser(server)
    issued = browser.request("POST", "/api/v1/auth/token", body={"username": "office", "password": PASSWORD})
    assert issued.status == 200 and issued.headers["Cache-Control"] == "private, no-store"
    bearer = {"Authorization": f"Bearer {browser.json(issued)['token']}"}
    districts = browser.request("GET", "/api/v1/districts", headers=bearer)
    assert districts.status == 200 and browser.json(districts)["count"] >= 2
    assert districts.headers["Cache-Control"] == "private, no-store"
    typed = browser.request("POST", "/api/v1/surveys/responses", body={"community_id": True}, headers=bearer)
    assert typed.status == 422 and browser.json(typed)["error"]["fields"]["community_id"] == "应为数字"


def test_public_answers_stay_cacheable_and_errors_keep_their_shape(server):
    browser = Browser(server)
    campaign = browser.request("GET", "/api/v1/campaign")
    assert campaign.status == 200 and "no-store" not in campaign.headers.get("Cache-Control", "")
    home = browser.request("GET", "/")
    assert home.status == 200 and "no-store" not in home.headers.get("Cache-Control", "")
    missing = browser.request("GET", "/api/v1/no-such-thing")
    assert missing.status == 404 and browser.json(missing)["error"]["code"] == "not_found"
    wrong = browser.request("DELETE", "/api/v1/campaign")
    assert wrong.status == 405 and "GET" in wrong.headers["Allow"] and browser.json(wrong)["error"]["code"]
    malformed = browser.request("POST", "/api/v1/auth/token", body="{not json", headers={"Content-Type": "application/json"})
    assert malformed.status in (400, 422) and browser.json(malformed)["error"]["message"]


def test_a_chunked_body_is_refused_unread_on_the_real_server(server):
    """granian passes a chunked body on without a Content-Length, which Django would read as
    empty: it is answered 400 in the API's shape before any of it is read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    # Only the headers and a first chunk are sent before the answer is read: a server that
    # refuses a body unread may close the connection while a client is still writing the rest,
    # which the client sees as a broken pipe however correct the server is.
    connection.putrequest("POST", "/api/v1/auth/token")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    chunk = b"x" * 65536
    connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    answer = connection.getresponse()
    assert answer.status == 400
    assert json.loads(answer.read())["error"]["message"] == "无法接收提交的内容，请求未注明内容长度"
