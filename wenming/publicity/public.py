"""Public pages: news with photos, the announcements, and `/m/`, the stable address for the
公众号's menu. Cached whole like the showcase (nothing here depends on the visitor); the key
carries `services.version()`, bumped by every change, and entries live a minute so an item
whose publication time arrives shows within a minute. Only published items are reachable."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from wenming.campaigns.services import current_campaign
from wenming.core import cache, files
from wenming.core.access import get_in_scope, parse_pk
from wenming.core.share import share_page
from wenming.publicity import services

PAGE_SIZE = 10
CACHE_SECONDS = 60


def _cached(key, build):
    """The minute is in the key, not only in the entry's lifetime: an item whose publication
    time arrives shows from the next minute on, whatever clock the cache keeps (Redis's own)."""
    minute = int(timezone.now().timestamp() // CACHE_SECONDS)
    full_key = f"publicity:{services.version()}:{minute}:{key}"
    return HttpResponse(cache.get_or_build(full_key, lambda: build().encode(), CACHE_SECONDS))


@require_GET
def entry(request):
    """The 公众号 menu's address, the same in every campaign: the current campaign's news (its
    public home when it has no news yet). A temporary redirect, so the target may change."""
    campaign = current_campaign()
    if campaign is not None and services.published_news(campaign).exists():
        return redirect("news:list")
    return redirect("home")


@require_GET
def news_list(request):
    page_number = request.GET.get("page", "1")[:6]

    def build():
        campaign = current_campaign(or_404=True)
        now = timezone.now()
        page = Paginator(services.published_news(campaign, now), PAGE_SIZE).get_page(page_number)
        announcements = campaign.announcements.filter(published_at__lte=now)[:3]
        return render_to_string("publicity/public/news_list.html", {
            "campaign": campaign, "page": page, "announcements": announcements})

    return _cached(f"news:{page_number}", build)


def _published_or_404(pk):
    campaign = current_campaign(or_404=True)
    return get_in_scope(services.published_news(campaign), pk)


@share_page
@require_GET
def news_detail(request, pk):
    def build():
        news = _published_or_404(pk)
        photos = list(news.photos.all())
        link = request.build_absolute_uri(reverse("news:detail", args=[news.pk]))
        image = request.build_absolute_uri(reverse("news:photo_variant", args=[news.pk, photos[0].pk, "thumb"])
                                           ) if photos else ""
        return render_to_string("publicity/public/news_detail.html", {
            "news": news, "cover": photos[0] if photos else None, "photos": photos[1:], "share_link": link,
            "share_image": image})

    return _cached(f"news-detail:{str(pk)[:20]}:{request.get_host()}", build)


@require_GET
def news_photo(request, pk, photo_pk, variant=""):
    news = _published_or_404(pk)
    photo = get_in_scope(news.photos.all(), photo_pk)
    field = photo.thumbnail if variant == "thumb" and photo.thumbnail else photo.file
    response = files.deliver(field.name, content_type="image/jpeg", storage=field.storage)
    response["Cache-Control"] = files.PUBLIC
    return response


@require_GET
def announcement_list(request):
    page_number = request.GET.get("page", "1")[:6]

    def build():
        campaign = current_campaign(or_404=True)
        items = campaign.announcements.filter(published_at__lte=timezone.now())
        return render_to_string("publicity/public/announcement_list.html", {
            "campaign": campaign, "page": Paginator(items, 20).get_page(page_number)})

    return _cached(f"announcements:{page_number}", build)


@require_GET
def announcement_detail(request, pk):
    parse_pk(pk)

    def build():
        campaign = current_campaign(or_404=True)
        announcement = get_in_scope(campaign.announcements.filter(published_at__lte=timezone.now()), pk)
        return render_to_string("publicity/public/announcement_detail.html", {"announcement": announcement})

    return _cached(f"announcement:{pk}", build)
