"""The dashboard page's panels as HTML, cached per (campaign, scope, data version).

The data version is the project's usual one — the campaign and showcase version tokens
(core.versions), which every rule or publication change bumps — plus the minute: votes,
responses, complaints and hours change without a bump, so a cached board is at most
`CACHE_SECONDS` old, as the leaderboard's daily figures are kept under their versions for a
while (voting.services). Only the panels are cached, never the page around them (it carries
the signed-in user and the CSRF token)."""

import time

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from wenming.awards.services import showcase_version
from wenming.campaigns.models import CAMPAIGN_VERSION, Campaign
from wenming.core import versions
from wenming.core.access import is_office
from wenming.dashboard import panels as panel_functions
from wenming.registry.models import Community, Company, District

CACHE_SECONDS = 60
LEVEL_NAMES = {"city": "全市", "district": "区", "company": "物业服务企业", "community": "小区"}


def data_version(now=None):
    bucket = int((now or time.time()) // CACHE_SECONDS)
    return f"{versions.current(CAMPAIGN_VERSION)}:{showcase_version()}:{bucket}"


def scope_url(kind, pk):
    return reverse(f"dashboard:{kind}", args=[pk])


def export_url(scope, panel, own):
    """The panel's Excel download on the page it is shown on (the board, or a drill-down page)."""
    if own:
        return reverse("dashboard:export", args=[panel])
    return reverse(f"dashboard:{scope.kind}_export", args=[scope.pk, panel])


def shown(panel, scope, own):
    rows = []
    for cells in panel.rows:
        link = panel.links.get(cells[0]) if cells else None
        rows.append((cells, scope_url(*link) if link else ""))
    return {"panel": panel, "rows": rows, "data": panel.chart_data(), "export": export_url(scope, panel.key, own),
            "data_id": f"chart-{panel.key}"}


def children(campaign, scope):
    """The next level down, for the drill-down list: (name, url)."""
    if scope.kind == "city":
        items = District.objects.filter(pk__in=campaign.districts.values("pk")).order_by("sort_order", "name")
        if not items.exists():
            items = District.objects.order_by("sort_order", "name")
        return [(name, scope_url("district", pk)) for pk, name in items.values_list("pk", "name")]
    if scope.kind == "district":
        items = panel_functions._companies(scope).order_by("name").values_list("pk", "name")
        return [(name, scope_url("company", pk)) for pk, name in items]
    if scope.kind == "company":
        items = panel_functions._communities(scope).order_by("name").values_list("pk", "name")
        return [(name, scope_url("community", pk)) for pk, name in items]
    return []


def trail(scope, own_scope):
    """The breadcrumb from the user's own board down to this scope: [(label, url)]."""
    steps = [(own_scope.label, reverse("dashboard:board"))]
    if scope.kind in ("company", "community") and own_scope.kind == "city":
        if scope.kind == "company":
            district = Company.objects.filter(pk=scope.company_id).values_list("district_id", "district__name").first()
        else:
            district = Community.objects.filter(pk=scope.community_id).values_list("district_id",
                                                                                 "district__name").first()
        if district:
            steps.append((district[1], scope_url("district", district[0])))
    if scope.kind == "community":
        company = Community.objects.filter(pk=scope.community_id).values_list("company_id", "company__name").first()
        if company and company[0]:
            steps.append((company[1], scope_url("company", company[0])))
    if scope.kind == "district" and own_scope.kind == "district":
        return steps
    if scope != own_scope:
        steps.append((scope.label, ""))
    return steps


def render_panels(campaign_id, scope, own, viewer):
    """The panels' HTML for this scope (with the page's heading), from the cache when the data
    version is unchanged: a hit reads no campaign row and runs no panel. The office and a
    district bureau see different panels of the same scope (`panels.available`), so each
    keeps its own entry."""
    audience = "office" if is_office(viewer) else "district"
    key = f"dashboard:{campaign_id}:{data_version()}:{scope.key}:{int(own)}:{audience}"
    html = cache.get(key)
    if html is None:
        campaign = Campaign.objects.get(pk=campaign_id)
        keys = panel_functions.available(campaign, viewer)
        html = render_to_string("dashboard/panels.html", {"campaign": campaign,
            "panels": [shown(p, scope, own) for p in panel_functions.build(campaign, scope, keys)],
            "children": children(campaign, scope), "child_level": LEVEL_NAMES[scope.breakdown]
            if scope.kind != "community" else "", "scope": scope,
        })
        cache.set(key, html, CACHE_SECONDS)
    return html
