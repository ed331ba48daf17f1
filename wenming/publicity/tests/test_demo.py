import pytest

from wenming.publicity.models import Material, NewsItem, Posting

pytestmark = pytest.mark.django_db


def test_the_demo_has_news_with_photos_materials_and_posting_records(client, demo_day):
    from wenming.demo import build_demo

    build_demo(phase="voting", today=demo_day, with_awards=False)
    from django.utils import timezone

    now = timezone.now()  # demo_day's clock
    published = NewsItem.objects.filter(published_at__lte=now)
    assert published.count() == 3 and all(n.photos.count() == 2 for n in published)
    assert NewsItem.objects.filter(published_at__isnull=True).exists()
    assert {m.content_type.split("/")[0] for m in Material.objects.all()} == {"application", "image"}
    postings = Posting.objects.all()
    assert postings.count() == 5 and postings.exclude(photo="").exists()
    assert all(p.material.uploaded_at.date() <= p.posted_on <= now.date() for p in postings)
    page = client.get("/news/").content.decode()
    assert "活动启动" in page and "草稿" not in page
    from wenming.core.models import User

    client.force_login(User.objects.get(username="haizhou"))
    assert "小区" in client.get("/publicity/postings/").content.decode()
