"""Uploaded files: checked by content (never by name or declared type), size-limited,
images re-encoded (EXIF, GPS and any trailing payload dropped) with a thumbnail, videos
checked by container signature. Files get server-generated names.

An `UploadRejected` refusal's code is `too_large` for a file over its limit and `bad_upload`
otherwise (answered 413, and 400 on a page or 422 in the API: wenming.core.refusals)."""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from PIL import Image, ImageOps, UnidentifiedImageError

from wenming.core.errors import DomainError

# Refuse decompression bombs well before Pillow's own default.
Image.MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
THUMBNAIL_SIZE = (480, 480)
MAX_EDGE = 3000


class UploadRejected(DomainError):
    code = "bad_upload"


@dataclass
class CleanFile:
    content: File
    thumbnail: ContentFile | None
    content_type: str
    size: int
    sha256: str
    width: int = 0
    height: int = 0


def _check_size(uploaded, max_bytes, label):
    if uploaded.size > max_bytes:
        raise UploadRejected(
            f"{label}过大（{uploaded.size / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB", code="too_large"
        )


def clean_image(uploaded, *, max_bytes, label="图片"):
    """Decode the image, re-encode it as JPEG without metadata, and make a thumbnail."""
    _check_size(uploaded, max_bytes, label)
    data = uploaded.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            fmt = probe.format
            width, height = probe.size
            if width * height > Image.MAX_IMAGE_PIXELS:  # Pillow itself refuses only above twice this
                raise UploadRejected(f"{label}尺寸过大（{width}×{height} 像素），上限为 "
                                     f"{Image.MAX_IMAGE_PIXELS // 1_000_000} 百万像素", code="too_large")
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
    # Handed to the storage as the uploaded file itself (on disk above Django's memory
    # threshold), copied in chunks: a video is never read whole into memory.
    content = File(uploaded, name=f"{uuid.uuid4().hex}.{kind[1]}")
    return CleanFile(content=content, thumbnail=None, content_type=kind[0], size=uploaded.size,
                     sha256=digest.hexdigest())


# --- scans: PDF or image -------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"
PDF_MAX_PAGES = 50


def _pdf_problem(data, label):
    """None if `data` is a PDF that parses (header, cross-reference table, page tree, first
    page), else the Chinese reason. The check is by content: a renamed file fails here."""
    if not data.startswith(PDF_MAGIC):
        return f"文件不是有效的{label}，请上传 PDF 文件或 JPG、PNG 图片"
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return f"{label}的 PDF 已加密，请上传未加密的文件"
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 - touching the first page parses it
    except Exception:  # pypdf raises many kinds for a broken file; all mean "not a PDF"
        return f"文件不是有效的 PDF（{label}已损坏或并非 PDF），请重新扫描后上传"
    if pages == 0:
        return f"{label}的 PDF 没有页面，请重新扫描后上传"
    if pages > PDF_MAX_PAGES:
        return f"{label}的 PDF 页数过多（{pages} 页），上限为 {PDF_MAX_PAGES} 页"
    return None


def is_pdf(uploaded):
    """Whether the upload claims to be a PDF by its first bytes (never by name or type)."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(len(PDF_MAGIC))
    uploaded.seek(position)
    return head == PDF_MAGIC


def clean_pdf(uploaded, *, max_bytes, label="扫描件"):
    """A PDF kept as uploaded once it parses; it gets a server-generated name."""
    _check_size(uploaded, max_bytes, label)
    uploaded.seek(0)
    data = uploaded.read()
    problem = _pdf_problem(data, label)
    if problem:
        raise UploadRejected(problem)
    return CleanFile(content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), thumbnail=None,
                     content_type="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest())


def clean_scan(uploaded, *, max_bytes, label="扫描件"):
    """A stamped scan (盖章页): a PDF that parses, or an image re-encoded like any photo."""
    if is_pdf(uploaded):
        return clean_pdf(uploaded, max_bytes=max_bytes, label=label)
    uploaded.seek(0)
    try:
        return clean_image(uploaded, max_bytes=max_bytes, label=label)
    except UploadRejected as exc:
        if exc.code == "too_large":
            raise
        raise UploadRejected(f"文件不是有效的{label}，请上传 PDF 文件或 JPG、PNG 图片") from None


def check_scan(uploaded, *, label="扫描件"):
    """The form's check of a scan by content, so a disguised file is refused at its field
    (the service cleans it again with the campaign's size limit). Leaves the file rewound."""
    try:
        if is_pdf(uploaded):
            uploaded.seek(0)
            problem = _pdf_problem(uploaded.read(), label)
            if problem:
                raise UploadRejected(problem)
        else:
            clean_scan(uploaded, max_bytes=max(uploaded.size, 1), label=label)
    finally:
        uploaded.seek(0)
