import datetime
import io

import pytest
import time_machine
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wenming.core import kept_uploads
from wenming.core.uploads import UploadRejected


def jpeg(colour="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_kept_photo_comes_back_cleaned_for_its_owner_only():
    photos = kept_uploads.take_photos([jpeg()], [], owner="alice", max_bytes=10**6, limit=3)
    assert not photos.errors and len(photos.new) == 1
    [token] = photos.keep()
    back = kept_uploads.load(token, "alice")
    assert back.content_type == "image/jpeg" and back.content.read()[:2] == b"\xff\xd8"
    assert back.sha256 == photos.kept[0][1].sha256
    with pytest.raises(UploadRejected, match="已失效"):
        kept_uploads.load(token, "bob")


def test_a_token_the_signer_did_not_issue_is_never_read(settings):
    default_storage.save("pending/x.jpg", io.BytesIO(b"\xff\xd8 not ours"))
    default_storage.save("secret.txt", io.BytesIO(b"private"))
    forged = [signing.dumps({"f": "pending/x.jpg", "o": "alice"}, salt="another salt"),
              signing.dumps({"f": "secret.txt", "o": "alice"}, salt=kept_uploads.SALT),  # outside pending/
              "pending/x.jpg", "", "a:b:c"]
    for token in forged:
        with pytest.raises(UploadRejected):
            kept_uploads.load(token, "alice")
    photos = kept_uploads.take_photos([], forged[:1], owner="alice", max_bytes=10**6, limit=3)
    assert photos.errors == ["已保留的照片已失效，请重新选择"] and photos.kept == []


def test_a_token_expires_and_stale_pending_files_are_swept():
    with time_machine.travel("2026-01-01 10:00 +0800", tick=False):
        [token] = kept_uploads.take_photos([jpeg()], [], owner="alice", max_bytes=10**6, limit=3).keep()
    with time_machine.travel("2026-01-03 10:00 +0800", tick=False), pytest.raises(UploadRejected):
        kept_uploads.load(token, "alice")
    assert len(default_storage.listdir("pending")[1]) == 2  # the photo and its thumbnail
    assert kept_uploads.sweep(older_than=datetime.timedelta(0)) == 2
    assert default_storage.listdir("pending")[1] == []


def test_refused_photos_are_named_and_the_others_still_taken():
    bad = SimpleUploadedFile("letter.jpg", b"<html>", content_type="image/jpeg")
    photos = kept_uploads.take_photos([jpeg(), bad], [], owner="alice", max_bytes=10**6, limit=3)
    assert len(photos.new) == 1 and len(photos.errors) == 1 and photos.errors[0].startswith("letter.jpg：")
    many = kept_uploads.take_photos([jpeg(), jpeg(), jpeg()], [], owner="alice", max_bytes=10**6, limit=2)
    assert many.errors == ["照片最多 2 张"]
