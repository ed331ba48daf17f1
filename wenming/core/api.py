from django.contrib.auth import authenticate
from django.utils import timezone
from ninja import Field, Router, Schema

from wenming.core.apiutils import ApiError, BodySchema, CleanStr, errors, require_json
from wenming.core.models import ApiToken
from wenming.core.roles import STAFF_ROLES

router = Router(tags=["认证"])


class TokenIn(BodySchema):
    username: CleanStr = Field(min_length=1, max_length=150)
    password: CleanStr = Field(min_length=1, max_length=200)


class TokenOut(Schema):
    token: str
    role: str
    expires_at: str


@router.post("/auth/token", response={200: TokenOut, **errors(400, 401, 422, 429)}, auth=None)
def issue_token(request, payload: TokenIn):
    """Staff sign-in for API clients. Failures are limited per account and per address."""
    require_json(request)
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429)  # the lockout middleware answers with the Chinese message
    if user is None or not user.is_active or (user.role not in STAFF_ROLES and not user.is_superuser):
        raise ApiError(401, "用户名或密码错误")
    token, raw = ApiToken.issue(user)
    return {"token": raw, "role": user.role or "superuser",
            "expires_at": timezone.localtime(token.expires_at).isoformat()}

