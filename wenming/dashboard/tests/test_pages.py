"""The dashboard pages: who may read which, what a district officer's page and downloads show,
the drill-down from the city to a community, and the cache."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wenming.dashboard import panels

pytestmark = pytest.mark.usefixtures("clock_now")


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_office_reads_the_city_with_every_panel(client, office, dataset, campaign):
    response = page(client, office, reverse("dashboard:board"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in panels.available(campaign):
        assert f'id="panel-{key}"' in html and f'id="chart-{key}"' in html
    assert "数据看板 · 全市" in html and "连云新村" in html and "海州花园" in html
    assert html.count("<table") == len(panels.available(campaign))
    assert 'src="/static/dashboard/vendor/echarts.min.js"' in html
    assert reverse("dashboard:district", args=[dataset.haizhou.pk]) in html  # drill down


def test_a_district_officer_sees_only_its_district(client, haizhou_officer, dataset):
    response = page(client, haizhou_officer, reverse("dashboard:board"))
    html = response.content.decode()
    assert response.status_code == 200 and "数据看板 · 海州区" in html
    for other in ("连云", "辛", "30.0"):  # its district, community, company, expert and coverage
        assert other not in html
    assert "海州花园" in html and "海州甲物业服务有限公司" in html


def test_a_district_officers_downloads_hold_nothing_of_another_district(client, haizhou_officer, dataset, campaign):
    client.force_login(haizhou_officer)
    for key in panels.available(campaign, haizhou_officer):
        rows = sheet_rows(client.get(reverse("dashboard:export", args=[key])))
        assert "海州区" in rows[0][0]  # the caption row: campaign, scope, time
        text = repr(rows)
        assert "连云" not in text and "辛" not in text, key
    votes = sheet_rows(client.get(reverse("dashboard:export", args=["votes_day"])))
    assert votes[1] == ["日期", "投票数", "待核查", "待核查占比（%）"]
    assert votes[2] == ["2019-11-26", 4, 1, 25] and isinstance(votes[2][1], int)


def test_expert_scores_are_the_offices_alone(client, office, haizhou_officer, dataset, campaign):
    """A district bureau reads no expert grid, on the page or as Excel (judging is the office's
    until results are published); the office reads both."""
    client.force_login(haizhou_officer)
    html = client.get(reverse("dashboard:board")).content.decode()
    assert 'id="panel-experts"' not in html and "专家评分进度" not in html
    assert client.get(reverse("dashboard:export", args=["experts"])).status_code == 404
    assert client.get(reverse("dashboard:district_export", args=[dataset.haizhou.pk, "experts"])).status_code == 404
    assert 'id="panel-votes_day"' in html  # the preset shows live counts: so may the district
    client.force_login(office)
    html = client.get(reverse("dashboard:district", args=[dataset.haizhou.pk])).content.decode()
    assert 'id="panel-experts"' in html
    assert client.get(reverse("dashboard:district_export", args=[dataset.haizhou.pk, "experts"])).status_code == 200


@pytest.mark.parametrize("visibility", ["daily", "hidden"])
def test_vote_figures_follow_the_rules_for_a_district(client, office, haizhou_officer, dataset, campaign, visibility):
    """While the public may not see live counts, neither does a district bureau's dashboard."""
    from wenming.testing.factories import set_rules

    rules = campaign.rules
    rules["voting"]["counts_visibility"] = visibility
    set_rules(campaign, rules)
    client.force_login(haizhou_officer)
    html = client.get(reverse("dashboard:board")).content.decode()
    assert 'id="panel-votes_day"' not in html and 'id="panel-votes_hour"' not in html
    assert "海州花园" in html  # the rest of the board is there
    assert client.get(reverse("dashboard:export", args=["votes_hour"])).status_code == 404
    client.force_login(office)
    html = client.get(reverse("dashboard:district", args=[dataset.haizhou.pk])).content.decode()
    assert 'id="panel-votes_day"' in html and 'id="panel-votes_hour"' in html


def test_another_districts_pages_are_absent_for_a_district_officer(client, haizhou_officer, dataset):
    client.force_login(haizhou_officer)
    for name, pk in (("district", dataset.lianyun.pk), ("company", dataset.company_b.pk),
                     ("community", dataset.community_b.pk)):
        assert client.get(reverse(f"dashboard:{name}", args=[pk])).status_code == 404
        assert client.get(reverse(f"dashboard:{name}_export", args=[pk, "survey"])).status_code == 404
    assert client.get(reverse("dashboard:district", args=[dataset.haizhou.pk])).status_code == 200
    assert client.get(reverse("dashboard:community", args=[dataset.community_a.pk])).status_code == 200
    assert client.get(reverse("dashboard:export", args=["no_such_panel"])).status_code == 404


def test_the_office_drills_from_the_city_to_a_community(client, office, dataset):
    client.force_login(office)
    district = client.get(reverse("dashboard:district", args=[dataset.haizhou.pk])).content.decode()
    assert "数据看板 · 海州区" in district and "连云新村" not in district
    company_url = reverse("dashboard:company", args=[dataset.company_a.pk])
    assert company_url in district
    company = client.get(company_url).content.decode()
    community_url = reverse("dashboard:community", args=[dataset.community_a.pk])
    assert "数据看板 · 海州甲物业服务有限公司" in company and community_url in company
    community = client.get(community_url).content.decode()
    assert "数据看板 · 海州花园" in community
    # the trail back up: 全市 › 海州区 › 海州甲 › 海州花园
    assert reverse("dashboard:board") in community and reverse("dashboard:district", args=[dataset.haizhou.pk]) \
        in community and company_url in community
    rows = sheet_rows(client.get(reverse("dashboard:community_export", args=[dataset.community_a.pk, "volunteers"])))
    assert "海州花园" in rows[0][0] and rows[2] == ["海州花园", 2, 2, 2]


@pytest.mark.parametrize("who", ["company_a", "expert", "surveyor"])
def test_other_roles_are_refused(client, dataset, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("dashboard:board")).status_code == 403
    assert client.get(reverse("dashboard:district", args=[dataset.haizhou.pk])).status_code == 403
    assert client.get(reverse("dashboard:export", args=["phase"])).status_code == 403


def test_anonymous_goes_to_the_login_page_and_post_is_refused(client, office, dataset):
    response = client.get(reverse("dashboard:board"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("dashboard:export", args=["phase"])).status_code == 302
    client.force_login(office)
    assert client.post(reverse("dashboard:board")).status_code == 405
    assert client.post(reverse("dashboard:export", args=["phase"])).status_code == 405
    assert client.post(reverse("dashboard:district", args=[dataset.haizhou.pk])).status_code == 405


def test_the_board_is_cached_until_the_data_version_moves(client, office, dataset, campaign,
                                                         django_assert_max_num_queries):
    from wenming.campaigns.services import campaign_changed
    from wenming.voting.models import Vote

    client.force_login(office)
    first = client.get(reverse("dashboard:board")).content.decode()
    assert "共 10 票" in first
    Vote.objects.filter(day="2019-11-27").delete()
    with django_assert_max_num_queries(8):  # the session, the user, the campaign: no panel query
        again = client.get(reverse("dashboard:board")).content.decode()
    assert "共 10 票" in again
    campaign_changed()
    assert "共 8 票" in client.get(reverse("dashboard:board")).content.decode()
