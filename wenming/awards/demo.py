"""Demo applications, built through the real services so every record is one the app
could have made: candidates for all three awards with generated photos and stories, and
applications left at every step of the chain. Nothing is copied from anywhere."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from wenming.awards import services
from wenming.awards.models import Application, Attachment, Channel, Showcase, Status
from wenming.core.fonts import cjk_font
from wenming.core.models import User
from wenming.core.roles import Role
from wenming.registry.models import Community, Staff

CANDIDATES_PER_AWARD = 12
FEATURES = ["垃圾分类定点投放，桶边有人值守", "楼道无堆物，消防通道全天畅通", "设置非机动车集中充电区，杜绝飞线充电",
            "建立志愿者服务站，每周开展便民维修", "公益广告精致美观，步行二百米可见七处", "“僵尸车”全部清理，机动车划线停放",
            "为独居老人建立帮扶台账，定期上门探访", "投诉有接待、有处理、有反馈、有回访"]
PERSON_DEEDS = ["坚守岗位，雨雪天气提前清扫主干道", "主动为独居老人代购生活用品", "连续三年零投诉",
                "深夜抢修爆裂水管，保障百户居民用水", "带头开展垃圾分类入户宣传", "拾金不昧，归还业主遗失财物"]


def photo(text, rng, size=(960, 720), name="photo.jpg"):
    """A generated picture: a sky-to-lawn gradient with a few buildings and a caption."""
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top, bottom = (rng.randint(90, 140), rng.randint(150, 200), 235), (rng.randint(60, 110), 160, 90)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    for i in range(rng.randint(3, 6)):
        x = 40 + i * (w - 80) // 6
        bh = rng.randint(h // 4, h // 2)
        draw.rectangle((x, h * 3 // 4 - bh, x + w // 8, h * 3 // 4), fill=(230, 225, 215), outline=(150, 140, 130))
        for wy in range(h * 3 // 4 - bh + 12, h * 3 // 4 - 12, 28):
            draw.rectangle((x + 10, wy, x + w // 8 - 10, wy + 12), fill=(150, 190, 220))
    draw.rectangle((0, h - 90, w, h), fill=(179, 38, 30))
    draw.text((w // 2, h - 45), text, font=cjk_font(40), fill=(255, 255, 255), anchor="mm")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def portrait(name, rng):
    img = Image.new("RGB", (413, 579), (66, 133, 244) if rng.random() < 0.5 else (220, 60, 50))
    draw = ImageDraw.Draw(img)
    draw.ellipse((126, 120, 286, 300), fill=(243, 215, 190))
    draw.rectangle((86, 320, 326, 579), fill=(40, 60, 90))
    draw.text((206, 540), name, font=cjk_font(34), fill=(255, 255, 255), anchor="mm")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return SimpleUploadedFile("portrait.jpg", out.getvalue(), content_type="image/jpeg")


def community_story(community, rng):
    picks = rng.sample(FEATURES, 4)
    return (f"{community.name}位于{community.district}{community.street or ''}，"
            f"{community.completed_on.year if community.completed_on else ''}年建成，共 {community.total_households} 户，"
            f"由{community.company}提供物业服务。活动开展以来，小区对照五大提升行动逐项整改：" + "；".join(picks)
            + "。居民满意度持续提升，邻里关系和睦，形成了共建共享的良好氛围。")


def person_story(staff, rng):
    deeds = rng.sample(PERSON_DEEDS, 3)
    return (f"{staff.name}同志自 {staff.entered_trade_on.year} 年起从事物业服务工作，现任{staff.company}"
            f"{staff.community or ''}{staff.get_post_display()}。工作中{'，'.join(deeds)}，"
            "服务意识强、有亲和力，受到公司和业主的一致认可。")


def _actor_for(company, office):
    user = User.objects.filter(role=Role.COMPANY, company=company, is_active=True).first()
    return (user, False) if user else (office, True)


def _start(campaign, award, office, rng, community=None, staff=None):
    company = (community or staff).company
    actor, on_behalf = _actor_for(company, office)
    channel = Channel.COMPANY if community else Channel.COMPANY_NOMINATION
    application = services.start_application(
        campaign, award, actor=actor, channel=channel, community=community, staff=staff,
        entered_by_office=on_behalf, intake_note="纸质申报表（演示数据）" if on_behalf else "")
    story = community_story(community, rng) if community else person_story(staff, rng)
    application.narrative = story
    application.applicant_opinion = "情况属实，同意申报。"
    if community:
        application.basic_info = (
            f"{community.address}；{community.completed_on or ''} 竣工；总户数 {community.total_households}，"
            f"入住 {community.occupied_households} 户；业主委员会：{community.owners_committee or '未成立'}")
        services.add_attachment(application, Attachment.Kind.GATE_PHOTO, photo(f"{community.name} 主大门", rng),
                                actor=actor)
        services.add_attachment(application, Attachment.Kind.ENVIRONMENT_PHOTO, photo(f"{community.name} 小区环境", rng),
                                actor=actor)
    else:
        application.portrait_consent = True
        application.position = "项目经理" if staff.post == "project_manager" else ""
        application.postcode = "222000"
        application.past_awards = "2018 年度公司优秀员工" if rng.random() < 0.5 else ""
        services.add_attachment(application, Attachment.Kind.PORTRAIT, portrait(staff.name, rng), actor=actor)
    application.save()
    return application, actor


def _advance(application, actor, office, rng, to):
    """Walk an application down the chain until it reaches status `to`."""
    if to == Status.DRAFT:
        return
    services.submit(application, actor=actor)
    for _ in range(3):
        application.refresh_from_db()
        if application.status == to:
            return
        stage = {Status.COMPANY_REVIEW: "company", Status.DISTRICT_REVIEW: "district",
                 Status.OFFICE_REVIEW: "office"}[application.status]
        reviewer = services.stage_users(application, stage)
        if not reviewer:
            return
        reviewer = reviewer[0]
        if to == Status.RETURNED:
            services.give_opinion(application, stage, "return", "请补充小区环境照片和业委会意见。", actor=reviewer)
            return
        if stage == "office":
            if to == Status.REJECTED:
                services.give_opinion(application, stage, "reject", "入户核实情况与申报材料不符。", actor=reviewer)
            elif to == Status.CANDIDATE:
                services.give_opinion(application, stage, "confirm", "材料齐全，确认为候选。", actor=reviewer)
            return
        scan = photo(f"{application.district} 盖章意见页", rng, size=(620, 877)) if stage == "district" else None
        services.give_opinion(application, stage, "approve", "经审核，情况属实，同意上报。", actor=reviewer, seal_scan=scan)


def build(campaign, rng=None):
    """Build the demo applications (once). The clock must be inside the apply window."""
    if Application.objects.filter(campaign=campaign).exists():
        return
    rng = rng or random.Random(2019)
    office = User.objects.get(username="office")
    awards = {a.key: a for a in campaign.awards.all()}
    served = {u.district_id for u in User.objects.filter(role=Role.DISTRICT)}
    communities = [c for c in Community.objects.filter(district_id__in=served).select_related("company", "district",
                                                                                                "street")
                   if not services.eligibility.refusals(Application(campaign=campaign, award=awards["model_community"],
                                                                    community=c, company=c.company))]
    rng.shuffle(communities)
    plan = [Status.CANDIDATE] * CANDIDATES_PER_AWARD + [Status.DRAFT, Status.DISTRICT_REVIEW, Status.OFFICE_REVIEW,
                                                       Status.RETURNED, Status.REJECTED]
    for community, status in zip(communities, plan):
        application, actor = _start(campaign, awards["model_community"], office, rng, community=community)
        _advance(application, actor, office, rng, status)
    for key in ("model_worker", "model_manager"):
        posts = awards[key].eligibility["posts"]
        people = list(Staff.objects.filter(post__in=posts, community__district_id__in=served)
                      .select_related("company", "community"))
        rng.shuffle(people)
        for staff, status in zip(people, plan):
            application, actor = _start(campaign, awards[key], office, rng, staff=staff)
            _advance(application, actor, office, rng, status)
    # A second arrival of a community already applied for: merged, never listed twice.
    first = Application.objects.filter(award=awards["model_community"], status=Status.CANDIDATE).first()
    services.start_application(campaign, awards["model_community"], actor=office, channel=Channel.OWNERS_COMMITTEE,
                               community=first.community, applicant_name=f"{first.community.name}业主委员会",
                               entered_by_office=True, intake_note="邮件推荐（演示数据）")


def publish_all(campaign):
    office = User.objects.get(username="office")
    rng = random.Random(1001)
    for showcase in Showcase.objects.filter(application__campaign=campaign, published_at__isnull=True):
        if not showcase.application.attachments.filter(kind=Attachment.Kind.SHOWCASE_PHOTO).exists():
            # The office's own on-site picture (实地取景) for the public page.
            services.add_showcase_photo(showcase, photo(f"{showcase.title[:14]} 实地取景", rng, size=(720, 540)),
                                        actor=office)
        services.set_published(showcase, True, actor=office)
