from django.utils import timezone
from ninja import Field, Router, Schema, Status

from wenming.campaigns import clock
from wenming.campaigns.services import current_campaign
from wenming.core.apiutils import ApiError, BodySchema, CleanStr, errors, local_iso
from wenming.core.identity import phones

router = Router(tags=["活动"])
voters = Router(tags=["居民"])


class PhaseOut(Schema):
    key: str
    name: str
    starts_at: str
    ends_at: str


class PrivacyOut(Schema):
    version: str
    url: str


class CampaignOut(Schema):
    name: str
    theme: str
    timezone: str
    current_phase: str | None
    phases: list[PhaseOut]
    privacy_notice: PrivacyOut


@router.get("/campaign", response={200: CampaignOut, **errors(404)}, auth=None)
def get_campaign(request):
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    phase = clock.current_phase(campaign)
    return {
        "name": campaign.name,
        "theme": campaign.theme,
        "timezone": campaign.timezone,
        "current_phase": phase.key if phase else None,
        "phases": [
            {"key": p.key, "name": p.name, "starts_at": local_iso(p.starts_at), "ends_at": local_iso(p.ends_at)}
            for p in campaign.phases.all()
        ],
        "privacy_notice": {"version": campaign.privacy_notice_version, "url": campaign.privacy_notice_url},
    }


PhoneStr = Field(pattern=r"^1[3-9][0-9]{9}$", description="11 位中国大陆手机号")


class PhoneIn(BodySchema):
    phone: str = PhoneStr


class CodeOut(Schema):
    retry_after: int


class VerifyIn(BodySchema):
    phone: str = PhoneStr
    code: str = Field(pattern=r"^[0-9]{6}$")
    consent_version: CleanStr = Field(max_length=30)


class VerifyOut(Schema):
    token: str
    expires_at: str


@voters.post("/voters/code", response={202: CodeOut, **errors(400, 422, 429, 503)}, auth=None)
def send_voter_code(request, payload: PhoneIn):
    """Send a 6-digit SMS code (valid 5 minutes; at most one per 60 s per phone)."""
    retry_after = phones.send_code(payload.phone, ip=request.client_ip)  # a PhoneError: the API's one handler
    return Status(202, {"retry_after": retry_after})


@voters.post("/voters/verify", response={200: VerifyOut, **errors(400, 401, 422, 429)}, auth=None)
def verify_voter(request, payload: VerifyIn):
    """Exchange the code for a resident token, recording acceptance of the current privacy notice."""
    campaign = current_campaign()
    current = campaign.privacy_notice_version if campaign else ""
    _, raw, expires_at = phones.verify_resident(payload.phone, payload.code, payload.consent_version,
                                                current_version=current)
    return {"token": raw, "expires_at": timezone.localtime(expires_at).isoformat()}
