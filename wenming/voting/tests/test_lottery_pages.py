import re
import subprocess
import sys
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from wenming.core.models import AuditEntry, Resident
from wenming.core.roles import Role
from wenming.testing.factories import make_user
from wenming.voting import published_lottery, services
from wenming.voting.models import Lottery, Vote

VALUE = "03 09 14 21 27 30 + 11"


@pytest.fixture
def voters(campaign, candidates):
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for i in range(6):
            r = Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                        consented_at="2019-11-01T00:00Z")
            services.cast_vote(campaign.pk, r.pk, candidates[0].pk, ip=f"10.0.{i}.1")


def test_the_office_commits_enters_the_value_twice_draws_and_logs_delivery(
        client, voters, campaign, office, haizhou_officer, django_capture_on_commit_callbacks):
    office2 = make_user("office2", role=Role.OFFICE)
    client.force_login(haizhou_officer)
    assert client.get(reverse("voting_office:lotteries")).status_code == 403
    client.force_login(office)
    assert client.post(reverse("voting_office:lotteries"), {"name": "", "prize": "x", "winners_count": 0}).status_code == 400
    client.post(reverse("voting_office:lotteries"), {"name": "投票抽奖", "prize": "话费", "winners_count": 2})
    lottery = Lottery.objects.get()
    url = reverse("voting_office:lottery", args=[lottery.pk])
    client.force_login(haizhou_officer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"act": "commit", "public_source": "双色球", "public_date": "2029-12-10"}).status_code == 403
    client.force_login(office)
    assert client.get(url.replace(f"/{lottery.pk}/", "/999/")).status_code == 404
    assert client.put(url).status_code == 405
    with time_machine.travel("2019-12-06 10:00 +0800", tick=True):
        client.post(url, {"act": "draw"})  # not committed yet: refused
        lottery.refresh_from_db()
        assert lottery.drawn_at is None
        refused = client.post(url, {"act": "commit", "public_source": "双色球 当日开奖号码", "public_date": "2019-12-06"})
        assert refused.status_code == 400
        assert "须是今天之后" in refused.text and 'value="双色球 当日开奖号码"' in refused.text
        assert client.post(url, {"act": "commit", "public_source": "", "public_date": "12/10"}).status_code == 400
        lottery.refresh_from_db()
        assert lottery.committed_at is None and not lottery.entrants.exists()
        done = client.post(url, {"act": "commit", "public_source": "中国福利彩票双色球 2019年12月10日 开奖号码",
                                 "public_date": "2019-12-10"}, follow=True)
        assert "参与名单已锁定" in done.text
    with time_machine.travel("2019-12-10 21:40 +0800", tick=True):
        client.post(url, {"act": "value", "value": VALUE})
        page = client.get(url).text
        assert "您已录入" in page and VALUE not in page  # the first entry is never shown
        client.force_login(office2)
        mismatch = client.post(url, {"act": "value", "value": "03 09 14 21 27 31 + 11"})
        assert mismatch.status_code == 400 and "不一致" in mismatch.text
        assert 'value="03 09 14 21 27 31 + 11"' in mismatch.text
        lottery.refresh_from_db()
        assert lottery.public_value == ""
        assert client.post(url, {"act": "value", "value": ""}).status_code == 400
        confirmed = client.post(url, {"act": "value", "value": VALUE}, follow=True)
        assert "公开数值已确认" in confirmed.text
        with django_capture_on_commit_callbacks(execute=True):
            drawn = client.post(url, {"act": "draw"}, follow=True)
        assert "已开奖" in drawn.text
        lottery.refresh_from_db()
        assert lottery.drawn_at and services.verify_lottery(lottery)
        page = client.get(url).text
        assert "尾号" in page and "13900000" not in page and "已短信通知" in page
        winner = lottery.entrants.filter(rank=1).get()
        client.post(url, {"act": "deliver", "entrant": winner.pk, "note": "充值到账"})
        winner.refresh_from_db()
        assert winner.delivered_at is not None
    assert AuditEntry.objects.filter(action="voting.lottery.delivered").count() == 1
    assert AuditEntry.objects.filter(action="voting.lottery.value_confirmed", actor=office2).count() == 1


