"""A GET-only crawl of the site as one visitor: what a person would read on every page.

The crawl follows same-site links from start pages plus every argument-free route of the URLconf,
samples a few pages per URL pattern (detail pages of many records look alike), and records 5xx
answers and the visible text of each HTML page."""

import re
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

# Paths a crawl must not GET: state changes are POST-only, but logging out through a link would end
# the session; the admin is for superusers; the API and media have their own tests.
SKIP_PREFIXES = ("/logout/", "/django-admin/", "/api/", "/media/", "/static/", "/wechat/")
# Attributes whose value a person reads (or hears from a screen reader).
SHOWN_ATTRS = {"title", "placeholder", "alt", "aria-label", "aria-description"}
SKIP_TAGS = {"script", "style", "template", "noscript"}


class _TextAndLinks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks, self.links, self.images, self._skip = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIP_TAGS:
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        for name in SHOWN_ATTRS & attrs.keys():
            self.chunks.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def visible_text_and_links(html):
    text, links, _ = text_links_and_images(html)
    return text, links


def text_links_and_images(html):
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    text = re.sub(r"\s+", " ", " ".join(parser.chunks)).strip()
    return text, parser.links, parser.images


def entry_urls():
    """Every route of the URLconf that takes no argument (so none is forgotten by the links)."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" not in route and not route.startswith("^") and "(?P" not in route:
                    found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return [u for u in dict.fromkeys(found) if not u.startswith(SKIP_PREFIXES)]


def _pattern_key(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


class Page:
    __slots__ = ("content_type", "disposition", "image", "referrer", "route", "seconds", "status", "text", "url")

    def __init__(self, url, route, status, text, content_type, disposition, referrer, seconds=0.0, image=False):
        self.url, self.route, self.status, self.text = url, route, status, text
        self.content_type, self.disposition, self.referrer, self.seconds = content_type, disposition, referrer, seconds
        self.image = image  # an <img> of the referring page: it must load


IMAGES_PER_PAGE = 2  # the first pictures of each page are fetched: every photo shown must load


def crawl(client, starts, *, per_pattern=2, budget=400, downloaded=None):
    """GET pages breadth first from `starts`; at most `per_pattern` pages per URL route and `budget`
    pages in all. Routes that answered a download (PDF, Excel, image) are put in `downloaded` and not
    fetched again by a later crawl sharing the set: rendering a PDF is slow and its name does not
    change with the phase. Returns the pages seen, in order."""
    seen, pages, fetched = set(), [], 0
    per = Counter()
    downloaded = set() if downloaded is None else downloaded
    queue = deque((url, None) for url in starts)
    while queue and fetched < budget:
        url, referrer = queue.popleft()
        url = urldefrag(url)[0]
        parts = urlsplit(url)
        if (parts.scheme and parts.scheme not in ("http", "https")) or parts.netloc not in ("", "testserver"):
            continue
        path = unquote(parts.path)
        if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
            continue
        target = path + (f"?{parts.query}" if parts.query else "")
        if target in seen:
            continue
        seen.add(target)
        key = _pattern_key(path)
        if key is None:
            pages.append(Page(target, None, 404, "", "", "", referrer))
            continue
        # Query strings (filters, pages) count against their route too, so a long list's pages
        # do not crowd out the rest.
        if per[key] >= per_pattern or key in downloaded:
            continue
        per[key] += 1
        fetched += 1
        started = time.perf_counter()
        response = client.get(target, follow=False)
        seconds = time.perf_counter() - started
        ctype = response.get("Content-Type", "")
        if response.status_code == 200 and "text/html" not in ctype:
            downloaded.add(key)
        text, links, images = "", [], []
        if "text/html" in ctype and not getattr(response, "streaming", False):
            text, links, images = text_links_and_images(response.content.decode())
        if response.status_code in (301, 302, 303, 307, 308):
            links = [response["Location"]]
        pages.append(Page(target, key, response.status_code, text, ctype, response.get("Content-Disposition", ""),
                          referrer, seconds))
        for link in links:
            queue.append((urljoin("http://testserver" + target, link), target))
        pages += _images(client, target, images, seen)
    return pages


def _images(client, target, images, seen):
    """The first pictures of a page (same site, not static files), each fetched once."""
    checked = []
    for src in images:
        parts = urlsplit(urljoin("http://testserver" + target, src))
        path = unquote(parts.path)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver" or path.startswith("/static/"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=False)
        checked.append(Page(url, "<img>", response.status_code, "", response.get("Content-Type", ""), "", target,
                            image=True))
        if len(checked) >= IMAGES_PER_PAGE:
            break
    return checked
