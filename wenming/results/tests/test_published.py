"""Published results re-checked from the downloadable files alone: `wenming results verify
--from-published DIR` in a process whose database cannot open, beside the vote board's files."""

import json

import pytest

from wenming.results import published, services
from wenming.results.models import Run
from wenming.testing.published import verify_without_database


@pytest.fixture
def bundle(settings, tmp_path, client):
    """The results demo (every award published, one corrected), its checkers' bundle downloaded
    from the public page's link and unpacked."""
    import io
    import zipfile

    import time_machine

    from wenming.testing.browser import demo_site

    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel("2026-11-26 10:00 +0800"):
        demo_site(settings, "results")
    assert 'href="/results/bundle.zip"' in client.get("/results/").text
    response = client.get("/results/bundle.zip")
    assert response.status_code == 200 and "filename*=utf-8''" in response["Content-Disposition"]
    out = tmp_path / "published"
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(out)
    assert {"board.csv", "tally.json", "rules.json", "核验说明.txt", "entrants.txt", "lottery.json"} <= {
        p.name for p in out.iterdir()}
    return out


def run_verify(out, tmp_path, what="results"):
    return verify_without_database(what, out, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_the_demos_results_verify_without_a_database_and_each_change_is_named(bundle, tmp_path):
    files = sorted((bundle / "results").glob("*.json"))
    assert len(files) == Run.objects.filter(state=Run.State.PUBLISHED).count() == 3
    passed = run_verify(bundle, tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.count("份评分表按公开的原始数据重算一致") == 3
    votes = run_verify(bundle, tmp_path, "votes")
    assert votes.returncode == 0 and "核验通过" in votes.stdout, votes.stderr
    lottery = run_verify(bundle, tmp_path, "lottery")
    assert lottery.returncode == 0 and "中奖编号" in lottery.stdout, lottery.stderr
    target = bundle / "results" / "model_worker.json"
    text = target.read_bytes()
    at = text.index(b'"total": "') + len(b'"total": "')  # the first sheet's total, one digit changed
    changed = bytearray(text)
    changed[at] = ord("1") if changed[at] != ord("1") else ord("2")
    target.write_bytes(bytes(changed))
    failed = run_verify(bundle, tmp_path)
    assert failed.returncode != 0
    assert "results/model_worker.json：" in failed.stderr and "评分表与按原始数据重算的不一致" in failed.stderr
    target.write_bytes(text)

    # Changed inputs, changed spacing, and a board that counts differently are each caught.
    target = bundle / "results" / "model_community.json"
    original = target.read_bytes()
    record = json.loads(original)
    record["inputs"]["candidates"][0]["votes"] += 1
    target.write_text(published.file_text(record), encoding="utf-8")
    with pytest.raises(published.Broken, match="原始数据与公布的数据摘要"):
        published.verify(bundle, services.compute_from)
    target.write_bytes(original.replace(b'\n "award"', b'\n  "award"', 1))
    with pytest.raises(published.Broken, match="文本与规定格式不符"):
        published.verify(bundle, services.compute_from)
    target.write_bytes(original)
    tally = json.loads((bundle / "tally.json").read_bytes())
    tally["candidates"][0]["counted"] += 1
    (bundle / "tally.json").write_text(json.dumps(tally, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with pytest.raises(published.Broken, match="与投票公开记录的"):
        published.verify(bundle, services.compute_from)


@pytest.mark.django_db
def test_only_the_office_rebuilds_the_bundle_by_post(client, campaign, office, haizhou_officer, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    assert client.get("/results/bundle.zip").status_code == 404  # none yet
    client.force_login(haizhou_officer)
    assert client.post("/results/office/bundle/").status_code == 403
    client.force_login(office)
    assert client.get("/results/office/bundle/").status_code == 405
    response = client.post("/results/office/bundle/", follow=True)
    assert "核验数据包已生成" in response.text
    client.logout()
    assert client.get("/results/bundle.zip").status_code == 200
