"""The board carries every status change; the tally is the board's; the downloaded board is
checked with no database; the receipt page shows a vote's entries and current status."""


import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from wenming.core.models import Resident
from wenming.testing.published import verify_without_database
from wenming.voting import board, published, review, services
from wenming.voting.models import BoardEntry, Vote, VoteStatus


@pytest.fixture
def flagged(candidates, campaign):
    """Six votes from 10.8.1.x for candidate 0 (the last four quarantined: net24_daily = 2), and
    one counted vote for candidate 1 from elsewhere."""
    rules = campaign.rules
    rules["voting"]["risk"]["net24_daily"] = 2
    rules["voting"]["risk"]["bulk_invalidation_second_approver_from"] = 100
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for i in range(6):
            resident = Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                               consented_at="2019-11-01T00:00Z")
            services.cast_vote(campaign.pk, resident.pk, candidates[0].pk, ip=f"10.8.1.{i + 1}")
        services.cast_vote(campaign.pk, resident.pk, candidates[1].pk, ip="10.9.0.1")
    return candidates[0]


def kinds():
    return list(BoardEntry.objects.order_by("index").values_list("kind", "reason_code"))


def test_a_quarantine_at_cast_and_each_review_decision_are_events_on_the_chain(flagged, campaign, office, client):
    services.sequence_board()
    assert kinds() == [("vote", ""), ("vote", ""), ("vote", ""), ("quarantine", "net24_daily"),
                       ("vote", ""), ("quarantine", "net24_daily"), ("vote", ""), ("quarantine", "net24_daily"),
                       ("vote", ""), ("quarantine", "net24_daily"), ("vote", "")]
    with time_machine.travel("2019-11-29 09:00 +0800", tick=False):
        review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="release", reason="核实为同小区业主",
                      actor=office)
    assert kinds()[11:] == [("release", "net24_daily")] * 4
    with time_machine.travel("2019-11-30 09:00 +0800", tick=False):
        review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="invalidate",
                      reason="张三家的设备批量刷票", actor=office)
    assert kinds()[15:] == [("invalidate", "office_review")] * 6  # counted since the release
    assert services.verify_board() == (21, None) and services.verify_statuses() is None
    assert services.verify_tally() == {}
    assert services.board_tally()[flagged.pk] == {"counted": 0, "quarantined": 0, "invalidated": 6}

    body = client.get("/api/v1/votes/board", {"after": 15}).json()
    assert [(i["kind"], i["status"], i["reason_code"]) for i in body["items"]][:1] == [
        ("invalidate", "invalidated", "office_review")]
    assert body["items"][0]["at"] == "2019-11-30T09:00:00+08:00" and body["count"] == 21
    assert "张三" not in str(body) and "1390000" not in str(body)  # no free text, no phone
    receipt = body["items"][2]["receipt"]  # the first of the four quarantined
    answer = client.get(f"/api/v1/votes/receipts/{receipt}").json()
    assert answer["status"] == "invalidated" and answer["reason_code"] == "office_review"
    assert [e["kind"] for e in answer["entries"]] == ["vote", "quarantine", "release", "invalidate"]


def test_a_status_changed_in_the_database_without_its_event_is_caught(flagged):
    services.sequence_board()
    vote = BoardEntry.objects.get(index=2).vote
    Vote.objects.filter(pk=vote.pk).update(status=VoteStatus.INVALIDATED)  # someone edits the database
    with pytest.raises(CommandError, match="第 2 条公开记录的投票状态与数据库不符"):
        call_command("votes", "verify")


def test_an_event_edited_in_the_database_breaks_the_chain(flagged):
    services.sequence_board()
    BoardEntry.objects.filter(index=4).update(kind="release")
    with pytest.raises(CommandError, match="第 4 条处断开"):
        call_command("votes", "verify")


def test_the_tally_is_the_boards_own(flagged, campaign, office):
    services.sequence_board()
    review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="release", reason="核实", actor=office)
    tally = services.board_tally()
    assert tally[flagged.pk]["counted"] == 6 and tally[flagged.pk]["quarantined"] == 0
    from wenming.voting.models import TallyShard

    TallyShard.objects.filter(candidate=flagged).delete()
    assert services.verify_tally() == {flagged.pk: (0, 6)}


