"""The back office's navigation as data: groups by area, each entry one line (label, URL name
and arguments, the roles that see it, and the view-name prefixes that mark it as the current
page). `menu(request)` gives what one signed-in user sees, the current entry marked;
`menu_html(shown)` renders it for base.html (a group of one visible entry shows as a plain
link). Both are on every back-office page, so the entries' addresses are reversed once per
process (per URLconf and script prefix) and the menu is rendered in Python, not by a template
include per link: together they were half of a cached dashboard page's time.

Adding a page is one line in GROUPS, e.g. ``Entry("数据看板", "dashboard:board", OD)``. URL names
are strings: core never imports the apps it links to."""

import functools
from dataclasses import dataclass, field
from html import escape

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from wenming.core.roles import Role

# Who sees an entry: tuples of roles, named once here.
OFFICE = (Role.OFFICE,)
EXPERT = (Role.EXPERT,)
OD = (Role.OFFICE, Role.DISTRICT)
ODC = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)
ODS = (Role.OFFICE, Role.DISTRICT, Role.SURVEYOR)
OFFICE_EXPERT = (Role.OFFICE, Role.EXPERT)
ALL = tuple(Role)
STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY, Role.EXPERT, Role.SURVEYOR)


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    roles: tuple[str, ...]
    args: tuple = ()
    current: tuple[str, ...] = ()  # view-name prefixes ("supervision:" = the whole app); default: `url` itself
    counter: str = ""  # a count beside the label: a key of the `counters` menu() is given ("unread")

    def marks(self, view_name: str, values: list) -> int:
        """How well this entry names the page (0: not at all; the longest matching prefix wins)."""
        if self.args and [str(v) for v in values[:len(self.args)]] != [str(a) for a in self.args]:
            return 0
        return max((len(p) for p in (self.current or (self.url,)) if view_name.startswith(p)), default=0)


@dataclass(frozen=True)
class Group:
    label: str  # "" for entries shown on the bar itself
    entries: tuple[Entry, ...] = field(default_factory=tuple)


GROUPS = (
    Group("", (
        Entry("工作台", "dashboard:workbench", ALL),
        Entry("通知", "core:inbox", ALL, current=("core:inbox", "core:notification"), counter="unread"),
    )),
    Group("申报评选", (
        Entry("申报", "awards:list", ODC, current=("awards:",)),
        Entry("候选展示", "awards:showcase_admin", OFFICE, current=("awards:showcase",)),
        Entry("公众推荐", "awards:recommendations", OFFICE, current=("awards:recommendation",)),
        Entry("专家评审", "judging:home", OFFICE_EXPERT, current=("judging:",)),
        Entry("结果", "results:office", OFFICE, current=("results:",)),
        Entry("结果确认", "results:committee", EXPERT, current=("results:committee", "results:opinion")),
        Entry("结果异议", "results:objections", OFFICE, current=("results:objection",)),
    )),
    Group("投票", (
        Entry("投票核查", "voting_office:fraud", OFFICE, current=("voting_office:",)),
        Entry("抽奖", "voting_office:lotteries", OFFICE, current=("voting_office:lotter",)),
        Entry("规则调整", "campaigns:voting_rules", OFFICE, current=("campaigns:voting_rules", "campaigns:rules_")),
    )),
    Group("督查与信用", (
        Entry("督查整改", "supervision:home", ODC, current=("supervision:",)),
        Entry("投诉处理", "complaints:list", ODC, current=("complaints:",)),
        Entry("信用档案", "credit:companies", ODC, current=("credit:",)),
    )),
    Group("基础数据", (
        Entry("小区", "registry:list", ODC, args=("communities",), current=("registry:",)),
        Entry("企业", "registry:list", ODC, args=("companies",), current=("registry:",)),
        Entry("人员", "registry:list", ODC, args=("staff",), current=("registry:",)),
    )),
    Group("入户调查", (
        Entry("入户调查", "surveys:home", ODS, current=("surveys:",)),
    )),
    Group("志愿服务", (
        Entry("志愿服务", "volunteers:stations", ODC, current=("volunteers:",)),
    )),
    Group("宣传", (
        Entry("新闻", "publicity:news", OFFICE, current=("publicity:news",)),
        Entry("宣传通稿", "publicity:materials", ODC, current=("publicity:material",)),
        Entry("通稿发布记录", "publicity:postings", ODC, current=("publicity:posting",)),
    )),
    Group("数据", (
        Entry("数据看板", "dashboard:board", OD, current=("dashboard:board", "dashboard:district", "dashboard:company",
                                                      "dashboard:community", "dashboard:export")),
        Entry("导出中心", "exports:hub", STAFF, current=("exports:",)),
    )),
    Group("系统", (
        Entry("活动设置", "campaigns:settings", OFFICE),
        Entry("公告", "campaigns:announcements", OFFICE, current=("campaigns:announcement",)),
        Entry("账号", "core:user_list", OFFICE, current=("core:user_",)),
        Entry("审计日志", "core:audit_list", OFFICE, current=("core:audit_",)),
    )),
)


@dataclass
class Link:
    label: str
    href: str
    current: bool = False
    count: int = 0


@dataclass
class Shown:
    label: str
    links: list[Link]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _reverse(entry):
    return _address(entry.url, entry.args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _address(url, args, urlconf, prefix):
    try:
        return reverse(url, args=args, urlconf=urlconf)
    except NoReverseMatch:  # an app not installed in this deployment: its entry is not shown
        return None


def visible(role, groups=GROUPS):
    """[(group, [entry])] the role sees, groups without a visible entry left out."""
    return [(g, [e for e in g.entries if role in e.roles]) for g in groups
            if any(role in e.roles for e in g.entries)]


def menu(request, counters=None, groups=GROUPS):
    """What the signed-in user sees, the entry naming the current page marked (one at most)."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    values = [*match.args, *match.kwargs.values()] if match else []
    shown, best, score = [], None, 0
    for group, entries in visible(user.role, groups):
        links = []
        for entry in entries:
            href = _reverse(entry)
            if href is None:
                continue
            count = (counters or {}).get(entry.counter, lambda: 0)() if entry.counter else 0
            link = Link(entry.label, href, count=count)
            links.append(link)
            marks = entry.marks(view_name, values) if view_name else 0
            if marks > score:
                best, score = link, marks
        if links:
            shown.append(Shown(group.label, links))
    if best is not None:
        best.current = True
    return shown


def _link_html(link: Link) -> str:
    href, label = escape(link.href), escape(link.label)
    current = ' aria-current="page"' if link.current else ""
    if not link.count:
        return f'<li><a href="{href}"{current}>{label}</a></li>'
    count = int(link.count)
    return (f'<li><a href="{href}"{current} aria-label="{label}，{count} 条未读">{label} '
            f'<span class="badge">{count}</span></a></li>')


def menu_html(shown: list[Shown]) -> SafeString:
    """The menu's list items: a group of two or more links as a <details> (its summary marked
    when it holds the current page), a group of one as its plain link. Every text and address
    is escaped here (the standard library's escape, as Django's own; format_html per link cost
    more than the rest of the menu)."""
    parts = []
    for group in shown:
        links = "".join(_link_html(link) for link in group.links)
        if group.label and len(group.links) > 1:
            summary = ' class="current"' if group.current else ""
            parts.append(f'<li class="menu-group"><details name="main-menu"><summary{summary}>'
                         f"{escape(group.label)}</summary><ul>{links}</ul></details></li>")
        else:
            parts.append(links)
    return mark_safe("".join(parts))  # noqa: S308 -- built above from escaped values only
