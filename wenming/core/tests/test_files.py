"""The access-checked file view: a rule registered per kind decides; everyone else gets 404."""

import datetime
import io

import pytest
import time_machine
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from wenming.core import files
from wenming.core.roles import Role
from wenming.testing import factories as f

pytestmark = pytest.mark.django_db


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def stored(settings):
    """A private and a public kind registered as an app would, with one stored file each."""
    private = default_storage.save("tests/private.png", ContentFile(png_bytes()))
    public = default_storage.save("tests/public.png", ContentFile(png_bytes()))
    pdf = default_storage.save("tests/scan.pdf", ContentFile(b"%PDF-1.4 test"))
    owners = {private: {"owner": "alice"}, pdf: {"owner": "alice"}, public: {"owner": "nobody"}}
    files.register("test.private", owner=owners.get, allow=lambda request, o: request.user.username == o["owner"])
    files.register("test.public", owner=owners.get, allow=lambda request, o: False, public=lambda o: True)
    yield {"private": private, "public": public, "pdf": pdf}
    files._RULES.pop("test.private", None)
    files._RULES.pop("test.public", None)


@pytest.fixture
def alice(db):
    return f.make_user("alice", role=Role.EXPERT)


@pytest.fixture
def bob(db):
    return f.make_user("bob", role=Role.EXPERT)


def test_the_owner_sees_the_photo_privately_and_the_outsider_gets_404(client, stored, alice, bob):
    url = files.file_url("test.private", stored["private"])
    assert url.startswith("/files/")
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"] == "inline"

    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_a_forged_expired_or_foreign_token_is_404(client, stored, alice):
    client.force_login(alice)
    token = files.token_for("test.private", stored["private"])
    assert client.get(f"/files/{token[:-2]}xx/").status_code == 404
    other_salt = signing.dumps(["test.private", stored["private"]], salt="another.purpose", compress=True)
    assert client.get(f"/files/{other_salt}/").status_code == 404
    unknown = files.token_for("nobody.kind", stored["private"])
    assert client.get(f"/files/{unknown}/").status_code == 404
    missing = files.token_for("test.private", "tests/never-stored.png")
    assert client.get(f"/files/{missing}/").status_code == 404
    assert client.get("/files/not-a-token/").status_code == 404
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=13)):
        assert client.get(f"/files/{token}/").status_code == 404  # links last 12 hours


def test_only_get_and_head(stored, alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a browser: no CSRF refusal in the way of the 405
    client.force_login(alice)
    url = files.file_url("test.private", stored["private"])
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert client.head(url).status_code == 200


def test_a_published_file_is_public_and_cacheable(client, stored):
    response = client.get(files.file_url("test.public", stored["public"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_pdf_downloads_instead_of_opening_in_the_page(client, stored, alice):
    client.force_login(alice)
    response = client.get(files.file_url("test.private", stored["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_x_accel_hands_the_file_to_nginx(client, stored, alice, settings):
    settings.WENMING_FILE_SENDER = "x-accel"
    settings.WENMING_FILE_ACCEL_PREFIX = "/protected-media/"
    client.force_login(alice)
    response = client.get(files.file_url("test.private", stored["private"]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored["private"]
    assert response["Content-Type"] == "image/png"
    assert response.content == b""
    assert response["Cache-Control"] == "private, no-store"


def test_x_sendfile_names_the_absolute_path(client, stored, alice, settings):
    settings.WENMING_FILE_SENDER = "x-sendfile"
    client.force_login(alice)
    response = client.get(files.file_url("test.private", stored["private"]))
    assert response.status_code == 200
    assert response["X-Sendfile"] == str(settings.MEDIA_ROOT / stored["private"])
    assert response.content == b""


def test_x_accel_is_refused_for_an_outsider_before_nginx_is_asked(client, stored, bob, settings):
    settings.WENMING_FILE_SENDER = "x-accel"
    client.force_login(bob)
    response = client.get(files.file_url("test.private", stored["private"]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_media_url_serves_nothing(client, stored, alice):
    client.force_login(alice)
    assert client.get("/media/" + stored["private"]).status_code == 404
