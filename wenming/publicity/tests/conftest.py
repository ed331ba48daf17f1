"""Publicity fixtures: uploads made in memory (a photo, a PDF, a Word file, a disguised file),
a published and a draft news item, a material and a company's posting record."""

import datetime
import io
import random

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from wenming.core.demo_photos import picture
from wenming.publicity import services

NOW = "2019-09-10 10:00 +0800"  # the 宣传发动 phase of the Lianyungang preset
TZ = datetime.timezone(datetime.timedelta(hours=8))


def photo(caption="活动现场", seed=1):
    return picture(caption, random.Random(seed))


def pdf(name="通稿.pdf"):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def docx(name="通稿.docx"):
    from docx import Document

    document = Document()
    document.add_paragraph("践行社会主义核心价值观")
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def disguised(name="通稿.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")


def text(title="活动启动仪式举行", published_at=None, **overrides):
    values = {"title": title, "summary": "", "body": "“物业管理文明百日大提升”活动启动仪式今天举行。",
              "byline": "港城物管", "published_at": published_at} | overrides
    return services.NewsText(**values)


def clean(upload):
    from wenming.core.uploads import clean_image

    return clean_image(upload, max_bytes=10 * 1024 * 1024)


@pytest.fixture
def published(campaign, office, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.save_news(campaign, text(published_at=datetime.datetime(2019, 9, 8, 9, tzinfo=TZ)),
                                  actor=office, cover=clean(photo()), photos=[clean(photo("楼道", 2))])


@pytest.fixture
def draft(campaign, office, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.save_news(campaign, text("尚未发布的稿件"), actor=office, cover=clean(photo("草稿", 3)))


@pytest.fixture
def scheduled(campaign, office, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.save_news(campaign, text("明天发布的新闻", published_at=datetime.datetime(2019, 9, 11, 9, tzinfo=TZ)),
                                  actor=office, cover=clean(photo("明天", 4)))


@pytest.fixture
def material(campaign, office):
    with time_machine.travel("2019-09-08 09:00 +0800", tick=False):
        return services.add_material(campaign, actor=office, title="社会主义核心价值观公益广告", description="A3 张贴",
                                     clean=services.clean_material(pdf()))


@pytest.fixture
def posting(campaign, material, company_a, world):
    with time_machine.travel(NOW, tick=False):
        return services.record_posting(campaign, material, services.PostingText(
            channel="notice_board", place="3 号楼大堂公告栏", posted_on=datetime.date(2019, 9, 9),
            community=world.community_a), actor=company_a, photo=clean(photo("公告栏", 5)))
