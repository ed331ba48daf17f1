"""Shared pieces of the JSON API: the error shape, staff tokens and sessions, role checks, paging.
A resident's token is resident identity's (wenming.core.identity.auth).

Errors always look like {"error": {"code", "message"[, "fields"]}} (see API.md)."""

import json
from decimal import Decimal
from http import HTTPStatus
from types import UnionType
from typing import Annotated, Generic, TypeVar, Union, get_args, get_origin

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from pydantic import StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from wenming.core.models import ApiToken, hash_token
from wenming.core.roles import STAFF_ROLES

T = TypeVar("T")

ERROR_CODES = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "未登录或登录已失效"),
    403: ("forbidden", "无权进行此操作"),
    404: ("not_found", "记录不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与当前状态冲突"),
    413: ("too_large", "上传内容过大"),
    422: ("invalid", "提交的内容有误"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    503: ("unavailable", "服务暂时不可用，请稍后再试"),
}


# Every free-text string the API accepts: no control characters (NUL cannot even be stored
# by PostgreSQL). A pattern, so that the OpenAPI document tells clients.
CleanStr = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1F\x7F-\x9F]*$")]
# The same, and not blank (at least one character other than a space).
FilledStr = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$")]
# One line shown to the public (names, places): no invisible characters either (zero-width,
# bidi overrides: they can make a name read as another), as the forms refuse (core.validators).
_HIDDEN = r"\x00-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB"
OneLineStr = Annotated[str, StringConstraints(pattern=rf"^[^{_HIDDEN}]*$")]
NameStr = Annotated[str, StringConstraints(pattern=rf"^[^{_HIDDEN}]*[^\s{_HIDDEN}][^{_HIDDEN}]*$")]


_NUMBERS = (int, float, Decimal)


def _scalar_types(annotation):
    """The plain types a field's annotation admits: int | None → {int, NoneType}."""
    args = get_args(annotation)
    if get_origin(annotation) is Annotated:
        return _scalar_types(args[0])
    if args and get_origin(annotation) in (Union, UnionType):
        return set().union(*(_scalar_types(a) for a in args))
    return {annotation} if isinstance(annotation, type) else set()


class BodySchema(Schema):
    """Every JSON request body. JSON types are kept: `true` is never the integer 1 and `"1"`
    never a number, as pydantic's lax mode would have them; a number field takes a JSON number
    (`7.0` is an integer, as JSON Schema says, and `7.5` is refused), a boolean field only
    `true`/`false`. A field meant to take any JSON value says so (`Any`: the service judges
    it). Multipart forms stay on `Schema`: every form value is text."""

    @field_validator("*", mode="before")
    @classmethod
    def _json_types_are_kept(cls, value, info):
        types = _scalar_types(cls.model_fields[info.field_name].annotation)
        numeric = any(issubclass(t, _NUMBERS) and t is not bool for t in types)
        if bool in types:
            if value is not None and not isinstance(value, bool):
                raise PydanticCustomError("bool_type", "应为 true 或 false")
        elif numeric and str not in types and isinstance(value, bool | str):
            raise PydanticCustomError("int_type", "应为数字")
        return value


def require_json(request):
    """Refuse bodies that are not JSON before anything (e.g. django-axes) reads request.POST."""
    if request.content_type != "application/json":
        raise ApiError(400, "请求内容须为 JSON（Content-Type: application/json）")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(Schema):
    error: ErrorBody


def errors(*statuses):
    """`response=` entries for the given error statuses, so the OpenAPI tells the truth."""
    return {status: ErrorOut for status in statuses}


def error_body(status, message=None, code=None, fields=None):
    default_code, default_message = ERROR_CODES[status]
    body = {"code": code or default_code, "message": message or default_message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def error_response(status, message=None, code=None, fields=None):
    """The API's error shape as a response, for the few endpoints served by plain Django views."""
    return json_response(error_body(status, message, code, fields), status)


def method_not_allowed(allowed):
    """405 in the API's shape with the Allow header, for plain views (ninja's get it from ApiErrorShapeMiddleware)."""
    response = error_response(405)
    response["Allow"] = allowed
    return response


def json_response(data, status=200):
    """JSON as ninja's renderer writes it (UTF-8, not ASCII-escaped)."""
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def field_errors(errors):
    """pydantic's validation errors as the API's {"field": "中文说明"} (API.md). A location is
    the field's path within the body or query (ninja's leading "body"/"query" taken off)."""
    fields = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("payload", "query")]
        fields[".".join(loc) or "body"] = _field_message(err)
    return fields


