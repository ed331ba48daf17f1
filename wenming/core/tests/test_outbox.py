from django.urls import reverse

from wenming.core.identity.sms import FileOutboxBackend, get_backend


def test_codes_go_to_the_outbox_file_as_json_lines(settings):
    get_backend().send_code("13800138000", "123456")
    import json

    line = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[0])
    assert line["phone"] == "13800138000" and line["code"] == "123456" and line["sent_at"]


def test_the_outbox_page_exists_only_in_demo_mode(client, db, settings):
    FileOutboxBackend().send_code("13800138000", "654321")
    settings.DEMO_MODE = False
    assert client.get(reverse("core:demo_outbox")).status_code == 404
    settings.DEMO_MODE = True
    response = client.get(reverse("core:demo_outbox"))
    assert "654321" in response.text and "138****8000" in response.text and "13800138000" not in response.text
