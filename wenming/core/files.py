"""Stored files served through one access-checked view, `/files/<token>/`.

The token is a signed, salted, time-limited value naming the stored file (its storage name)
and its kind. Core knows no kind of its own: each app registers a rule per kind
(`register(kind, owner=..., allow=..., public=...)`, usually in its `AppConfig.ready`), so
core never imports an app. The rule finds the object owning the file from its name and says
whether the viewer (`request.user`, or a resident's session) may see it. A forged or expired
token, an unknown kind, a missing owner or a viewer without the right all get the same 404:
nothing says the file exists. A published file (`public(owner)` true) is served to anyone and
may be cached; every other answer is `Cache-Control: private, no-store`.

Delivery (`deliver`) follows `settings.WENMING_FILE_SENDER`:
- "django": Django streams the file itself (FileResponse), the default;
- "x-accel": an empty answer with `X-Accel-Redirect: <WENMING_FILE_ACCEL_PREFIX>/<name>`, nginx
  sends the file from an `internal` location (docs/operations.md, "Files");
- "x-sendfile": an empty answer with `X-Sendfile: <absolute path>` (Apache mod_xsendfile,
  lighttpd).
"""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse

SALT = "wenming.core.files"
SENDERS = ("django", "x-accel", "x-sendfile")
PRIVATE = "private, no-store"
PUBLIC = "public, max-age=300"


@dataclass(frozen=True)
class Rule:
    kind: str
    owner: Callable[[str], Any]  # storage name → owning object, or None
    allow: Callable[[Any, Any], bool]  # (request, owner) → may this viewer see it
    public: Callable[[Any], bool]  # owner → published, served to anyone


_RULES: dict[str, Rule] = {}


def register(kind, *, owner, allow, public=None):
    """An app declares one kind of file it stores. Registering a kind twice replaces the
    rule (the autoreloader may run `ready` again)."""
    _RULES[kind] = Rule(kind=kind, owner=owner, allow=allow, public=public or (lambda obj: False))


def registered(kind):
    return _RULES.get(kind)


def token_for(kind, name):
    return signing.dumps([kind, name], salt=SALT, compress=True)


def file_url(kind, name):
    """The URL of a stored file for pages: `{{ photo.url }}` on the models calls this."""
    if not name:
        return ""
    return reverse("core:file", args=[token_for(kind, name)])


def read_token(token):
    """(kind, name) from a token, or Http404 when it is forged, malformed or expired."""
    try:
        kind, name = signing.loads(token, salt=SALT, max_age=settings.WENMING_FILE_URL_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("文件不存在") from None
    if not isinstance(kind, str) or not isinstance(name, str) or not name:
        raise Http404("文件不存在")
    return kind, name


def content_type_for(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def deliver(name, *, content_type=None, storage=None, download_name=""):
    """An answer carrying the stored file `name`, sent as `WENMING_FILE_SENDER` says. Images
    open in the page; anything else (a PDF) downloads, so no stored document runs in our origin."""
    storage = storage or default_storage
    content_type = content_type or content_type_for(name)
    sender = settings.WENMING_FILE_SENDER
    if sender == "x-accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.WENMING_FILE_ACCEL_PREFIX.rstrip("/") + "/" + quote(name)
    elif sender == "x-sendfile":
        try:
            path = storage.path(name)
        except NotImplementedError:
            raise Http404("文件不存在") from None
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = path
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise Http404("文件不存在") from None
        response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if content_type.startswith("image/"):
        response["Content-Disposition"] = "inline"
    else:
        extension = mimetypes.guess_extension(content_type) or ""
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote((download_name or '文件') + extension)}")
    return response


def serve(request, token):
    """The body of the file view: check the token, the rule and the viewer, then deliver."""
    kind, name = read_token(token)
    rule = _RULES.get(kind)
    if rule is None:
        raise Http404("文件不存在")
    owner = rule.owner(name)
    if owner is None:
        raise Http404("文件不存在")
    public = bool(rule.public(owner))
    if not public and not rule.allow(request, owner):
        raise Http404("文件不存在")
    response = deliver(name)
    response["Cache-Control"] = PUBLIC if public else PRIVATE
    return response
