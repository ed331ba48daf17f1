"""Publicity's back-office pages. The office: news (with photos) and the materials library
(通稿). Companies: download a material and record where they posted it. The office and each
district: the posting records per company, as a table and in Excel."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core import files, kept_uploads
from wenming.core.access import get_in_scope, role_required
from wenming.core.excel import build_workbook, caption_for, xlsx_response
from wenming.core.pages import REFUSALS, refusal_on_form, refused
from wenming.core.roles import Role
from wenming.publicity import forms, services
from wenming.publicity.models import Posting
from wenming.registry.models import Community

STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)


def _news_context(request, form, news):
    return {"form": form, "news": news, "photos": news.photos.all() if news else [],
            "kept": form.photos.tokens, "kept_for": "photos", "kept_cover": form.cover.tokens,
            "published": news is not None and services.is_published(news)}


# --- news ----------------------------------------------------------------------------------------------

@require_GET
@role_required(Role.OFFICE)
def news_list(request):
    campaign = current_campaign(or_404=True)
    items = campaign.news.select_related("author").prefetch_related("photos")
    return render(request, "publicity/news_list.html", {"items": items, "now": timezone.now()})


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def news_edit(request, pk=None):
    campaign = current_campaign(or_404=True)
    news = get_in_scope(campaign.news.all(), pk) if pk else None
    initial = {}
    if news is not None:
        initial = {"title": news.title, "summary": news.summary, "body": news.body, "byline": news.byline,
                   "published_at": news.published_at}
    form = forms.NewsForm(request.POST if request.method == "POST" else None, request.FILES or None,
                          campaign=campaign, news=news, initial=initial,
                          owner=kept_uploads.owner_of(request, create=request.method == "POST"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            covers = form.cover.files()
            try:
                saved = services.save_news(campaign, form.text(), actor=request.user, news=news,
                                           cover=covers[0] if covers else None, photos=form.photos.files())
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
            else:
                form.saved()
                messages.success(request, "新闻已保存" + ("并发布" if services.is_published(saved) else "（草稿）"))
                return redirect("publicity:news_edit", saved.pk)
        form.keep()
    return render(request, "publicity/news_form.html", _news_context(request, form, news), status=status)


@require_POST
@role_required(Role.OFFICE)
def news_photo_remove(request, pk, photo_pk):
    campaign = current_campaign(or_404=True)
    news = get_in_scope(campaign.news.all(), pk)
    photo = get_in_scope(news.photos.all(), photo_pk)
    back = reverse("publicity:news_edit", args=[news.pk])
    try:
        services.remove_news_photo(photo, actor=request.user)
    except REFUSALS as exc:
        return refused(request, exc, back)
    messages.success(request, "图片已删除")
    return redirect(back)


@require_POST
@role_required(Role.OFFICE)
def news_unpublish(request, pk):
    campaign = current_campaign(or_404=True)
    news = get_in_scope(campaign.news.all(), pk)
    back = reverse("publicity:news_edit", args=[news.pk])
    try:
        services.unpublish_news(news, actor=request.user)
    except REFUSALS as exc:
        return refused(request, exc, back)
    messages.success(request, "新闻已撤回为草稿，公开页不再显示")
    return redirect(back)


@require_GET
@role_required(Role.OFFICE)
def news_photo(request, pk, photo_pk, variant=""):
    """The office's view of a photo, drafts included (the public one serves published news only)."""
    campaign = current_campaign(or_404=True)
    news = get_in_scope(campaign.news.all(), pk)
    photo = get_in_scope(news.photos.all(), photo_pk)
    field = photo.thumbnail if variant == "thumb" and photo.thumbnail else photo.file
    response = files.deliver(field.name, content_type="image/jpeg", storage=field.storage)
    response["Cache-Control"] = files.PRIVATE
    return response


# --- materials (通稿) -----------------------------------------------------------------------------------

def _library(request, campaign, *, form=None, status=200):
    user = request.user
    materials = services.materials_for(campaign, user)
    posted = {}
    if user.role == Role.COMPANY:
        for p in Posting.objects.filter(campaign=campaign, company_id=user.company_id).values_list("material_id",
                                                                                                    flat=True):
            posted[p] = posted.get(p, 0) + 1
    return render(request, "publicity/material_list.html", {
        "materials": materials, "form": form or (forms.MaterialForm() if user.role == Role.OFFICE else None),
        "is_office": user.role == Role.OFFICE or user.is_superuser, "is_company": user.role == Role.COMPANY,
        "posted": posted}, status=status)


@require_GET
@role_required(*STAFF)
def material_list(request):
    return _library(request, current_campaign(or_404=True))


