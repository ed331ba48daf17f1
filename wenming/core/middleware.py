from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from wenming.core import metrics, outages, request_context, stalls
from wenming.core.apiutils import error_response

SESSION_LOGIN_AT = "wenming_login_at"
SESSION_SEEN_AT = "wenming_seen_at"


class RequestSizeMiddleware:
    """A request body longer than settings.REQUEST_MAX_BYTES is answered 413 from its
    Content-Length, before a byte of it is read (uploads above Django's memory threshold are
    streamed to a temporary file, and each kind is checked against its own limit after).

    A body sent without Content-Length (chunked) is answered 400 unread: Django reads a body
    only up to its declared length, so such a form would arrive empty and be refused field by
    field as if nothing had been sent. Browsers and WeChat always declare the length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit = f"{settings.REQUEST_MAX_BYTES // 1048576} MB"
            return self._refuse(request, 413, "上传内容过大", f"单次请求上限为 {limit}",
                                f"单次提交上限为 {limit}，请压缩或分次上传。")
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self._refuse(request, 400, "无法接收提交的内容", "请求未注明内容长度",
                                "提交的内容未注明长度，无法接收，请刷新页面后重新提交。")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status, title, api_detail, page_detail):
        if request.path.startswith("/api/"):
            return error_response(status, f"{title}，{api_detail}")
        return HttpResponse(f"<!doctype html><html lang=\"zh-Hans\"><meta charset=\"utf-8\"><title>{title}"
                            f"</title><h1>{title}</h1><p>{page_detail}</p></html>", status=status)


class RequestContextMiddleware:
    """Gives each request an id and records the client IP for audit entries; counts the answer
    (`core.metrics`). While a database outage is open (`core.outages`), the request's queries
    are watched: the first that returns ends it (an answer that needed no query ends nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # On PostgreSQL a watchdog frees the requests a stalled server would hang (core.stalls).
        self.watchdog = stalls.watchdog if connection.vendor == "postgresql" else None

    def __call__(self, request):
        if self.watchdog is not None:
            self.watchdog.enter()
            try:
                return self._answer(request)
            finally:
                self.watchdog.leave()
        return self._answer(request)

    def _answer(self, request):
        request.request_id = request_context.new_request_id()
        request.client_ip = request_context.client_ip(request)
        token = request_context.activate(
            request_context.RequestContext(ip=request.client_ip, request_id=request.request_id)
        )
        try:
            if outages.incidents.is_open("database"):
                with connection.execute_wrapper(outages.observe_database):
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-Id"] = request.request_id
        metrics.count_request(request.method, response.status_code)
        return response


class PrivateAnswersMiddleware:
    """`Cache-Control: private, no-store` on every answer to someone known: a signed-in staff
    member, a caller with credentials (API bearer tokens, residents' included), a visitor whose
    session holds anything (a resident's verified phone), an answer that sets the session
    cookie, and every answer to a change (POST and the like: a token issued, a vote's
    receipt). Nothing personal may sit in a shared cache or on the browser's disk. Public pages
    for an anonymous visitor keep whatever caching their view chose. A request without a
    session cookie never loads a session here."""

    PRIVATE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._is_personal(request, response):
            response["Cache-Control"] = self.PRIVATE
            response.headers.pop("Expires", None)
        return response

    @staticmethod
    def _is_personal(request, response):
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return True
        if settings.SESSION_COOKIE_NAME in response.cookies:
            return True
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        session = getattr(request, "session", None)
        return session is not None and not session.is_empty()


class StaffSessionTimeoutMiddleware:
    """Ends a staff session after STAFF_IDLE_TIMEOUT without activity, or
    STAFF_ABSOLUTE_TIMEOUT after login, whichever comes first."""

    # Writing the session on every request would cost a DB write per page; a minute of
    # slack on the idle clock is harmless.
    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # no session, nobody signed in: skip loading the user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            login_at = session.get(SESSION_LOGIN_AT)
            seen_at = session.get(SESSION_SEEN_AT, login_at)
            if login_at is None:
                session[SESSION_LOGIN_AT] = session[SESSION_SEEN_AT] = now
            elif (now - login_at > settings.STAFF_ABSOLUTE_TIMEOUT.total_seconds()
                  or now - (seen_at or 0) > settings.STAFF_IDLE_TIMEOUT.total_seconds()):
                logout(request)
                messages.info(request, "登录已超时，请重新登录。")
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            elif now - (seen_at or 0) > self.TOUCH_EVERY_SECONDS:
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, but the message storage (a cookie signer and the session)
    is only set up when a request adds or reads a message: API calls and most pages never do,
    and building it cost every request a few percent of its time."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        stored = getattr(request, "_messages", None)
        if isinstance(stored, SimpleLazyObject) and stored._wrapped is empty:
            return response  # never touched: nothing to keep for the next request
        return super().process_response(request, response)


def mark_login(sender, request, user, **kwargs):
    """user_logged_in receiver: starts both session clocks and records the sign-in."""
    from wenming.core import audit

    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    audit.record("core.user.logged_in", actor=user, target=user)
