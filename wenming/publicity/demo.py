"""Demo publicity: news with photos (published through the phases so far, one draft, one due
tomorrow), three approved materials (a PDF, a Word document, a poster image) and posting records
by company1 and company2 and a few other companies, some with a photo of the notice board.

Everything goes through the real services (the uploads through the real checks); a material is
then dated back to the campaign's start, as other demos date their past, so postings can fall on
the days since."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wenming.core.demo_photos import picture
from wenming.core.models import User
from wenming.core.uploads import clean_image
from wenming.publicity import services
from wenming.publicity.models import Material
from wenming.registry.models import Community

NEWS = [
    ("“物业管理文明创建百日大提升”活动启动", "启动仪式召开，市委、市政府领导共同启动活动。",
     "全市“物业管理文明创建百日大提升”活动启动仪式今天召开。活动开展环境卫生、文明宣传、设施设备、服务质量、"
     "志愿服务五大提升行动，以及文明示范小区、最美物业人、创文优秀物管小区负责人和物业行业红黑榜四大系列评选。"
     "\n\n欢迎关注“港城物管”微信公众号，了解活动进展。", "building"),
    ("各区部署文明宣传提升行动", "小区宣传内容一律使用连云港文明网通稿。",
     "各区住（规）建局召开部署会，要求物业服务企业利用小区电子屏、宣传栏等载体宣传创文工作，"
     "宣传内容、公益广告、标语均使用连云港文明网通稿，不得自行设计；步行 200 米看到至少 5 处宣传内容。", "clean"),
    ("文明示范小区申报推荐开始", "小区申报表请于 10 月 10 日前报属地区物业管理主管部门。",
     "文明示范小区可采取自愿申报和公众推荐两种形式。居民可关注“港城物管”微信公众号，进入本次活动评选专题推荐小区。",
     "site"),
]
MATERIALS = [
    ("社会主义核心价值观公益广告（展板）", "A1 展板，张贴于小区出入口和主干道两侧", "pdf"),
    ("连云港市文明行为20条", "宣传栏、楼道张贴；可转发业主微信群", "docx"),
    ("倡导关爱未成年人 孝老爱亲（海报）", "楼道、电梯厅张贴", "image"),
]
PLACES = {"notice_board": ["小区东门公告栏", "3 号楼大堂宣传栏", "物业服务中心门前展板"],
          "wechat_group": ["业主交流群", "楼栋管家群"], "official_account": ["企业公众号推文《共建文明小区》"],
          "other": ["小区电子屏滚动播放"]}


def _pdf(title):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("material.pdf", out.getvalue())


def _docx(title):
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for line in ("文明出行，礼让斑马线", "垃圾分类，从我做起", "邻里和谐，守望相助", "节俭养德，光盘行动"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("material.docx", out.getvalue())


def _photo(caption, rng, scene="building"):
    return clean_image(picture(caption, rng, scene=scene, size=(640, 480)), max_bytes=10 * 1024 * 1024)


def build(campaign):
    if campaign.news.exists() or campaign.materials.exists():
        return
    rng = random.Random(2019)
    office = User.objects.get(username="office")
    now = timezone.now()
    start = campaign.starts_at
    for index, (title, summary, body, scene) in enumerate(NEWS):
        published_at = min(start + datetime.timedelta(days=3 * index, hours=10), now - datetime.timedelta(hours=1))
        services.save_news(campaign, services.NewsText(title=title, summary=summary, body=body, byline="港城物管",
                                                       published_at=published_at), actor=office,
                           cover=_photo(title[:12], rng, scene), photos=[_photo("活动现场", rng, "site")])
    services.save_news(campaign, services.NewsText(
        title="明日：文明宣传现场观摩会", summary="观摩优秀小区宣传阵地", body="明日上午在海州区组织文明宣传现场观摩会。",
        byline="港城物管", published_at=now + datetime.timedelta(days=1)), actor=office,
        cover=_photo("观摩会", rng, "clean"))
    services.save_news(campaign, services.NewsText(title="（草稿）百日大提升阶段小结", summary="", body="待补充",
                                                   byline="", published_at=None), actor=office,
                       cover=_photo("草稿", rng))
    makers = {"pdf": _pdf, "docx": _docx, "image": lambda t: picture(t[:12], rng, scene="clean", size=(600, 800))}
    materials = []
    for title, description, kind in MATERIALS:
        material = services.add_material(campaign, actor=office, title=title, description=description,
                                         clean=services.clean_material(makers[kind](title)))
        materials.append(material)
    Material.objects.filter(pk__in=[m.pk for m in materials]).update(uploaded_at=start)
    for material in materials:
        material.refresh_from_db()
    _postings(campaign, materials, rng)


def _postings(campaign, materials, rng):
    today = timezone.localdate(timezone.now(), campaign.tz)
    first = timezone.localdate(campaign.starts_at, campaign.tz)
    span = max((today - first).days, 0)
    accounts = list(User.objects.filter(username__in=["company1", "company2"]).order_by("username"))
    for account in accounts:
        communities = list(Community.objects.filter(company_id=account.company_id).order_by("pk")[:2])
        for index, material in enumerate(materials[: 3 if account.username == "company1" else 2]):
            channel = ["notice_board", "wechat_group", "official_account", "notice_board"][index % 4]
            community = communities[index % len(communities)] if communities and channel == "notice_board" else None
            photo = _photo("公告栏张贴", rng, "clean") if channel == "notice_board" else None
            services.record_posting(campaign, material, services.PostingText(
                channel=channel, place=rng.choice(PLACES[channel]),
                posted_on=first + datetime.timedelta(days=rng.randint(0, span)), community=community),
                actor=account, photo=photo)
