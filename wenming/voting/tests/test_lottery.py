"""The lottery: a server seed committed before a public value nobody knows yet, the value
entered by two office members, the draw re-run by anyone from the published files."""

import datetime
import hashlib
import json
import subprocess
import sys

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from wenming.core.errors import Conflict
from wenming.core.identity.sms import FileOutboxBackend, SmsError
from wenming.core.models import AuditEntry, Delivery, Resident
from wenming.core.roles import Role
from wenming.testing.factories import make_user
from wenming.testing.published import verify_without_database
from wenming.voting import published, published_lottery, services
from wenming.voting.models import Lottery, Vote, VoteStatus

DRAW_DAY = datetime.date(2019, 12, 10)
VALUE = "03 09 14 21 27 30 + 11"


@pytest.fixture
def office2(db):
    return make_user("office2", role=Role.OFFICE)


@pytest.fixture
def voted(candidates, resident):
    """Ten voters; the second has a quarantined vote, the third an invalidated one."""
    campaign = candidates[0].application.campaign
    residents = [resident] + [Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                                      consented_at=resident.consented_at) for i in range(9)]
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for r in residents:
            services.cast_vote(campaign.pk, r.pk, candidates[0].pk, ip=f"10.0.{len(r.phone)}.{r.pk % 200}")
    Vote.objects.filter(voter__resident=residents[1]).update(status=VoteStatus.QUARANTINED)
    Vote.objects.filter(voter__resident=residents[2]).update(status=VoteStatus.INVALIDATED, status_reason="刷票")
    return campaign, residents


def commit(lottery, office, when="2019-12-06 10:00 +0800"):
    with time_machine.travel(when, tick=False):
        return services.commit_lottery(lottery, actor=office, public_source="中国福利彩票双色球 2019年12月10日 开奖号码",
                                       public_date=DRAW_DAY)


def drawn(campaign, office, office2, winners_count=3):
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=winners_count)
    commit(lottery, office)
    with time_machine.travel("2019-12-10 21:40 +0800", tick=False):
        services.enter_public_value(lottery, actor=office, value=VALUE)
        services.enter_public_value(lottery, actor=office2, value=VALUE)
        services.draw_lottery(lottery, actor=office)
    lottery.refresh_from_db()
    return lottery


