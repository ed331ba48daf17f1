"""The public JSON API, /api/v1/: assembles each app's router and the shared error shape."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from wenming.awards.api import backoffice as applications_router
from wenming.awards.api import public as candidates_router
from wenming.awards.api import residents as recommendations_router
from wenming.campaigns.api import router as campaigns_router
from wenming.campaigns.api import voters as voters_router
from wenming.complaints.api import hotline as hotline_router
from wenming.complaints.api import residents as complaints_router
from wenming.core import refusals
from wenming.core.api import router as core_router
from wenming.core.apiutils import ApiError, error_body, field_errors
from wenming.core.errors import DomainError
from wenming.credit.api import router as credit_router
from wenming.judging.api import router as judging_router
from wenming.registry.api import router as registry_router
from wenming.results.api import router as results_router
from wenming.surveys.api import router as surveys_router
from wenming.volunteers.api import public as volunteers_public_router
from wenming.volunteers.api import residents as volunteers_router
from wenming.volunteers.api import staff as volunteers_staff_router
from wenming.voting.api import LEADERBOARD_OPENAPI, VOTE_OPENAPI
from wenming.voting.api import router as voting_router

logger = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class WenmingAPI(NinjaAPI):
    """The API, whose OpenAPI document also describes the endpoints served by plain Django views."""

    plain_operations = {"/votes": ("post", VOTE_OPENAPI), "/leaderboard": ("get", LEADERBOARD_OPENAPI)}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        prefix = self.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        for path, (method, (operation, models)) in self.plain_operations.items():
            schema["paths"].setdefault(f"{prefix.rstrip('/')}{path}", {})[method] = operation
            for name, model in models.items():
                schema["components"]["schemas"].setdefault(name, model)
        return schema


api = WenmingAPI(
    title="文明物业 Wenming API",
    version="1",
    description="物业管理文明创建活动的公共接口。错误统一为 {\"error\": {\"code\", \"message\"}}。",
    renderer=ChineseJSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _respond(request, status, **kwargs):
    return api.create_response(request, error_body(status, **kwargs), status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc):
    return api.create_response(request, exc.body, status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    # A malformed id in a path is an absent record, not a bad request (API.md).
    if any(err.get("loc", [None])[0] == "path" for err in exc.errors):
        return _respond(request, 404)
    return _respond(request, 422, fields=field_errors({**err, "loc": err.get("loc", [])[1:]} for err in exc.errors))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _respond(request, 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    status = exc.status_code if exc.status_code in (400, 401, 403, 404, 405, 409, 413, 422, 429, 503) else 400
    return _respond(request, status)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _respond(request, 404)


@api.exception_handler(DjangoValidationError)
def on_refused_input(request, exc):
    """A service refused the input (django's ValidationError): 422 with its Chinese reasons, by
    field where the service named the fields."""
    fields = {name: "；".join(errors) for name, errors in exc.message_dict.items()} if hasattr(exc, "error_dict") \
        else None
    return _respond(request, 422, message=refusals.message(exc), fields=fields)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _respond(request, 403, message=str(exc) or None)


# Domain refusals (wenming.core.errors.DomainError), never a 500: the refusal's Chinese message,
# its status and code from the one mapping (wenming.core.refusals), and the input it names.
@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    return _respond(request, refusals.api_status(exc), message=str(exc), code=refusals.api_code(exc),
                    fields=getattr(exc, "fields", None))


# The hot paths (votes, leaderboard) first: ninja's URL patterns are tried in this order.
api.add_router("/", voting_router)
api.add_router("/", core_router)
api.add_router("/", campaigns_router)
api.add_router("/", voters_router)
api.add_router("/", registry_router)
api.add_router("/", candidates_router)
api.add_router("/", recommendations_router)
api.add_router("/", applications_router)
api.add_router("/", credit_router)
api.add_router("/", surveys_router)
api.add_router("/", judging_router)
api.add_router("/", results_router)
api.add_router("/", complaints_router)
api.add_router("/", hotline_router)
api.add_router("/", volunteers_router)
api.add_router("/", volunteers_staff_router)
api.add_router("/", volunteers_public_router)