def publish(tmp_path):
    call_command("votes", "publish", str(tmp_path))
    return tmp_path / "board.csv", tmp_path / "tally.json"


def test_the_published_files_pass_and_every_changed_byte_is_named(flagged, campaign, office, tmp_path, capsys):
    review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="invalidate", reason="刷票",
                  actor=office)
    board_file, tally_file = publish(tmp_path)
    assert published.verify(tmp_path)[0] == 17
    assert b"\xe5\x88\xb7" not in board_file.read_bytes()  # the free-text reason is not on the board
    call_command("votes", "verify", "--from-published", str(tmp_path))
    assert "核验通过：17 条公开记录" in capsys.readouterr().out
    for path in (board_file, tally_file):
        original = path.read_bytes()
        for position in range(len(original)):
            changed = bytearray(original)
            changed[position] ^= 0x01
            path.write_bytes(bytes(changed))
            with pytest.raises(published.Broken):
                published.verify(tmp_path)
        path.write_bytes(original)
    published.verify(tmp_path)


def test_the_first_broken_entry_and_tally_line_are_named(flagged, tmp_path):
    board_file, tally_file = publish(tmp_path)
    lines = board_file.read_text().splitlines(keepends=True)
    lines[5] = lines[5].replace(f",{flagged.pk},", f",{flagged.pk + 1},")  # entry 5 moved to another candidate
    board_file.write_text("".join(lines))
    with pytest.raises(CommandError, match=r"board.csv 第 5 条（第 6 行）：哈希与内容不符"):
        call_command("votes", "verify", "--from-published", str(tmp_path))
    publish(tmp_path)
    tally_file.write_text(tally_file.read_text().replace('"counted": 2', '"counted": 3'))
    with pytest.raises(CommandError, match=rf"候选 {flagged.pk} 的票数与公开记录不符"):
        call_command("votes", "verify", "--from-published", str(tmp_path))


def test_a_tally_of_an_earlier_head_is_checked_against_a_longer_board(flagged, campaign, tmp_path, client):
    services.sequence_board()
    tally = client.get(reverse("voting:tally_json"), {"upto": 4}).content
    with time_machine.travel("2019-11-29 10:00 +0800", tick=False):
        other = Resident.objects.create(phone="13700137000", consent_version="2019.1",
                                        consented_at="2019-11-01T00:00Z")
        services.cast_vote(campaign.pk, other.pk, flagged.pk, ip="10.10.0.1")
    download = client.get(reverse("voting:board_csv"))
    assert download["Content-Disposition"] == ("attachment; filename=\"board.csv\"; "
                                               "filename*=UTF-8''%E6%8A%95%E7%A5%A8%E5%85%AC%E5%BC%80%E8%AE%B0%E5%BD%95.csv")
    (tmp_path / "投票公开记录.csv").write_bytes(b"".join(download.streaming_content))  # as the browser names them
    (tmp_path / "投票票数.json").write_bytes(tally)
    entries, _, counts = published.verify(tmp_path)
    assert entries == 12 and counts[flagged.pk] == {"counted": 2, "quarantined": 1, "invalidated": 0}
    assert client.get(reverse("voting:board_csv"), {"upto": "x"}).status_code == 400
    assert client.post(reverse("voting:board_csv")).status_code == 405
    assert client.post(reverse("voting:tally_json")).status_code == 405
    assert client.get(reverse("voting:tally_json"), {"upto": "-1"}).status_code == 400


@pytest.mark.django_db
def test_demo_board_verifies_with_no_database_and_names_a_changed_byte(settings, tmp_path, demo_day):
    """The demo (voting phase: quarantined votes, three invalidated clusters), published, then
    checked by `wenming votes verify --from-published` in a process whose database cannot open."""
    from wenming.testing.browser import demo_site

    demo_site(settings, "voting")
    assert BoardEntry.objects.filter(kind="invalidate").exists()
    out = tmp_path / "published"
    call_command("votes", "publish", str(out))
    def run():
        return verify_without_database("votes", out, tmp_path)

    passed = run()
    assert passed.returncode == 0, passed.stderr
    assert "核验通过" in passed.stdout
    data = bytearray((out / "board.csv").read_bytes())
    lines = data.split(b"\n")
    position = len(b"\n".join(lines[:101])) + 1 + lines[101].index(b",vote,") + 8  # in entry 101's receipt
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    (out / "board.csv").write_bytes(bytes(data))
    failed = run()
    assert failed.returncode != 0
    assert "board.csv 第 101 条（第 102 行）：哈希与内容不符" in failed.stderr


