import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wenming.awards import services
from wenming.awards.models import Attachment
from wenming.registry.models import Post
from wenming.testing.factories import make_staff

APPLY_DAY = "2019-09-20 10:00 +0800"
REVIEW_DAY = "2019-10-20 10:00 +0800"
NARRATIVE = "小区坚持垃圾分类定点投放，楼道整洁无堆物，设立志愿者服务站，开展孤寡老人帮扶活动。" * 4


def jpeg(name="photo.jpg", size=(320, 240), gps=False, color=(200, 60, 40)):
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (34.0, 36.0, 0.0), 3: "E", 4: (119.0, 13.0, 0.0)})
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def apply_time():
    with time_machine.travel(APPLY_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def community_award(campaign):
    return campaign.awards.get(key="model_community")


@pytest.fixture
def worker_award(campaign):
    return campaign.awards.get(key="model_worker")


@pytest.fixture
def manager_award(campaign):
    return campaign.awards.get(key="model_manager")


def fill_community(application, actor):
    """Everything 附件1 asks for, so the application can be submitted."""
    application.basic_info = "海州区示例路 1 号，2010 年建成，500 户。"
    application.narrative = NARRATIVE
    application.applicant_opinion = "同意申报。"
    application.save()
    services.add_attachment(application, Attachment.Kind.GATE_PHOTO, jpeg("gate.jpg"), actor=actor)
    services.add_attachment(application, Attachment.Kind.ENVIRONMENT_PHOTO, jpeg("env.jpg"), actor=actor)
    return application


def fill_person(application, actor, self_staff_id=None):
    application.narrative = NARRATIVE
    application.applicant_opinion = "同意推荐。"
    application.portrait_consent = True
    application.position = application.position or "项目经理"
    application.postcode = "222000"
    application.save()
    services.add_attachment(application, Attachment.Kind.PORTRAIT, jpeg("me.jpg", (200, 280)), actor=actor,
                            self_staff_id=self_staff_id)
    return application


@pytest.fixture
def community_application(world, company_a, community_award, apply_time):
    application = services.start_application(community_award.campaign, community_award, actor=company_a,
                                             channel="company", community=world.community_a)
    return fill_community(application, company_a)


@pytest.fixture
def veteran(world):
    """A cleaner of company A, eight years in the trade."""
    return make_staff(name="王师傅", community=world.community_a, post=Post.CLEANING, phone="13912340000",
                      entered_trade_on=datetime.date(2011, 6, 1))
