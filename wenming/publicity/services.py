"""Publicity: every state change (news, photos, materials, posting records) and the queries the
pages, the export, the demo and the review panel share.

Public pages are cached whole (publicity.public); the cache key carries `version()`, which every
change that the public can see bumps after commit, so a cached page is never stale."""

import datetime
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wenming.core import audit, uploads, versions
from wenming.core.access import ensure_office
from wenming.core.roles import Role
from wenming.core.uploads import CleanFile, UploadRejected
from wenming.publicity.models import DOCX, Channel, Material, NewsItem, NewsPhoto, Posting

VERSION = "publicity"
NEWS_PHOTOS_MAX = 9
MATERIAL_MAX_BYTES = 20 * 1024 * 1024
NEWS_FIELDS = ["title", "summary", "body", "byline", "published_at"]
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")


def version():
    return versions.current(VERSION)


def _bump():
    transaction.on_commit(lambda: versions.bump(VERSION))


# --- news -------------------------------------------------------------------------------------------

def published_news(campaign, now=None):
    return campaign.news.published(now or timezone.now()).prefetch_related("photos")


def is_published(news, now=None):
    return news.published_at is not None and news.published_at <= (now or timezone.now())


@dataclass(frozen=True)
class NewsText:
    title: str
    summary: str
    body: str
    byline: str
    published_at: datetime.datetime | None


def _store_photo(news, clean, position):
    photo = NewsPhoto(news=news, position=position, width=clean.width, height=clean.height, sha256=clean.sha256)
    photo.file.save(clean.content.name, clean.content, save=False)
    if clean.thumbnail is not None:
        photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    photo.save()
    return photo


@transaction.atomic
def save_news(campaign, text: NewsText, *, actor, news=None, cover: CleanFile | None = None,
              photos: list[CleanFile] = ()):
    """Create a news item (a cover photo is required) or change one: a new cover replaces the
    old one; further photos are added after the others, up to NEWS_PHOTOS_MAX in all."""
    ensure_office(actor, "只有评选工作办公室可以编辑新闻")
    created = news is None
    if created and cover is None:
        raise ValidationError({"cover": "请上传封面图片"})
    old_cover = None if created else news.photos.filter(position=0).first()
    existing = 0 if created else news.photos.count() - (1 if cover is not None and old_cover else 0)
    if existing + len(photos) + (1 if cover is not None else 0) > NEWS_PHOTOS_MAX:
        raise ValidationError({"photos": f"图片最多 {NEWS_PHOTOS_MAX} 张（含封面）"})
    before = {} if created else audit.snapshot(news, NEWS_FIELDS)
    news = news or NewsItem(campaign=campaign, author=actor)
    for field, value in vars(text).items():
        setattr(news, field, value)
    news.save()
    if cover is not None:
        if old_cover is not None:
            _delete_photo(old_cover)
        _store_photo(news, cover, 0)
    start = (news.photos.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    for offset, clean in enumerate(photos):
        _store_photo(news, clean, start + offset)
    after = audit.snapshot(news, NEWS_FIELDS)
    files = {"cover": cover.sha256 if cover else None, "photos": [p.sha256 for p in photos]}
    if created:
        audit.record("publicity.news.created", actor=actor, target=news, after={**after, **files})
    else:
        old_values, new_values = audit.changed(before, after)
        audit.record("publicity.news.updated", actor=actor, target=news, before=old_values,
                     after={**new_values, **files})
    _bump()
    return news


def _delete_photo(photo):
    names = [(photo.file.storage, photo.file.name), (photo.thumbnail.storage, photo.thumbnail.name)]
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names if name])


@transaction.atomic
def remove_news_photo(photo, *, actor):
    ensure_office(actor, "只有评选工作办公室可以编辑新闻")
    if photo.position == 0:
        raise ValidationError("封面不能删除，请上传新的封面替换")
    news = photo.news
    audit.record("publicity.news.photo_removed", actor=actor, target=news, before={"photo": photo.pk,
                                                                                  "sha256": photo.sha256})
    _delete_photo(photo)
    _bump()


