"""The campaign clock: the only place that decides what may be done when.

Windows are half-open [opens, closes) instants; a date in a preset means midnight at the
start of that day in the campaign's time zone (Asia/Shanghai), whatever the server's TZ.
Phases may overlap (the seed's voting ends 12-05 and experts start 12-05): each action is
gated by its own window, and the *current* phase is the latest-starting one holding now.
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format

from wenming.core.errors import Conflict


def display_start(moment, tz):
    return date_format(moment.astimezone(tz), "Y年n月j日 H:i")


def display_end(moment, tz):
    """The end of a half-open window as people write it: an exclusive midnight is shown as
    24:00 of the day before ("10月10日 24:00" rather than "10月11日 00:00")."""
    local = moment.astimezone(tz)
    if local.time() == datetime.time.min:
        return date_format(local - datetime.timedelta(days=1), "Y年n月j日") + " 24:00"
    return date_format(local, "Y年n月j日 H:i")


class WindowClosed(Conflict):
    """The action's window is not open now: a refusal like any other Conflict."""

    code = "window_closed"

    def __init__(self, action_name, opens, closes, tz):
        self.opens, self.closes = opens, closes
        super().__init__(
            f"{action_name}时间为 {display_start(opens, tz)} 至 {display_end(closes, tz)}，当前不在此时间内"
        )


def start_of_day(day, tz):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def day_after(day, tz):
    return start_of_day(day + datetime.timedelta(days=1), tz)


def resolve_bound(campaign, bound):
    parts = bound.split(".")
    if parts[0] == "campaign":
        return campaign.starts_at if parts[1] == "start" else campaign.ends_at
    if parts[0] == "deadline":
        return campaign.deadlines.get(key=parts[1]).at
    phase = campaign.phases.get(key=parts[1])
    return phase.starts_at if parts[2] == "start" else phase.ends_at


# The actions whose window the code enforces, each declared once beside the code that checks it
# (`gate`). A preset must declare a window for each of these and for its awards' submit actions,
# and may declare nothing else (campaigns.presets checks both), so no declared window goes
# unchecked and no check reads a window the preset does not have.
GATES = {}
# Actions the clock does not gate itself but an award names as its `submit_action` (awards gates it).
SUBMIT = "award.submit_action"


def gate(action, where):
    """Declare that `where` (a dotted name) enforces `action`'s window; returns the action key."""
    GATES.setdefault(action, []).append(where)
    return action


def window(campaign, action):
    """(name, opens, closes) of an action, from the campaign's rules."""
    spec = campaign.rules["actions"].get(action)
    if spec is None:
        raise KeyError(f"unknown action {action!r}")
    return spec["name"], resolve_bound(campaign, spec["opens"]), resolve_bound(campaign, spec["closes"])


def is_open(campaign, action, at=None):
    if campaign is None:
        return False
    at = at or timezone.now()
    _, opens, closes = window(campaign, action)
    return opens <= at < closes


def require_open(campaign, action, at=None):
    """Raise WindowClosed (with the window in Chinese) unless `action` is allowed at `at`.
    `action` is a gated key (`gate`) or an award's submit action."""
    at = at or timezone.now()
    name, opens, closes = window(campaign, action)
    if not opens <= at < closes:
        raise WindowClosed(name, opens, closes, campaign.tz)


def current_phase(campaign, at=None):
    if campaign is None:
        return None
    at = at or timezone.now()
    holding = [p for p in campaign.phases.all() if p.holds(at)]
    return max(holding, key=lambda p: p.starts_at) if holding else None


def timeline(campaign, at=None):
    """Phases in order, each marked past / current / upcoming, for the home page."""
    at = at or timezone.now()
    now_phase = current_phase(campaign, at)
    items = []
    for phase in campaign.phases.all():
        state = "current" if now_phase and phase.pk == now_phase.pk else ("past" if phase.ends_at <= at else "upcoming")
        last_day = (phase.ends_at.astimezone(campaign.tz) - datetime.timedelta(days=1)).date()
        items.append({"phase": phase, "state": state, "first_day": phase.starts_at.astimezone(campaign.tz).date(),
                      "last_day": last_day})
    return items