@pytest.fixture
def drawn_lottery(voters, campaign, office):
    office2 = make_user("office2", role=Role.OFFICE)
    lottery = Lottery.objects.create(campaign=campaign, name="投票居民抽奖", prize="话费 20 元", winners_count=2)
    with time_machine.travel("2019-12-06 10:00 +0800", tick=False):
        lottery = services.commit_lottery(lottery, actor=office, public_source="中国福利彩票双色球 2019年12月10日 开奖号码",
                                          public_date=services.datetime.date(2019, 12, 10))
    with time_machine.travel("2019-12-10 21:40 +0800", tick=False):
        services.enter_public_value(lottery, actor=office, value=VALUE)
        services.enter_public_value(lottery, actor=office2, value=VALUE)
        return services.draw_lottery(lottery, actor=office)


def test_the_public_page_shows_the_figures_and_its_rerun_lines_name_the_winners(client, drawn_lottery, tmp_path):
    lottery = drawn_lottery
    assert client.get(reverse("voting:lotteries")).status_code == 200
    page = client.get(reverse("voting:lottery", args=[lottery.pk])).text
    for shown in (lottery.seed_commitment, lottery.entrants_hash, lottery.seed, lottery.draw_seed, VALUE,
                  "中国福利彩票双色球 2019年12月10日 开奖号码"):
        assert shown in page
    assert "139****0000" in page or "****" in page
    assert "13900000000" not in page
    # The few lines the page offers, run on the two downloads as the browser saves them, name the winners.
    for name, args in (("voting:lottery_entrants", [lottery.pk]), ("voting:lottery_json", [lottery.pk]),
                       ("voting:lottery_rerun", [])):
        assert reverse(name, args=args) in page
        download = client.get(reverse(name, args=args))
        shown = unquote(re.search(r"filename\*=UTF-8''(.+)$", download["Content-Disposition"]).group(1))
        (tmp_path / shown).write_bytes(download.content)
    lines = (tmp_path / "抽奖复核.py").read_text(encoding="utf-8")
    assert lines == published_lottery.RERUN
    out = subprocess.run([sys.executable, "抽奖复核.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    winners = list(lottery.entrants.filter(rank__isnull=False).order_by("rank").values_list("pseudonym", flat=True))
    assert out.stdout.strip() == repr(winners)
    assert client.post(reverse("voting:lottery", args=[lottery.pk])).status_code == 405
    assert client.get(reverse("voting:lottery", args=["999"])).status_code == 404


def test_an_uncommitted_lottery_is_not_public(client, campaign):
    lottery = Lottery.objects.create(campaign=campaign, name="投票居民抽奖", prize="话费 20 元", winners_count=2)
    for name in ("voting:lottery", "voting:lottery_entrants", "voting:lottery_json"):
        assert client.get(reverse(name, args=[lottery.pk])).status_code == 404


def test_a_voter_finds_their_entry_by_receipt(client, drawn_lottery):
    lottery = drawn_lottery
    url = reverse("voting:lottery", args=[lottery.pk])
    assert client.get(url, {"receipt": "xyz"}).status_code == 400
    missing = client.get(url, {"receipt": "0" * 32})
    assert missing.status_code == 404 and "没有这个回执" in missing.text
    winner = lottery.entrants.filter(rank=1).get()
    vote = Vote.objects.filter(voter=winner.voter).first()
    found = client.get(url, {"receipt": vote.receipt.upper()}, follow=True)
    assert found.redirect_chain[0][0].endswith(f"/vote/receipt/{vote.receipt}/#lottery")
    assert winner.pseudonym in found.text and "中奖（第 1 名" in found.text
    loser = lottery.entrants.filter(rank__isnull=True).first()
    text = client.get(reverse("voting:receipt", args=[Vote.objects.filter(voter=loser.voter).first().receipt])).text
    assert loser.pseudonym in text and "未中奖" in text


def test_the_public_docs_give_the_same_rerun_lines():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "voting.md").read_text(encoding="utf-8")
    assert published_lottery.RERUN in docs


def test_a_second_commit_and_a_second_delivery_answer_409(client, drawn_lottery, office):
    lottery = drawn_lottery
    url = reverse("voting_office:lottery", args=[lottery.pk])
    client.force_login(office)
    again = client.post(url, {"act": "commit", "public_source": "双色球", "public_date": "2029-12-10"})
    assert again.status_code == 409  # the commit form is gone once committed; the refusal is the status
    winner = lottery.entrants.filter(rank=1).get()
    assert client.post(url, {"act": "deliver", "entrant": winner.pk, "note": "到账"}).status_code == 302
    twice = client.post(url, {"act": "deliver", "entrant": winner.pk, "note": "到账"})
    assert twice.status_code == 302
    assert [str(m) for m in get_messages(twice.wsgi_request)][-1] == "已登记发放"
