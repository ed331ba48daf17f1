from ninja import Router, Schema

from wenming.campaigns import clock
from wenming.campaigns.models import Campaign
from wenming.core.apiutils import ApiError, errors, local_iso

router = Router(tags=["活动"])


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
    campaign = Campaign.objects.current()
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
