import pytest
import time_machine
from django.core.management import CommandError, call_command

from wenming.core.models import Resident
from wenming.voting import services
from wenming.voting.models import BoardEntry, Vote


def cast_many(campaign, candidates, resident, n=3):
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for candidate in candidates[:n]:
            services.cast_vote(campaign.pk, resident.pk, candidate.pk)


def test_the_board_is_a_hash_chain_that_verify_accepts(client, candidates, resident, capsys):
    campaign = candidates[0].application.campaign
    cast_many(campaign, candidates, resident)
    body = client.get("/api/v1/votes/board").json()
    assert [item["index"] for item in body["items"]] == [1, 2, 3] and body["count"] == 3
    assert body["head"] == body["items"][-1]["hash"]
    assert "phone" not in str(body) and resident.phone not in str(body)
    page = client.get("/api/v1/votes/board", {"after": 2}).json()
    assert [item["index"] for item in page["items"]] == [3]
    call_command("votes", "verify")
    assert "核验通过：3 条公开记录" in capsys.readouterr().out


def test_verify_names_the_first_broken_index_after_a_row_is_altered(candidates, resident):
    campaign = candidates[0].application.campaign
    cast_many(campaign, candidates, resident)
    services.sequence_board()
    second = BoardEntry.objects.get(index=2).vote
    Vote.objects.filter(pk=second.pk).update(candidate=candidates[4])  # someone edits the database
    with pytest.raises(CommandError, match="第 2 条处断开"):
        call_command("votes", "verify")


def test_verify_catches_a_tampered_counter(candidates, resident):
    from django.db.models import F

    from wenming.voting.models import TallyShard

    campaign = candidates[0].application.campaign
    cast_many(campaign, candidates, resident)
    TallyShard.objects.filter(candidate=candidates[0]).update(counted=F("counted") + 100)
    with pytest.raises(CommandError, match="票数与公开记录不一致"):
        call_command("votes", "verify")
    services.rebuild_tally()
    call_command("votes", "verify")


def test_new_votes_extend_the_chain_from_its_head(candidates, resident):
    campaign = candidates[0].application.campaign
    cast_many(campaign, candidates, resident, n=2)
    services.sequence_board()
    other = Resident.objects.create(phone="13700137000", consent_version="2019.1", consented_at=resident.consented_at)
    cast_many(campaign, candidates, other, n=2)
    assert services.sequence_board() == 2
    assert services.verify_board() == (4, None)