@require_POST
@role_required(Role.OFFICE)
def material_new(request):
    campaign = current_campaign(or_404=True)
    form = forms.MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _library(request, campaign, form=form, status=400)
    data = form.cleaned_data
    try:
        material = services.add_material(campaign, actor=request.user, title=data["title"].strip(),
                                         description=data["description"].strip(), clean=form.clean_upload)
    except REFUSALS as exc:
        return _library(request, campaign, form=form, status=refusal_on_form(form, exc))
    messages.success(request, f"已上传通稿“{material.title}”")
    return redirect("publicity:materials")


def _own_communities(user):
    return Community.objects.filter(company_id=user.company_id).order_by("name")


def _material_page(request, campaign, material, *, form=None, status=200):
    user = request.user
    is_company = user.role == Role.COMPANY
    if is_company and form is None:
        form = forms.PostingForm(campaign=campaign, communities=_own_communities(user))
    postings = services.postings_for(campaign, user).filter(material=material)
    return render(request, "publicity/material_detail.html", {
        "material": material, "form": form, "is_company": is_company, "postings": postings,
        "kept": form.photo.tokens if form is not None else [], "kept_for": "photo"}, status=status)


@never_cache
@require_GET
@role_required(*STAFF)
def material_detail(request, pk):
    campaign = current_campaign(or_404=True)
    material = get_in_scope(services.materials_for(campaign, request.user), pk)
    return _material_page(request, campaign, material)


@require_GET
@role_required(*STAFF)
def material_file(request, pk):
    """The material itself, to staff only: never cached by anyone on the way."""
    campaign = current_campaign(or_404=True)
    material = get_in_scope(services.materials_for(campaign, request.user), pk)
    response = files.deliver(material.file.name, content_type=material.content_type, storage=material.file.storage,
                             download_name=material.title)
    response["Cache-Control"] = files.PRIVATE
    return response


@require_POST
@role_required(Role.COMPANY)
def posting_new(request, pk):
    campaign = current_campaign(or_404=True)
    material = get_in_scope(services.materials_for(campaign, request.user), pk)
    form = forms.PostingForm(request.POST, request.FILES or None, campaign=campaign,
                             communities=_own_communities(request.user), owner=kept_uploads.owner_of(request))
    status = 400
    if form.is_valid():
        photos = form.photo.files()
        try:
            services.record_posting(campaign, material, form.text(), actor=request.user,
                                    photo=photos[0] if photos else None)
        except REFUSALS as exc:
            status = refusal_on_form(form, exc)
        else:
            form.photo.saved()
            messages.success(request, "发布记录已登记")
            return redirect("publicity:material_detail", material.pk)
    form.photo.keep()
    return _material_page(request, campaign, material, form=form, status=status)


# --- posting records ---------------------------------------------------------------------------------------

def _postings(request, campaign):
    return services.postings_for(campaign, request.user)


@require_GET
@role_required(*STAFF)
def postings(request):
    campaign = current_campaign(or_404=True)
    visible = _postings(request, campaign)
    company = request.GET.get("company", "")[:12]
    rows = visible.filter(company_id=int(company)) if company.isdigit() else visible
    return render(request, "publicity/postings.html", {
        "summary": services.by_company(visible), "rows": rows[:500], "company": company,
        "is_company": request.user.role == Role.COMPANY})


def _scope_name(user):
    if user.role == Role.DISTRICT and user.district_id:
        return user.district.name
    if user.role == Role.COMPANY and user.company_id:
        return user.company.name
    return "全市"


@require_GET
@role_required(*STAFF)
def postings_export(request):
    campaign = current_campaign(or_404=True)
    visible = _postings(request, campaign)
    summary = [[r["district"].name, r["company"].name, r["records"], r["materials"], r["channels"]]
               for r in services.by_company(visible)]
    content = build_workbook([
        ("按企业汇总", ["所在区", "物业服务企业", "发布记录（条）", "已发布通稿（种）", "发布渠道"], summary),
        ("发布记录", services.EXPORT_HEADERS, list(services.export_rows(visible, campaign))),
    ], caption=caption_for(campaign, _scope_name(request.user)))
    return xlsx_response("宣传通稿发布记录.xlsx", content)


@require_GET
@role_required(*STAFF)
def posting_photo(request, pk, variant=""):
    campaign = current_campaign(or_404=True)
    posting = get_in_scope(_postings(request, campaign).exclude(photo=""), pk)
    field = posting.thumbnail if variant == "thumb" and posting.thumbnail else posting.photo
    response = files.deliver(field.name, content_type="image/jpeg", storage=field.storage)
    response["Cache-Control"] = files.PRIVATE
    return response


@require_POST
@role_required(Role.COMPANY)
def posting_remove(request, pk):
    campaign = current_campaign(or_404=True)
    posting = get_in_scope(_postings(request, campaign), pk)
    back = reverse("publicity:material_detail", args=[posting.material_id])
    try:
        services.remove_posting(posting, actor=request.user)
    except REFUSALS as exc:
        return refused(request, exc, back)
    messages.success(request, "发布记录已删除")
    return redirect(back)
