"""A resident's recommendation photos survive any error on the page: each accepted photo is
stored once (re-encoded) as pending, shown again as kept, and sent with the corrected form."""

import re

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wenming.awards.models import Attachment, Recommendation
from wenming.awards.tests.conftest import APPLY_DAY, jpeg
from wenming.awards.tests.test_recommendations import PHONE, outbox_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(client, settings, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        client.post("/recommend/", {"step": "send", "phone": PHONE})
        client.post("/recommend/", {"step": "verify", "phone": PHONE, "code": outbox_code(settings), "consent": "on"})
    return client


def kept_tokens(page):
    return re.findall(r'name="kept" value="([^"]+)" checked', page)


@time_machine.travel(APPLY_DAY, tick=False)
def test_photos_survive_a_validation_error_and_are_sent_once_with_the_corrected_form(
        verified, world, django_capture_on_commit_callbacks):
    form = {"step": "recommend", "district": world.lianyun.pk, "community": world.community_b.pk}
    response = verified.post("/recommend/", {**form, "reason": "太短", "photos": [jpeg("a.jpg", gps=True),
                                                                                jpeg("b.jpg")]})
    page = response.content.decode()
    assert response.status_code == 400 and "推荐理由请至少写 10 个字" in page
    assert "已保留 2 张照片，无需重新选择" in page and "太短</textarea>" in page
    tokens = kept_tokens(page)
    assert len(tokens) == 2 and not Recommendation.objects.exists() and not Attachment.objects.exists()
    shown = verified.get(f"/uploads/kept/{tokens[0]}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "private" in shown["Cache-Control"]
    # a second error (no community chosen) keeps them again, without storing them twice
    pending = len(default_storage.listdir("pending")[1])
    again = verified.post("/recommend/", {**form, "community": "", "reason": "邻里和谐，志愿服务活动多。", "kept": tokens})
    assert again.status_code == 400 and kept_tokens(again.content.decode()) == tokens
    assert len(default_storage.listdir("pending")[1]) == pending
    # one more photo chosen now beside the two kept, one kept photo dropped
    with django_capture_on_commit_callbacks(execute=True):
        done = verified.post("/recommend/", {**form, "reason": "邻里和谐，志愿服务活动多。", "kept": tokens[:1],
                                             "photos": [jpeg("c.jpg")]})
    assert done.status_code == 200 and "推荐已提交" in done.content.decode()
    recommendation = Recommendation.objects.get()
    photos = list(recommendation.attachments.all())
    assert len(photos) == 2 and all(p.content_type == "image/jpeg" for p in photos)
    with default_storage.open(photos[0].file.name) as f, Image.open(f) as img:
        assert not img.getexif()  # re-encoded: the camera and GPS data are gone
    assert verified.get(f"/uploads/kept/{tokens[0]}/").status_code == 404  # the pending copy is removed


@time_machine.travel(APPLY_DAY, tick=False)
def test_a_bad_file_is_named_the_good_photo_beside_it_is_kept(verified, world):
    fake = SimpleUploadedFile("letter.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = verified.post("/recommend/", {"step": "recommend", "district": world.lianyun.pk,
                                             "community": world.community_b.pk, "reason": "邻里和谐，志愿服务活动多。",
                                             "photos": [jpeg("a.jpg"), fake]})
    page = response.content.decode()
    assert response.status_code == 400 and "letter.jpg：文件不是有效的照片" in page
    assert len(kept_tokens(page)) == 1 and not Recommendation.objects.exists()


@time_machine.travel(APPLY_DAY, tick=False)
def test_a_token_from_elsewhere_is_refused_and_never_read(verified, world):
    from django.core import signing
    from django.test import Client

    from wenming.core import kept_uploads

    default_storage.save("pending/theirs.jpg", jpeg("x.jpg"))
    forged = signing.dumps({"f": "pending/theirs.jpg", "t": "", "o": "someone"}, salt=kept_uploads.SALT)
    response = verified.post("/recommend/", {"step": "recommend", "district": world.lianyun.pk,
                                             "community": world.community_b.pk, "reason": "邻里和谐，志愿服务活动多。",
                                             "kept": [forged, "not-a-token"]})
    assert response.status_code == 400 and "已保留的照片已失效，请重新选择" in response.content.decode()
    assert not Recommendation.objects.exists()
    # a kept photo is shown to its own browser only
    page = verified.post("/recommend/", {"step": "recommend", "district": world.lianyun.pk, "reason": "短",
                                         "photos": [jpeg()]}).content.decode()
    [token] = kept_tokens(page)
    from django.contrib.sessions.models import Session

    sessions = Session.objects.count()
    assert Client().get(f"/uploads/kept/{token}/").status_code == 404
    assert Session.objects.count() == sessions  # a GET makes no session
    assert verified.post(f"/uploads/kept/{token}/").status_code == 405
