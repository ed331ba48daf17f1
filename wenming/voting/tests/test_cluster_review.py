"""Fraud review by cluster (issue 17.9): clusters of quarantined votes by signal, candidate,
/24 and day, bulk decisions with one reason, the second approver, filters and the export."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry, Resident
from wenming.core.roles import Role
from wenming.testing.factories import make_user
from wenming.testing.workbooks import first_sheet
from wenming.voting import review, services
from wenming.voting.models import FraudDecision, TallyShard, Vote, Voter, VoteStatus

DAY = datetime.date(2019, 11, 28)
_phones = itertools.count()


def tally(candidate):
    return TallyShard.objects.filter(candidate=candidate).aggregate(n=Sum("counted"))["n"] or 0


def add_votes(candidate, count, *, network, status=VoteStatus.QUARANTINED, reason=None, at="10:05", day=DAY):
    """`count` votes from distinct voters on `network` (e.g. "10.8.1"), stored as the vote path stores them."""
    reason = reason if reason is not None else f"同一网段短时间内集中投票（{network}.0/24）"
    hour, minute = (int(x) for x in at.split(":"))
    cast_at = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.timezone(
        datetime.timedelta(hours=8)))
    votes = []
    for k in range(count):
        resident = Resident.objects.create(phone=f"139{next(_phones):08d}", consent_version="2019.1",
                                           consented_at="2019-11-01T00:00Z")
        voter = Voter.objects.create(resident=resident)
        votes.append(Vote.objects.create(
            receipt=f"r{resident.pk:030d}", award=candidate.application.award, candidate=candidate, voter=voter,
            day=day, cast_at=cast_at + datetime.timedelta(seconds=k), status=status,
            status_reason="" if status == VoteStatus.COUNTED else reason, ip=f"{network}.{1 + k % 250}"))
        if status == VoteStatus.COUNTED:
            services._count(candidate.pk, voter.pk)
    return votes


@pytest.fixture
def attack(candidates):
    """Candidate 0: a burst of 6 from 10.8.1.x (plus 2 counted from there) and 2 virtual numbers
    on 10.9.2.x; candidate 1: a night cluster of 3 on 10.7.3.x the next day."""
    add_votes(candidates[0], 2, network="10.8.1", status=VoteStatus.COUNTED)
    add_votes(candidates[0], 6, network="10.8.1")
    add_votes(candidates[0], 2, network="10.9.2", reason=services.VIRTUAL_REASON, at="11:20")
    add_votes(candidates[1], 3, network="10.7.3", reason="夜间同一网段集中投票（10.7.3.0/24）", at="02:10",
              day=DAY + datetime.timedelta(days=1))
    return candidates


def set_threshold(campaign, value):
    rules = campaign.rules
    rules["voting"]["risk"]["bulk_invalidation_second_approver_from"] = value
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)


def key(signal, candidate, network, day=DAY):
    return review.ClusterKey(signal, candidate.pk, network, day)


@pytest.mark.parametrize("ip", ["10.8.1.5", "10.8.1.0", "192.168.200.254", None, "2001:db8:1:2::5", "2001:db8::1",
                                "::1"])
def test_the_network_is_computed_in_the_database_as_the_vote_path_names_it(ip, candidates):
    vote = add_votes(candidates[0], 1, network="10.0.0")[0]
    Vote.objects.filter(pk=vote.pk).update(ip=ip)
    network, stored = Vote.objects.annotate(n=review.Net24("ip")).values_list("n", "ip").get()
    assert network == services.net24(stored)


def test_clusters_group_by_signal_candidate_network_and_day_with_names_and_counts(attack, campaign):
    rows = review.cluster_rows(review.clusters(campaign))
    assert [(r["signal_label"], r["candidate_name"], r["network"], r["day"], r["votes"]) for r in rows] == [
        ("同一网段短时集中", "候选小区0", "10.8.1.0/24", DAY, 6),
        ("夜间集中", "候选小区1", "10.7.3.0/24", DAY + datetime.timedelta(days=1), 3),
        ("虚拟运营商号段", "候选小区0", "10.9.2.0/24", DAY, 2)]
    burst = rows[0]
    assert burst["key"] == f"burst|{attack[0].pk}|10.8.1.0/24|2019-11-28"
    assert review.ClusterKey.parse(burst["key"]) == key("burst", attack[0], "10.8.1.0/24")
    assert burst["first"].isoformat() == "2019-11-28T02:05:00+00:00" and burst["last"].second == 5


def test_the_filters_narrow_the_clusters(attack, campaign):
    def networks(**filters):
        return [r["network"] for r in review.clusters(campaign, review.Filters(**filters))]

    assert networks(signal="virtual") == ["10.9.2.0/24"]
    assert networks(candidate_id=attack[1].pk) == ["10.7.3.0/24"]
    assert networks(network="10.8") == ["10.8.1.0/24"]
    assert networks(day=DAY) == ["10.8.1.0/24", "10.9.2.0/24"]
    assert review.quarantine_summary(campaign, review.Filters(candidate_id=attack[0].pk)) == (8, 2)


def test_the_series_of_the_filters_counts_every_status_by_hour(attack, campaign):
    series = review.cluster_series(campaign, review.Filters(candidate_id=attack[0].pk, day=DAY))
    assert len(series) == 24 and series[0]["hour"].isoformat() == "2019-11-28T00:00:00+08:00"
    assert (series[10]["counted"], series[10]["quarantined"]) == (2, 6) and series[11]["quarantined"] == 2
    campaign_wide = review.cluster_series(campaign, review.Filters(day=DAY))  # the quarantine, not every vote
    assert (campaign_wide[10]["counted"], campaign_wide[10]["quarantined"]) == (0, 6)
    only_virtual = review.cluster_series(campaign, review.Filters(signal="virtual", day=DAY))
    assert sum(row["total"] for row in only_virtual) == 2


def test_a_bulk_release_counts_the_votes_of_every_chosen_cluster_with_one_reason(attack, campaign, office):
    decisions = review.decide_clusters(
        campaign, keys=[key("burst", attack[0], "10.8.1.0/24"), key("virtual", attack[0], "10.9.2.0/24")],
        action="release", reason="核实为同小区业主", actor=office)
    assert [len(d.vote_ids) for d in decisions] == [6, 2]
    assert {d.state for d in decisions} == {FraudDecision.State.APPLIED}
    assert tally(attack[0]) == 10 and Vote.objects.filter(status=VoteStatus.QUARANTINED).count() == 3
    assert Vote.objects.filter(status_reason="核实为同小区业主").count() == 8
    entries = AuditEntry.objects.filter(action="voting.fraud.decided")
    assert entries.count() == 2 and {e.reason for e in entries} == {"核实为同小区业主"}
    services.sequence_board()
    assert services.verify_tally() == {}


def test_a_bulk_invalidation_over_the_threshold_waits_for_another_office_member(attack, campaign, office):
    set_threshold(campaign, 8)  # 6 + 2 votes: each cluster is small, the batch is not
    decisions = review.decide_clusters(
        campaign, keys=[key("burst", attack[0], "10.8.1.0/24"), key("virtual", attack[0], "10.9.2.0/24")],
        action="invalidate", reason="同一设备批量注册", actor=office)
    assert {d.state for d in decisions} == {FraudDecision.State.PENDING}
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED).count() == 0 and tally(attack[0]) == 2
    with pytest.raises(Conflict, match="等待"):  # a second request for the same votes while the first waits
        review.decide_clusters(campaign, keys=[key("burst", attack[0], "10.8.1.0/24")], action="release",
                               reason="业主", actor=office)
    with pytest.raises(PermissionDenied, match="另一名"):
        review.approve_many(decisions, actor=office, note="同意")
    assert FraudDecision.objects.filter(state=FraudDecision.State.PENDING).count() == 2
    second = make_user("office2", role=Role.OFFICE)
    with pytest.raises(ValidationError):
        review.approve_many(decisions, actor=second, note=" ")
    review.approve_many(decisions, actor=second, note="复核属实")
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED).count() == 8
    assert tally(attack[0]) == 2  # the two counted votes of 10.8.1.x were not in the cluster
    assert AuditEntry.objects.get(action="voting.fraud.batch_approved").reason == "复核属实"
    assert AuditEntry.objects.filter(action="voting.fraud.approved").count() == 2
    services.sequence_board()
    assert services.verify_tally() == {}


def test_a_small_bulk_invalidation_applies_at_once(attack, campaign, office):
    review.decide_clusters(campaign, keys=[key("virtual", attack[0], "10.9.2.0/24")], action="invalidate",
                           reason="虚拟号段", actor=office)
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED, status_reason="虚拟号段").count() == 2


@pytest.mark.parametrize(("action", "reason", "field"), [("release", " ", "reason"), ("keep", "原因", "action")])
def test_a_bulk_decision_needs_an_action_and_a_reason_and_writes_nothing_without(attack, campaign, office, action,
                                                                                reason, field):
    with pytest.raises(ValidationError) as refused:
        review.decide_clusters(campaign, keys=[key("burst", attack[0], "10.8.1.0/24")], action=action,
                               reason=reason, actor=office)
    assert field in refused.value.message_dict
    assert not FraudDecision.objects.exists() and not AuditEntry.objects.filter(action__startswith="voting.").exists()


def test_a_cluster_already_decided_is_a_conflict(attack, campaign, office, haizhou_officer):
    chosen = [key("burst", attack[0], "10.8.1.0/24")]
    review.decide_clusters(campaign, keys=chosen, action="release", reason="业主", actor=office)
    with pytest.raises(Conflict):
        review.decide_clusters(campaign, keys=chosen, action="invalidate", reason="刷票", actor=office)
    with pytest.raises(PermissionDenied):
        review.decide_clusters(campaign, keys=chosen, action="release", reason="x", actor=haizhou_officer)


# --- the pages ------------------------------------------------------------------------------

def post_clusters(client, data, query=""):
    return client.post(reverse("voting_office:clusters") + query, data)


def test_the_page_shows_clusters_with_names_counts_and_the_chart(client, attack, office):
    client.force_login(office)
    page = client.get(reverse("voting_office:fraud"))
    assert page.status_code == 200
    text = page.text
    assert "候选小区0" in text and "同一网段短时集中" in text and "10.8.1.0/24" in text and "#" + str(attack[0].pk) not in text
    assert "待核查 <strong>11</strong> 票" in text and 'role="img"' in text
    filtered = client.get(reverse("voting_office:fraud"), {"signal": "night"}).text
    assert "10.7.3.0/24" in filtered and "10.8.1.0/24" not in filtered.split('id="clusters"')[1].split("</section>")[0]
    bad = client.get(reverse("voting_office:fraud"), {"day": "昨天"})
    assert bad.status_code == 200 and "请输入有效日期" in bad.text
    assert client.get(reverse("voting_office:fraud"), {"candidate": "999999"}).status_code == 404


def test_the_office_invalidates_clusters_and_another_member_approves(client, attack, campaign, office):
    set_threshold(campaign, 5)
    client.force_login(office)
    burst = str(key("burst", attack[0], "10.8.1.0/24"))
    response = post_clusters(client, {"clusters": [burst], "action": "invalidate", "reason": "同一设备刷票"},
                             "?signal=burst")
    assert response.status_code == 302 and response.url == reverse("voting_office:fraud") + "?signal=burst"
    page = client.get(response.url).text
    assert "已提交作废 1 个集群共 6 票，待另一名办公室成员批准" in page and "本人申请" in page
    decision = FraudDecision.objects.get()
    # the requester cannot approve: the form says so and nothing changes
    refused = client.post(reverse("voting_office:approve_many"), {"decisions": [decision.pk], "note": "同意"})
    assert refused.status_code == 400 and "另一名" in refused.text
    assert FraudDecision.objects.get().state == FraudDecision.State.PENDING
    client.force_login(make_user("office2", role=Role.OFFICE))
    empty = client.post(reverse("voting_office:approve_many"), {"decisions": [decision.pk], "note": ""})
    assert empty.status_code == 400 and "请填写批准意见" in empty.text
    done = client.post(reverse("voting_office:approve_many"), {"decisions": [decision.pk], "note": "复核属实"})
    assert done.status_code == 302
    assert "已批准并执行 1 项决定共 6 票" in client.get(done.url).text
    assert Vote.objects.filter(status=VoteStatus.INVALIDATED).count() == 6


def test_a_refused_bulk_decision_keeps_what_was_chosen_and_typed(client, attack, office):
    client.force_login(office)
    burst = str(key("burst", attack[0], "10.8.1.0/24"))
    no_reason = post_clusters(client, {"clusters": [burst], "action": "invalidate", "reason": ""})
    assert no_reason.status_code == 400 and "请填写核查结论和原因" in no_reason.text
    assert f'value="{burst}" id="cluster-1" checked' in no_reason.text
    assert 'value="invalidate" checked' in no_reason.text
    no_action = post_clusters(client, {"clusters": [burst], "reason": "核实为业主"})
    assert no_action.status_code == 400 and "请选择放行或作废" in no_action.text and "核实为业主</textarea>" in no_action.text
    nothing = post_clusters(client, {"action": "release", "reason": "核实为业主"})
    assert nothing.status_code == 400 and "请至少选择一个集群" in nothing.text
    forged = post_clusters(client, {"clusters": ["burst|x|y|z"], "action": "release", "reason": "核实为业主"})
    assert forged.status_code == 400
    assert not FraudDecision.objects.exists() and Vote.objects.filter(status=VoteStatus.QUARANTINED).count() == 11


def test_all_clusters_of_the_filters_at_once(client, attack, office):
    client.force_login(office)
    response = post_clusters(client, {"scope": "all", "action": "release", "reason": "核实为业主"},
                             f"?candidate={attack[0].pk}")
    assert response.status_code == 302 and "已放行 2 个集群共 8 票" in client.get(response.url).text
    assert list(Vote.objects.filter(status=VoteStatus.QUARANTINED).values_list("candidate", flat=True)) == [
        attack[1].pk] * 3


def test_the_pages_are_office_only_post_only_and_outsiders_are_not_found(client, attack, office, haizhou_officer):
    burst = str(key("burst", attack[0], "10.8.1.0/24"))
    data = {"clusters": [burst], "action": "release", "reason": "核实"}
    anonymous = post_clusters(client, data)
    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    client.force_login(haizhou_officer)
    for name in ("fraud", "export"):
        assert client.get(reverse(f"voting_office:{name}")).status_code == 403
    assert post_clusters(client, data).status_code == 403
    assert client.post(reverse("voting_office:approve_many"), {"decisions": [1], "note": "x"}).status_code == 403
    client.force_login(office)
    for name in ("clusters", "approve_many"):
        assert client.get(reverse(f"voting_office:{name}")).status_code == 405
    assert client.post(reverse("voting_office:export")).status_code == 405
    outsider = str(review.ClusterKey("burst", 999999, "10.8.1.0/24", DAY))
    assert post_clusters(client, {**data, "clusters": [outsider]}).status_code == 404
    assert client.post(reverse("voting_office:approve_many"), {"decisions": [999999], "note": "x"}).status_code == 404
    assert not FraudDecision.objects.exists() and not AuditEntry.objects.filter(action__startswith="voting.").exists()


def test_the_export_is_the_filtered_clusters_in_chinese_formula_safe_without_phones(client, attack, office):
    attack[0].title = "=HYPERLINK(\"http://x\")"
    attack[0].save()
    client.force_login(office)
    response = client.get(reverse("voting_office:export"), {"day": "2019-11-28"})
    assert response.status_code == 200
    assert "%E6%8A%95%E7%A5%A8%E6%A0%B8%E6%9F%A5" in response["Content-Disposition"]  # 投票核查…
    rows = first_sheet(response.content, scope="全市")
    assert rows[0] == tuple(review.EXPORT_HEADERS)
    assert rows[1][:5] == ("同一网段短时集中", "'=HYPERLINK(\"http://x\")", "10.8.1.0/24",
                           datetime.datetime(2019, 11, 28), 6)  # the day as a date, the count a number
    assert rows[1][5:7] == ("10:05", "10:05") and len(rows) == 3
    phones = set(Resident.objects.values_list("phone", flat=True))
    assert not any(str(cell) in phones or "139" in str(cell) for row in rows for cell in row)


def test_a_page_of_clusters_and_their_number_come_from_one_query(attack, campaign, django_assert_num_queries):
    with django_assert_num_queries(2):  # the campaign's awards, then the clusters with their window count
        rows, total, page = review.cluster_page(campaign, per_page=2, page=2)
    assert (total, page) == (3, 2) and [r["network"] for r in rows] == ["10.9.2.0/24"]
    assert rows[0]["day"] == DAY and rows[0]["first"].isoformat() == "2019-11-28T03:20:00+00:00"
    assert review.cluster_page(campaign, per_page=2, page=9)[2] == 1  # past the end: the first page
    first = review.cluster_page(campaign, review.Filters(signal="night"))[0][0]
    assert {k: first[k] for k in ("signal", "candidate_id", "votes")} == {"signal": "night",
                                                                         "candidate_id": attack[1].pk, "votes": 3}