def test_the_seed_combines_the_commitment_with_a_later_public_value_and_anyone_can_rerun_it(
        client, voted, office, office2, capsys, django_capture_on_commit_callbacks):
    campaign, residents = voted
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    commit(lottery, office)
    published_now = client.get(f"/api/v1/lotteries/{lottery.pk}").json()
    assert published_now["seed"] is None and published_now["winners"] == [] and published_now["draw_seed"] is None
    assert published_now["public_source"] == "中国福利彩票双色球 2019年12月10日 开奖号码"
    assert published_now["public_date"] == "2019-12-10" and published_now["public_value"] is None
    with time_machine.travel("2019-12-09 23:00 +0800", tick=False), pytest.raises(Conflict, match="2019年12月10日"):
        services.enter_public_value(lottery, actor=office, value=VALUE)
    with time_machine.travel("2019-12-10 21:40 +0800", tick=False):
        with pytest.raises(Conflict, match="两名成员录入一致后"):
            services.draw_lottery(lottery, actor=office)
        assert services.enter_public_value(lottery, actor=office, value="03 09 14 21 27 31 + 11") is False
        assert services.enter_public_value(lottery, actor=office, value=f"  {VALUE.replace(' ', '  ')} ") is False
        with pytest.raises(ValidationError) as mismatch:
            services.enter_public_value(lottery, actor=office2, value="03 09 14 21 27 31 + 11")
        assert "不一致" in mismatch.value.message_dict["value"][0]
        lottery.refresh_from_db()
        assert lottery.public_value == "" and lottery.public_value_first == VALUE  # the mismatch wrote nothing
        assert services.enter_public_value(lottery, actor=office2, value=VALUE) is True
        with pytest.raises(Conflict, match="已由两名成员确认"):
            services.enter_public_value(lottery, actor=office, value=VALUE)
        with django_capture_on_commit_callbacks(execute=True):
            services.draw_lottery(lottery, actor=office)

    # What a resident does with the published figures, in a few lines:
    entrants = client.get(f"/api/v1/lotteries/{lottery.pk}/entrants").json()["items"]
    result = client.get(f"/api/v1/lotteries/{lottery.pk}").json()
    def h(text):
        return hashlib.sha256(text.encode()).hexdigest()
    assert h("\n".join(sorted(entrants))) == result["entrants_hash"]
    assert h(result["seed"]) == result["seed_commitment"]
    assert result["public_value"] == VALUE
    seed = h(result["seed"] + ":" + result["public_value"])
    assert seed == result["draw_seed"]
    winners = sorted(entrants, key=lambda e: h(f"{seed}:{e}"))[:3]
    assert [w["entrant_id"] for w in result["winners"]] == winners

    assert len(entrants) == 8  # the quarantined and the invalidated voter are not entrants
    assert not lottery.entrants.filter(voter__resident__in=residents[1:3]).exists()
    assert all(w["masked_phone"].count("*") == 4 for w in result["winners"])
    # Each winner got an SMS through the task worker and the backend, carrying their entrant id.
    sent = {m["phone"]: m["text"] for m in FileOutboxBackend.read()}
    for w in lottery.entrants.filter(rank__isnull=False).select_related("voter__resident"):
        assert sent[w.voter.resident.phone] == (f"【抽奖中奖】恭喜！您参与的“投票抽奖”中奖，抽奖编号 {w.pseudonym}，"
                                                "奖品：话费 20 元。")
    assert len(sent) == 3 and Delivery.objects.filter(kind="lottery_won", state=Delivery.State.SENT).count() == 3
    assert AuditEntry.objects.filter(action="voting.lottery.notified").count() == 1
    assert [a.action for a in AuditEntry.objects.filter(action__startswith="voting.lottery.value").order_by("pk")] == [
        "voting.lottery.value_entered", "voting.lottery.value_entered", "voting.lottery.value_confirmed"]
    call_command("lottery", "verify", str(lottery.pk))
    assert "复核通过" in capsys.readouterr().out


def test_commit_names_a_public_value_of_a_later_date_only_after_voting_closed(voted, office):
    campaign, _ = voted
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    with pytest.raises(Conflict, match=r"投票截止（2019年12月5日 24:00）后才能锁定抽奖名单"):
        commit(lottery, office, when="2019-12-05 23:59 +0800")
    for day, source in ((datetime.date(2019, 12, 6), "双色球"), (DRAW_DAY, "  ")):
        with time_machine.travel("2019-12-06 10:00 +0800", tick=False), pytest.raises(ValidationError) as refused:
            services.commit_lottery(lottery, actor=office, public_source=source, public_date=day)
        assert set(refused.value.message_dict) == ({"public_date"} if source.strip() else {"public_source"})
    lottery.refresh_from_db()
    assert lottery.committed_at is None and not lottery.entrants.exists() and not lottery.seed
    commit(lottery, office, when="2019-12-06 00:00 +0800")
    lottery.refresh_from_db()
    assert lottery.committed_at and lottery.public_date == DRAW_DAY and lottery.entrants.count() == 8
    with pytest.raises(Conflict, match="已公布"):
        commit(lottery, office)


