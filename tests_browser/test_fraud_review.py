"""Fraud review at phone size (issue 17.9): the office filters the quarantined votes by signal,
sees the clusters with candidate names and the hourly chart, invalidates a burst cluster with
one reason, and a second office member (office2) approves the bulk invalidation."""

import pytest

from tests_browser.test_accessibility import readable, serious_violations
from wenming.testing.browser import demo_site, log_in, requires_chromium
from wenming.voting.models import FraudDecision, Vote, VoteStatus

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def fits_the_phone(phone):
    return phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_office_invalidates_a_cluster_and_a_second_member_approves(phone, settings):
    demo_site(settings, "voting")
    burst = Vote.objects.filter(status=VoteStatus.QUARANTINED, status_reason__startswith="同一网段短时间").select_related(
        "candidate").first()
    # the cluster is this signal's only: at night (Shanghai) some of the same votes are held for the
    # night signal too, and those form a cluster of their own
    name, cluster_votes = burst.candidate.title, Vote.objects.filter(
        status=VoteStatus.QUARANTINED, candidate=burst.candidate, ip__startswith="100.120.7.",
        status_reason=burst.status_reason, day=burst.day).count()
    assert cluster_votes >= 50  # large enough that its invalidation waits for a second member

    log_in(phone, "office")
    phone.goto("/office/votes/")
    main = phone.locator("main").inner_text()
    assert "可疑集群" in main and name in main and "候选 #" not in main
    assert fits_the_phone(phone)
    phone.shot("clusters")

    phone.select_option("#id_signal", "burst")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url("**/office/votes/?signal=burst*")
    clusters = phone.locator("#clusters")
    assert "100.120.7.0/24" in clusters.inner_text() and "虚拟运营商号段" not in clusters.inner_text()
    phone.shot("filtered-by-signal")

    with phone.expect_download() as download:
        phone.get_by_role("link", name="导出 Excel（当前筛选的全部集群）").click()
    assert download.value.suggested_filename == "投票核查可疑集群.xlsx"

    row = clusters.locator("tr", has_text="100.120.7.0/24")
    row.locator("input[type=checkbox]").check()
    clusters.locator("input[value=invalidate]").check()
    clusters.get_by_role("button", name="提交处理").click()
    phone.wait_for_load_state()
    assert "请填写核查结论和原因" in phone.locator("#clusters").inner_text()
    assert phone.locator("#clusters tr", has_text="100.120.7.0/24").locator("input[type=checkbox]").is_checked()
    assert not FraudDecision.objects.filter(network="100.120.7.0/24").exists()
    phone.shot("reason-required")
    assert not (found := serious_violations(phone)), readable(found)

    phone.fill("#id_reason", "同一网段一分钟内集中投票，核查为批量刷票")
    phone.locator("#clusters").get_by_role("button", name="提交处理").click()
    phone.wait_for_url("**/office/votes/?signal=burst*")
    assert f"已提交作废 1 个集群共 {cluster_votes} 票，待另一名办公室成员批准" in phone.locator("main").inner_text()
    assert "本人申请" in phone.locator("#pending").inner_text()
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED, ip__startswith="100.120.7.").count() == 0
    assert fits_the_phone(phone)
    phone.shot("waiting-for-second-approver")

    phone.context.clear_cookies()
    log_in(phone, "office2")
    phone.goto("/office/votes/")
    pending = phone.locator("#pending")
    assert name in pending.inner_text() and str(cluster_votes) in pending.inner_text()
    pending.locator("tr", has_text="100.120.7.0/24").locator("input[type=checkbox]").check()
    phone.fill("#id_note", "复核属实，同意作废")
    phone.shot("second-approver")
    assert not (found := serious_violations(phone)), readable(found)
    pending.get_by_role("button", name="批准所选并执行").click()
    phone.wait_for_load_state()
    assert f"已批准并执行 1 项决定共 {cluster_votes} 票" in phone.locator("main").inner_text()
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED, ip__startswith="100.120.7.").count() == cluster_votes
    decision = FraudDecision.objects.get(network="100.120.7.0/24")
    assert (decision.state, decision.requested_by.username, decision.approved_by.username) == (
        "applied", "office", "office2")
    # the burst cluster is gone (at night the same network's night-signal cluster stays, for its own review)
    assert phone.locator("#clusters tr", has_text="100.120.7.0/24").filter(has_text="同一网段短时集中").count() == 0
    assert fits_the_phone(phone)
    phone.shot("approved")
