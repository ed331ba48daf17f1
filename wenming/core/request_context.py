"""Per-request facts (client IP, request id) that services read when writing audit entries."""

import ipaddress
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


_current: ContextVar[RequestContext] = ContextVar("wenming_request", default=RequestContext())


def current():
    return _current.get()


def activate(ctx):
    return _current.set(ctx)


def reset(token):
    _current.reset(token)


def new_request_id():
    return uuid.uuid4().hex


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's address. X-Forwarded-For is believed only from a configured proxy,
    and then only its right-most entry that is not itself a trusted proxy."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    for hop in reversed(forwarded):
        ip = _valid_ip(hop)
        if ip is None:
            break
        if ip not in trusted:
            return ip
    return remote
