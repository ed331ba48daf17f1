"""Uploaded files: checked by content (never by name or declared type), size-limited,
images re-encoded (EXIF, GPS and any trailing payload dropped) with a thumbnail, videos
checked by container signature. Files get server-generated names.

`UploadRejected.status` is 413 for a file over its limit and 400 (invalid) otherwise."""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Refuse decompression bombs well before Pillow's own default.
Image.MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
THUMBNAIL_SIZE = (480, 480)
MAX_EDGE = 3000


class UploadRejected(Exception):
    def __init__(self, message, status=400):
        self.status = status
        super().__init__(message)


@dataclass
class CleanFile:
    content: ContentFile
    thumbnail: ContentFile | None
    content_type: str
    size: int
    sha256: str
    width: int = 0
    height: int = 0


def _check_size(uploaded, max_bytes, label):
    if uploaded.size > max_bytes:
        raise UploadRejected(
            f"{label}过大（{uploaded.size / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB", status=413
        )


def clean_image(uploaded, *, max_bytes, label="图片"):
    """Decode the image, re-encode it as JPEG without metadata, and make a thumbnail."""
    _check_size(uploaded, max_bytes, label)
    data = uploaded.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in IMAGE_FORMATS:
            raise UploadRejected(f"{label}格式不受支持，请上传 JPG 或 PNG 图片")
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the phone meant
            img = img.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected(f"文件不是有效的{label}，请上传 JPG 或 PNG 图片") from None
    img.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    thumb = img.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    body = out.getvalue()
    return CleanFile(
        content=ContentFile(body, name=f"{uuid.uuid4().hex}.jpg"),
        thumbnail=ContentFile(thumb_out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"),
        content_type="image/jpeg", size=len(body), sha256=hashlib.sha256(body).hexdigest(),
        width=img.width, height=img.height,
    )


def video_container(head: bytes):
    """MP4/MOV (an ISO base media `ftyp` box first) or WebM/Matroska (EBML magic)."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        return ("video/quicktime", "mov") if brand == b"qt  " else ("video/mp4", "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm", "webm"
    return None


def clean_video(uploaded, *, max_bytes, label="视频"):
    _check_size(uploaded, max_bytes, label)
    head = uploaded.read(16)
    kind = video_container(head)
    if kind is None:
        raise UploadRejected(f"文件不是有效的{label}，请上传 MP4 或 MOV 格式")
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    content = ContentFile(uploaded.read(), name=f"{uuid.uuid4().hex}.{kind[1]}")
    return CleanFile(content=content, thumbnail=None, content_type=kind[0], size=uploaded.size,
                     sha256=digest.hexdigest())