def test_a_winner_whose_sms_failed_is_texted_again_later(client, voted, office, office2, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    campaign, _ = voted
    monkeypatch.setattr(FileOutboxBackend, "send_notice", lambda self, phone, title, text: (_ for _ in ()).throw(
        SmsError("短信服务不可用")))
    with django_capture_on_commit_callbacks(execute=True):
        lottery = drawn(campaign, office, office2)
    assert set(Delivery.objects.values_list("state", "reason")) == {(Delivery.State.FAILED, "短信服务不可用")}
    client.force_login(office)
    page = client.get(f"/office/votes/lotteries/{lottery.pk}/").text
    assert "3 名中奖者的短信未能发出" in page and page.count("短信未发出：短信服务不可用") == 3
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_winners(lottery, actor=office) == (0, 3)
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 3 and len(FileOutboxBackend.read()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_winners(lottery, actor=office) == (0, 0)  # never twice
    assert len(FileOutboxBackend.read()) == 3
    page = client.get(f"/office/votes/lotteries/{lottery.pk}/").text
    assert "未能发出" not in page and page.count("已短信通知") == 3


def test_the_published_files_verify_with_the_rerun_lines_and_every_meaningful_byte_is_named(
        voted, office, office2, tmp_path, capsys):
    campaign, _ = voted
    lottery = drawn(campaign, office, office2)
    services.publish_lottery(lottery, tmp_path)
    record, ids = published_lottery.verify(tmp_path)
    assert len(ids) == 8 and [w["entrant_id"] for w in record["winners"]] == list(
        lottery.entrants.filter(rank__isnull=False).order_by("rank").values_list("pseudonym", flat=True))
    call_command("lottery", "verify", "--from-published", str(tmp_path))
    assert "核验通过：8 名参与者" in capsys.readouterr().out
    saved = tmp_path / "saved"  # as the browser names the downloads
    saved.mkdir()
    for name, shown in published_lottery.DOWNLOADED_AS.items():
        if (tmp_path / name).exists():
            (saved / shown).write_bytes((tmp_path / name).read_bytes())
    published_lottery.verify(saved)
    rerun = subprocess.run([sys.executable, "-c", published_lottery.RERUN], cwd=saved, capture_output=True,
                           text=True, timeout=60)
    assert rerun.stdout.strip() == repr([w["entrant_id"] for w in record["winners"]])

    entrants_file, lottery_file = tmp_path / "entrants.txt", tmp_path / "lottery.json"
    original = lottery_file.read_bytes()
    drawn_at = original.index(b'"drawn_at": "') + 13
    labels = []
    start = 0
    while (found := original.find(b'"masked_phone": "', start)) != -1:
        labels.append((found + 17, found + 28))
        start = found + 1
    for path in (entrants_file, lottery_file):
        data = path.read_bytes()
        for position in range(len(data)):
            if path == lottery_file and (drawn_at <= position < drawn_at + 25 or any(
                    a <= position < b and chr(data[position]).isdigit() for a, b in labels)):
                continue  # the draw's time and a masked phone's digits are labels
            changed = bytearray(data)
            changed[position] ^= 0x01
            path.write_bytes(bytes(changed))
            with pytest.raises(published.Broken):
                published_lottery.verify(tmp_path)
        path.write_bytes(data)
    published_lottery.verify(tmp_path)


def test_the_first_broken_item_is_named(voted, office, office2, tmp_path):
    campaign, _ = voted
    lottery = drawn(campaign, office, office2)
    services.publish_lottery(lottery, tmp_path)
    entrants_file, lottery_file = tmp_path / "entrants.txt", tmp_path / "lottery.json"
    lines = entrants_file.read_text().splitlines(keepends=True)
    entrants_file.write_text("".join(lines[:3] + lines[4:]))  # one entrant left out
    with pytest.raises(CommandError, match=r"entrants 写 8 名，entrants\.txt 有 7 名"):
        call_command("lottery", "verify", "--from-published", str(tmp_path))
    services.publish_lottery(lottery, tmp_path)
    record = json.loads(lottery_file.read_text())
    for key, value, message in (
            ("public_value", "03 09 14 21 27 30 + 12", "draw_seed 不等于"),
            ("public_date", "2019-12-11", "commit_digest 与锁定时的内容"),
            ("seed", "0" * 64, "seed 的 SHA-256 与 seed_commitment")):
        changed = dict(record, **{key: value})
        lottery_file.write_text(published_lottery.lottery_text(changed))
        with pytest.raises(CommandError, match=message):
            call_command("lottery", "verify", "--from-published", str(tmp_path))
    swapped = dict(record, winners=[record["winners"][1], record["winners"][0], *record["winners"][2:]])
    lottery_file.write_text(published_lottery.lottery_text(swapped))
    with pytest.raises(CommandError, match=f"winners 第 1 名应为 {record['winners'][0]['entrant_id']}"):
        call_command("lottery", "verify", "--from-published", str(tmp_path))


def test_a_committed_lottery_verifies_before_its_draw(voted, office, tmp_path, capsys):
    campaign, _ = voted
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    commit(lottery, office)
    call_command("lottery", "publish", str(tmp_path))
    call_command("lottery", "verify", "--from-published", str(tmp_path))
    assert "尚未开奖" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有这个已开奖的抽奖"):
        call_command("lottery", "verify", str(lottery.pk))


@pytest.mark.django_db
def test_demo_lottery_verifies_with_no_database_and_names_a_changed_byte(settings, tmp_path, demo_day):
    """The demo's results phase: a lottery drawn with a public value, published, then checked by
    `wenming lottery verify --from-published` in a process whose database cannot open."""
    from wenming.testing.browser import demo_site

    demo_site(settings, "results")
    lottery = Lottery.objects.get()
    assert lottery.public_value and lottery.public_value_by_id != lottery.public_value_first_by_id
    assert services.verify_lottery(lottery)
    out = tmp_path / "published"
    call_command("lottery", "publish", str(out))
    def run():
        return verify_without_database("lottery", out, tmp_path)

    passed = run()
    assert passed.returncode == 0, passed.stderr
    assert "核验通过" in passed.stdout
    data = bytearray((out / "entrants.txt").read_bytes())
    data[17 * 5 + 3] = ord("0") if data[17 * 5 + 3] != ord("0") else ord("1")  # in line 6's id
    (out / "entrants.txt").write_bytes(bytes(data))
    failed = run()
    assert failed.returncode != 0
    assert "entrants.txt" in failed.stderr and "核验未通过" in failed.stderr


def test_only_the_office_may_run_a_lottery_and_a_refusal_writes_nothing(voted, office, haizhou_officer):
    campaign, _ = voted
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    with pytest.raises(PermissionDenied, match="只有评选工作办公室可以组织抽奖"):
        commit(lottery, haizhou_officer)
    lottery.refresh_from_db()
    assert lottery.committed_at is None and not lottery.entrants.exists() and not lottery.seed
    commit(lottery, office)
    with time_machine.travel("2019-12-10 21:40 +0800", tick=False):
        with pytest.raises(PermissionDenied):
            services.enter_public_value(lottery, actor=haizhou_officer, value=VALUE)
        with pytest.raises(PermissionDenied):
            services.draw_lottery(lottery, actor=haizhou_officer)
    with pytest.raises(PermissionDenied):
        services.create_lottery(campaign, name="再抽", prize="x", winners_count=1, actor=haizhou_officer)
    assert not AuditEntry.objects.filter(actor=haizhou_officer).exists()


def test_a_second_commit_is_refused_and_keeps_the_first_entrants(voted, office):
    campaign, _ = voted
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    first = commit(lottery, office)
    entrants = set(first.entrants.values_list("pseudonym", flat=True))
    with pytest.raises(Conflict, match="抽奖名单已公布"):
        commit(lottery, office)
    lottery.refresh_from_db()
    assert (lottery.seed, lottery.entrants_hash) == (first.seed, first.entrants_hash)
    assert set(lottery.entrants.values_list("pseudonym", flat=True)) == entrants
    assert AuditEntry.objects.filter(action="voting.lottery.committed").count() == 1


def test_a_delivery_is_logged_once_and_only_for_a_winner(voted, office, office2):
    campaign, _ = voted
    lottery = drawn(campaign, office, office2, winners_count=1)
    winner = lottery.entrants.get(rank=1)
    services.record_delivery(winner, actor=office, note="到账")
    with pytest.raises(Conflict, match="已登记发放"):
        services.record_delivery(winner, actor=office)
    with pytest.raises(Conflict, match="未中奖"):
        services.record_delivery(lottery.entrants.filter(rank__isnull=True).first(), actor=office)
    assert AuditEntry.objects.filter(action="voting.lottery.delivered").count() == 1
