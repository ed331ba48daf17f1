"""Public pages: the showcase (cached, never stale: the cache key carries a version that
every publication change bumps), QR posters, published media, the sitemap, residents'
recommendations and self-nomination. Nothing unpublished is reachable here: every lookup
goes through `services.published()`."""


from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from wenming.awards import services
from wenming.awards.forms import AwardChoiceForm, RecommendationForm
from wenming.awards.models import Attachment, Status
from wenming.awards.views import SELF_SESSION_KEY, serve_file
from wenming.campaigns.services import current_campaign
from wenming.core import cache, kept_uploads
from wenming.core.access import get_in_scope
from wenming.core.identity.phone_step import phone_step
from wenming.core.pages import REFUSALS, refusal
from wenming.core.posters import qr_poster
from wenming.core.share import share_page
from wenming.registry.models import Staff

PAGE_SIZE = 20
CACHE_SECONDS = 300


def _cached(key, build):
    """Serve from the cache before touching the database. Every publication change bumps the
    version in the key, so a hit is never stale; `build` may raise Http404 (not cached)."""
    full_key = f"showcase:{services.showcase_version()}:{key}"
    return HttpResponse(cache.get_or_build(full_key, lambda: build().encode(), CACHE_SECONDS))


@require_GET
def showcase_list(request):
    award = request.GET.get("award", "")[:40]
    district = request.GET.get("district", "")[:12]
    q = request.GET.get("q", "").strip()[:30]
    page_number = request.GET.get("page", "1")[:6]

    def build():
        campaign = current_campaign(or_404=True)
        items = services.published(campaign).order_by("application__award__sort_order", "application__district__sort_order",
                                             "title")
        if award:
            items = items.filter(application__award__key=award)
        if district.isdigit():
            items = items.filter(application__district_id=int(district))
        if q:
            items = items.filter(Q(title__icontains=q) | Q(application__company__name__icontains=q))
        page = Paginator(items, PAGE_SIZE).get_page(page_number)
        thumbs = {a.application_id: a for a in Attachment.objects.filter(
            application__in=[s.application_id for s in page], kind__in=services.PUBLIC_KINDS,
            content_type__startswith="image/").order_by("created_at")}
        return render_to_string("awards/public/showcase_list.html", {
            "campaign": campaign, "page": page, "award": award, "district": district, "q": q,
            "awards": campaign.awards.all(), "districts": campaign.districts.all(),
            "thumbs": thumbs,
        })

    return _cached(f"list:{award}:{district}:{q}:{page_number}", build)


@share_page
@require_GET
def showcase_detail(request, pk):
    def build():
        showcase = services.published_or_404(pk)
        media = services.public_media(showcase)
        image = next((m for m in media if m.is_image), None)
        application = showcase.application
        return render_to_string("awards/public/showcase_detail.html", {
            "showcase": showcase, "application": application, "media": media,
            "share_url": request.build_absolute_uri(reverse("showcase:detail", args=[showcase.pk])),
            "share_desc": f"“{application.award.name}”候选 · {application.district} · {application.company}",
            "share_image": request.build_absolute_uri(reverse("showcase:media_variant", args=[
                showcase.pk, image.pk, "thumb"])) if image else "",
        })

    return _cached(f"detail:{str(pk)[:20]}:{request.get_host()}", build)