def _field_message(err):
    kind = err.get("type", "")
    if kind == "missing":
        return "必填"
    if kind.startswith(("int_", "float_")):
        return "应为数字"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        return "超出允许范围"
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ") or "取值无效"
    if kind == "string_pattern_mismatch":
        return "格式无效（不能包含控制字符等）"
    if kind in ("string_too_short", "string_too_long"):
        return "长度不符合要求"
    if kind.startswith("string"):
        return "应为文本"
    return "取值无效"


def plain_operation(view, *, tag, answer, errors_at, status=200, body=None, query=None, security=None):
    """The OpenAPI entry of an endpoint served by a plain Django view (not a ninja operation),
    so that the document still describes every endpoint: (operation, {schema name: schema}).
    `body` is the JSON body's model, `query` the query string's; `answer` the success model."""
    ref = "#/components/schemas/{model}"
    schemas = [m for m in (body, answer, ErrorOut) if m is not None]
    operation = {
        "operationId": f"{view.__module__}_{view.__name__}".replace(".", "_"),
        "summary": view.__name__.replace("_", " ").title(), "description": (view.__doc__ or "").split("\n\n")[0],
        "tags": [tag], "parameters": [], "responses": {
            code: {"description": HTTPStatus(code).phrase, "content": {"application/json": {"schema": {
                "$ref": ref.format(model=(answer if code == status else ErrorOut).__name__)}}}}
            for code in (status, *errors_at)},
    }
    if security:
        operation["security"] = [{security: []}]
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": ref.format(model=body.__name__)}}}}
    if query is not None:
        spec = query.model_json_schema()
        operation["parameters"] = [{"in": "query", "name": name, "schema": field,
                                    "required": name in spec.get("required", [])}
                                   for name, field in spec["properties"].items()]
    components = {}
    for model in schemas:
        spec = model.model_json_schema(ref_template=ref)
        # Nested models come as the schema's own $defs; the refs point at components, so they go there.
        components.update(spec.pop("$defs", {}))
        components[model.__name__] = spec
    return operation, components


class ApiError(Exception):
    def __init__(self, status, message=None, code=None, fields=None):
        self.status = status
        self.body = error_body(status, message, code, fields)
        super().__init__(self.body["error"]["message"])


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.live().select_related("user").filter(key_hash=hash_token(token)).first()
        if found is None:
            return None
        request.user = found.user
        return found.user


class StaffSession(SessionAuth):
    """The browser's session cookie. Who is calling is settled before CSRF: without a signed-in
    session the answer is 401, like any other missing credential; a signed-in session whose
    unsafe request lacks its CSRF token is a known identity refused (403, code csrf_failed).
    ninja's own order (CSRF first) answered 403 to a caller with no credentials at all."""

    def __call__(self, request):
        user = self.authenticate(request, request.COOKIES.get(self.param_name))
        if user is None:
            return None
        if check_csrf(request):
            raise ApiError(403, "页面已过期，请刷新页面后重试", code="csrf_failed")
        return user

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


staff_auth = [BearerToken(), StaffSession()]


class _OfRoles:
    """A staff credential that also refuses other roles (403) before the request body is read,
    so a caller who may not use an operation learns that, not what its body lacks."""

    def __init__(self, roles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and not (user.is_superuser or user.role in self.roles):
            raise PermissionDenied("您的角色无权访问此接口")
        return user


# Named as the credentials they check (ninja names an operation's security scheme by its class):
# the OpenAPI document shows the same two staff schemes on every staff operation.
_BearerOfRoles = type("BearerToken", (_OfRoles, BearerToken), {"__doc__": "A staff bearer token of the given roles."})
_SessionOfRoles = type("StaffSession", (_OfRoles, StaffSession), {"__doc__": "A staff session of the given roles."})


def staff_auth_for(*roles):
    """`staff_auth` for an operation only `roles` may call."""
    return [_BearerOfRoles(roles), _SessionOfRoles(roles)]


def require_api_role(request, roles):
    user = request.auth
    if user is None or not (user.is_superuser or user.role in roles):
        raise PermissionDenied("您的角色无权访问此接口")
    return user


def staff_user(request):
    return require_api_role(request, STAFF_ROLES)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)


def paginate(queryset, page, page_size):
    start = (page - 1) * page_size
    return {"items": list(queryset[start:start + page_size]), "count": queryset.count()}


def local_iso(value):
    return timezone.localtime(value).isoformat() if value else None