def test_the_receipt_page_shows_the_entries_and_the_current_status(flagged, campaign, office, client):
    vote = Vote.objects.filter(candidate=flagged, status=VoteStatus.COUNTED).order_by("pk").first()
    page = client.get(reverse("voting:receipt", args=[vote.receipt])).text
    assert "当前状态" in page and "有效" in page and "第 1 条" in page
    review.decide(campaign, candidate=flagged, network="10.8.1.0/24", action="invalidate", reason="刷票",
                  actor=office)
    page = client.get(reverse("voting:receipt", args=[vote.receipt])).text
    assert "已作废" in page and '<dd id="vote-reason">评选工作办公室核查</dd>' in page
    assert "刷票" not in page  # the office's own words stay in the office
    quarantined = Vote.objects.filter(candidate=flagged).order_by("pk").last()
    page = client.get(reverse("voting:receipt", args=[quarantined.receipt])).text
    assert "同一网段当日投票集中" in page and "待核查：同一网段当日投票集中" in page


def test_the_board_page_finds_a_vote_by_receipt(flagged, client):
    vote = Vote.objects.order_by("pk").first()
    page = client.get(reverse("voting:board"))
    assert page.status_code == 200 and "链头哈希" in page.text and "?upto=11" in page.text
    found = client.get(reverse("voting:board"), {"receipt": f"  {vote.receipt.upper()} "})
    assert found.status_code == 302 and found.url == reverse("voting:receipt", args=[vote.receipt])
    bad = client.get(reverse("voting:board"), {"receipt": "12345"})
    assert bad.status_code == 400 and "32 位数字和字母" in bad.text and 'value="12345"' in bad.text
    missing = client.get(reverse("voting:board"), {"receipt": "0" * 32})
    assert missing.status_code == 404 and "没有这个回执" in missing.text and "0" * 32 in missing.text
    assert client.post(reverse("voting:board"), {"receipt": vote.receipt}).status_code == 405


def test_signal_texts_have_their_codes(candidates):
    from wenming.voting.services import VIRTUAL_REASON, VotingContext, _risk_signals

    context = VotingContext(1, None, "", None, None, 5, 1, {}, {"night_hours": [0, 24]}, "")
    import datetime

    local = datetime.datetime(2019, 11, 28, 1, 0)
    reasons = [reason for *_, reason in _risk_signals(context, 1, "10.1.2.3", 1, local)]
    assert [board.signal_code(r) for r in reasons] == ["net24_daily", "candidate_burst", "night_net24"]
    assert board.signal_code(VIRTUAL_REASON) == "virtual_operator"


def test_a_board_from_before_events_gets_them_from_the_migration(flagged, campaign, office):
    """Migration 0008: a board written before events (status changes left off the chain) gets
    one event per vote whose status is not counted, and then verifies."""
    import importlib

    from django.apps import apps

    statuses = dict(Vote.objects.values_list("pk", "status"))
    Vote.objects.update(status=VoteStatus.COUNTED)
    services.sequence_board()  # as the board was before events: the votes only
    for pk, status in statuses.items():
        Vote.objects.filter(pk=pk).update(status=status)
    Vote.objects.filter(candidate=flagged, status=VoteStatus.COUNTED).update(status=VoteStatus.INVALIDATED)
    assert services.verify_statuses() is not None
    importlib.import_module("wenming.voting.migrations.0008_board_events").events_for_earlier_changes(apps, None)
    assert kinds()[-6:] == [("invalidate", "office_review")] * 2 + [("quarantine", "flagged")] * 4
    assert services.verify_board() == (13, None) and services.verify_statuses() is None
    assert services.verify_tally() == {flagged.pk: (2, 0)}  # the counters were never told: rebuild-tally