@require_GET
def showcase_poster(request, pk):
    """A shareable PNG: the candidate's name and award with a QR code to its page, where
    residents vote."""
    showcase = services.published_or_404(pk)
    url = request.build_absolute_uri(reverse("showcase:detail", args=[showcase.pk]))
    key = f"showcase:{services.showcase_version()}:poster:{showcase.pk}:{url}"
    png = cache.get_or_build(key, lambda: _poster_png(showcase, url), CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(False, f"投票海报-{showcase.pk}.png")
    return response


def _poster_png(showcase, url):
    application = showcase.application
    campaign = application.campaign
    return qr_poster(url, theme=campaign.theme or campaign.name, kicker=f"“{application.award.name}”候选",
                     title=showcase.title, subtitle=f"{application.district} · {application.company}",
                     call="微信扫码，查看并为TA投票", organiser=campaign.organiser)


@require_GET
def showcase_media(request, pk, attachment_pk, variant=""):
    showcase = services.published_or_404(pk)
    attachment = get_in_scope(services.public_media(showcase), attachment_pk)
    response = serve_file(attachment, thumbnail=variant == "thumb")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def sitemap(request):
    urls = [request.build_absolute_uri(reverse("showcase:list"))]
    campaign = current_campaign()
    if campaign is not None:
        urls += [request.build_absolute_uri(reverse("showcase:detail", args=[s.pk])) for s in services.published(campaign)]
    body = render_to_string("awards/public/sitemap.xml", {"urls": urls})
    return HttpResponse(body, content_type="application/xml")


# --- phone-verified public forms ---------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def recommend(request):
    campaign = current_campaign(or_404=True)
    resident, response = phone_step(request, campaign, "recommend", heading="推荐文明示范小区：验证手机号")
    if response is not None:
        return response
    form = RecommendationForm(request.POST if request.POST.get("step") == "recommend" else None,
                              request.FILES or None, campaign=campaign, owner=kept_uploads.owner_of(request))
    status = 200
    if request.method == "POST" and request.POST.get("step") == "recommend":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                recommendation, created = services.recommend(
                    campaign, resident, district=data["district"],
                    community=data.get("community"), community_name=data.get("community_name", ""),
                    reason=data["reason"], photos=form.photos.files())
            except REFUSALS as exc:
                status, text = refusal(exc)
                form.add_error(None, text)
            else:
                form.photos.saved()
                return render(request, "awards/public/recommend_done.html", {"recommendation": recommendation,
                                                                             "created": created})
        form.photos.keep()  # each accepted photo stored once, shown again as kept
    return render(request, "awards/public/recommend.html", {"form": form, "campaign": campaign,
                                                            "kept": form.photos.tokens, "kept_for": "photos"},
                  status=status)


@require_http_methods(["GET", "POST"])
def self_nomination(request):
    """个人自荐: the person proves the phone number the registry holds for them, then opens
    their own draft and edits it like any applicant."""
    campaign = current_campaign(or_404=True)
    resident, response = phone_step(request, campaign, "self_nomination", heading="个人自荐：验证手机号")
    if response is not None:
        return response
    people = Staff.objects.filter(phone=resident.phone).select_related("company", "community")
    if len(people) != 1:
        return render(request, "awards/public/self_nomination.html", {
            "campaign": campaign, "no_match": True}, status=404 if not people else 409)
    staff = people[0]
    request.session[SELF_SESSION_KEY] = staff.pk
    existing = staff.applications.filter(campaign=campaign, channel="self_nomination").exclude(
        status__in=[Status.WITHDRAWN, Status.MERGED]).first()
    if existing:
        return redirect("awards:detail", pk=existing.pk)
    awards = [a for a in campaign.awards.filter(subject="staff") if staff.post in (a.eligibility.get("posts") or [])]
    status = 200
    if request.method == "POST" and request.POST.get("step") == "start":
        choice = AwardChoiceForm(request.POST, awards=awards)
        key = choice.cleaned_data["award"] if choice.is_valid() else None
        award = next((a for a in awards if a.key == key), None)
        if award is None:
            messages.error(request, "请选择奖项")
            status = 400
        else:
            try:
                application = services.start_self_nomination(campaign, award, staff, resident.phone)
            except REFUSALS as exc:
                status, text = refusal(exc)
                messages.error(request, text)
            else:
                return redirect("awards:detail", pk=application.pk)
    return render(request, "awards/public/self_nomination.html",
                  {"campaign": campaign, "staff": staff, "awards": awards}, status=status)