@transaction.atomic
def unpublish_news(news, *, actor):
    """Back to a draft: the public pages no longer show it."""
    ensure_office(actor, "只有评选工作办公室可以编辑新闻")
    if news.published_at is None:
        raise ValidationError("这条新闻尚未发布")
    before = {"published_at": news.published_at.isoformat()}
    news.published_at = None
    news.save(update_fields=["published_at", "updated_at"])
    audit.record("publicity.news.unpublished", actor=actor, target=news, before=before)
    _bump()


# --- materials (通稿) ----------------------------------------------------------------------------------

def _docx_problem(data):
    """None if `data` is a Word document (an OOXML package with a document part and no macros)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if not all(part in names for part in DOCX_PARTS):
                return "文件不是有效的 Word 文档（.docx）"
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return "Word 文档含有宏，请另存为不含宏的 .docx 后上传"
            if sum(info.file_size for info in package.infolist()) > 20 * MATERIAL_MAX_BYTES:
                return "Word 文档解压后过大"
            package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return "文件不是有效的 Word 文档（.docx）"
    return None


def clean_material(upload, *, max_bytes=MATERIAL_MAX_BYTES):
    """A material by its content: a PDF that parses, a .docx package, or an image (re-encoded).
    Raises UploadRejected with the Chinese reason."""
    if upload.size > max_bytes:
        raise UploadRejected(f"文件过大（{upload.size / 1048576:.1f} 兆字节），上限为 {max_bytes // 1048576} 兆字节",
                             code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(uploads.PDF_MAGIC):
        return uploads.clean_pdf(upload, max_bytes=max_bytes, label="通稿文件")
    if head.startswith(b"PK\x03\x04"):
        data = upload.read()
        problem = _docx_problem(data)
        if problem:
            raise UploadRejected(problem)
        return CleanFile(content=ContentFile(data, name=f"{uuid.uuid4().hex}.docx"), thumbnail=None,
                         content_type=DOCX, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    try:
        return uploads.clean_image(upload, max_bytes=max_bytes, label="通稿图片")
    except UploadRejected as exc:
        if exc.code == "too_large":
            raise
        raise UploadRejected("文件不是有效的 PDF、Word（.docx）文档或图片") from None


@transaction.atomic
def add_material(campaign, *, actor, title, description, clean: CleanFile):
    ensure_office(actor, "只有评选工作办公室可以上传宣传通稿")
    material = Material(campaign=campaign, title=title, description=description, content_type=clean.content_type,
                        size=clean.size, sha256=clean.sha256, uploaded_by=actor, uploaded_at=timezone.now())
    material.file.save(clean.content.name, clean.content, save=False)
    if clean.thumbnail is not None:
        material.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    material.save()
    audit.record("publicity.material.added", actor=actor, target=material,
                 after={"title": title, "kind": material.kind_label, "sha256": clean.sha256})
    return material


def materials_for(campaign, user):
    """The library: the office, district officers and companies all see every material."""
    if not (user.is_authenticated and (user.is_superuser or user.role in (Role.OFFICE, Role.DISTRICT, Role.COMPANY))):
        return Material.objects.none()
    return campaign.materials.all()


# --- posting records ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PostingText:
    channel: str
    place: str
    posted_on: datetime.date
    community: object = None


@transaction.atomic
def record_posting(campaign, material, text: PostingText, *, actor, photo: CleanFile | None = None):
    """A company records where it posted a material (the company and district are the actor's)."""
    if not (actor.is_authenticated and actor.role == Role.COMPANY and actor.company_id):
        raise PermissionDenied("只有物业服务企业可以登记发布记录")
    if material.campaign_id != campaign.pk:
        raise ValidationError("该通稿不属于本次活动")
    if text.channel not in Channel.values:
        raise ValidationError({"channel": "请选择发布渠道"})
    today = timezone.localdate(timezone.now(), campaign.tz)
    if text.posted_on > today:
        raise ValidationError({"posted_on": "发布日期不能晚于今天"})
    if text.posted_on < timezone.localdate(material.uploaded_at, campaign.tz):
        raise ValidationError({"posted_on": "发布日期不能早于通稿上传日期"})
    if text.community is not None and text.community.company_id != actor.company_id:
        raise ValidationError({"community": "只能选择本企业服务的小区"})
    company = actor.company
    posting = Posting(campaign=campaign, material=material, company=company, district_id=company.district_id,
                      community=text.community, channel=text.channel, place=text.place, posted_on=text.posted_on,
                      recorded_by=actor, recorded_at=timezone.now())
    if photo is not None:
        posting.photo.save(photo.content.name, photo.content, save=False)
        if photo.thumbnail is not None:
            posting.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
    posting.save()
    audit.record("publicity.posting.recorded", actor=actor, target=posting,
                 after={"material": material.title, "channel": text.channel, "place": text.place,
                        "posted_on": text.posted_on.isoformat(),
                        "community": text.community.name if text.community else "",
                        "photo": photo.sha256 if photo else None})
    return posting


@transaction.atomic
def remove_posting(posting, *, actor):
    if not (actor.role == Role.COMPANY and actor.company_id == posting.company_id):
        raise PermissionDenied("只能删除本企业的发布记录")
    audit.record("publicity.posting.removed", actor=actor, target=posting, before=audit.snapshot(posting))
    names = [(f.storage, f.name) for f in (posting.photo, posting.thumbnail) if f]
    posting.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def postings_for(campaign, user):
    return (Posting.objects.visible_to(user).filter(campaign=campaign)
            .select_related("material", "company", "district", "community"))


def by_company(postings):
    """Per company: (company, district, records, materials posted, channels used), most records first."""
    rows = {}
    for p in postings:
        row = rows.setdefault(p.company_id, {"company": p.company, "district": p.district, "records": 0,
                                             "materials": set(), "channels": set()})
        row["records"] += 1
        row["materials"].add(p.material_id)
        row["channels"].add(p.get_channel_display())
    return sorted(({**r, "materials": len(r["materials"]), "channels": "、".join(sorted(r["channels"]))}
                   for r in rows.values()), key=lambda r: (-r["records"], r["company"].name))


EXPORT_HEADERS = ["所在区", "物业服务企业", "通稿", "发布渠道", "小区", "位置或链接", "发布日期", "佐证照片",
                  "登记人", "登记时间"]


def export_rows(postings, campaign):
    for p in postings.order_by("district__sort_order", "company__name", "posted_on", "pk"):
        yield [p.district.name, p.company.name, p.material.title, p.get_channel_display(),
               p.community.name if p.community else "", p.place, p.posted_on.isoformat(), "有" if p.photo else "无",
               p.recorded_by.display_name or p.recorded_by.username,
               timezone.localtime(p.recorded_at, campaign.tz).strftime("%Y-%m-%d %H:%M")]


def review_panel(application, user):
    """Beside an application in review: the candidate company's posting records of the approved
    materials (evidence for the checklist's 文明宣传 items AD1–AD3 — seed 四(一)2: the content
    must be 连云港文明网 通稿). Shown to the office, experts and the application's district."""
    district_officer = user.role == Role.DISTRICT and user.district_id == application.district_id
    if not (user.is_superuser or user.role in (Role.OFFICE, Role.EXPERT) or district_officer):
        return None
    postings = Posting.objects.filter(campaign=application.campaign, company_id=application.company_id)
    if application.community_id:
        here = postings.filter(community_id=application.community_id).count()
    total = postings.count()
    materials = application.campaign.materials.count()
    if not materials:
        return None
    posted = postings.values("material").distinct().count()
    rows = [("已发布通稿（种）", f"{posted} / {materials}"), ("发布记录（条）", total)]
    if application.community_id:
        rows.append(("其中本小区（条）", here))
    rows.append(("有照片佐证（条）", postings.exclude(photo="").count()))
    return {"title": "宣传通稿发布情况", "rows": rows, "warning": not total}
