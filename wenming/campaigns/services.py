"""State changes of campaigns: loading presets, extending deadlines, the demo's date shift."""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from wenming.campaigns import clock
from wenming.campaigns.models import (
    CAMPAIGN_VERSION,
    WEIGHT_NAMES,
    Announcement,
    AwardCategory,
    Campaign,
    Deadline,
    Phase,
    RuleChange,
    RuleSet,
)
from wenming.campaigns.presets import Preset, PresetError, VotingSpec, parse_preset, preset_path
from wenming.core import audit, versions
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict
from wenming.core.forms import save_form_instance
from wenming.registry.models import District


def campaign_changed():
    """The campaign's dates or rules changed: caches keyed by CAMPAIGN_VERSION (the vote's window
    and limits, pages) move on at once, for the rest of this transaction (a demo build shifts the
    clock and votes in one), and again once it commits, so no other process keeps what it read
    before the commit."""
    versions.bump(CAMPAIGN_VERSION)
    transaction.on_commit(lambda: versions.bump(CAMPAIGN_VERSION))


_current_id = versions.Memo(CAMPAIGN_VERSION)


def _active():
    return Campaign.objects.filter(is_active=True).order_by("-starts_at", "-id")


def current_campaign(*, or_404=False, id_only=False):
    """The campaign the site runs now: the active one most recently loaded. The one way to ask.

    None when no campaign is loaded; with `or_404`, a page's 404 (尚未加载活动) instead. Its id
    is kept in this process's memory under the campaign version (no pickling; a change through
    the services bumps the version, seen by the next request), so `id_only` (hot paths that need
    no more than the id) costs no query, and the campaign itself is one primary-key read, fresh."""
    campaign_id = _current_id.get("current", lambda: _active().values_list("pk", flat=True).first())
    if id_only:  # no queryset built at all: this is on the vote's path
        campaign = campaign_id
    else:
        campaign = _active().filter(pk=campaign_id).first() if campaign_id else None
        if campaign is None and campaign_id:  # changed behind the services' back: ask afresh
            campaign = _active().first()
    if campaign is None and or_404:
        raise Http404("尚未加载活动")
    return campaign


# Every rule that decides a result freezes when the phase that uses it opens; after that a
# reload cannot change it (voting rules then change only through the two-person rule change,
# announced in public). Phase keys are the preset's fixed vocabulary.
FREEZES = {"checklists": "publicity", "supervision": "publicity", "awards": "apply", "scoring": "voting",
           "survey": "voting", "voting": "voting", "rubrics": "expert", "judging": "expert"}
SECTION_NAMES = {"checklists": "检查表", "supervision": "督查整改规则", "awards": "奖项（权重、申报条件、荣誉）",
                 "scoring": "计分规则", "survey": "入户调查问卷及计分", "voting": "投票规则", "rubrics": "专家评分标准",
                 "judging": "专家评审规则"}


def frozen_sections(campaign, at=None):
    """{section: phase} of the rule sections frozen now (their phase has opened)."""
    at = at or timezone.now()
    opened = {p.key: p for p in campaign.phases.all() if p.starts_at <= at}
    return {section: opened[key] for section, key in FREEZES.items() if key in opened}


def date_differences(preset, campaign):
    """The dates in a preset file that differ from the campaign's current ones (which a reload
    keeps: they may carry logged extensions), in words."""
    tz = campaign.tz
    found = []
    stored = {p.key: p for p in campaign.phases.all()}
    for phase in preset.phases:
        current = stored.get(phase.key)
        if current and (current.starts_at, current.ends_at) != (clock.start_of_day(phase.start, tz),
                                                                clock.day_after(phase.end, tz)):
            found.append(f"{phase.name}：文件为 {phase.start} 至 {phase.end}，保留当前 "
                         f"{clock.display_start(current.starts_at, tz)} 至 {clock.display_end(current.ends_at, tz)}")
    deadlines = {d.key: d for d in campaign.deadlines.all()}
    for deadline in preset.deadlines:
        current = deadlines.get(deadline.key)
        if current and current.at != clock.day_after(deadline.last_day, tz):
            found.append(f"{deadline.name}：文件为 {deadline.last_day}，保留当前 {clock.display_end(current.at, tz)}")
    return found


def load_preset(name, *, actor=None):
    """Validate and store a preset. Returns (campaign, changed).

    Loading an unchanged file again changes nothing. A changed file becomes a new rule version,
    but never moves the dates of an existing campaign (extensions are logged changes; the file's
    other dates are reported by `date_differences`) and is refused when it changes a rule
    section already frozen (`FREEZES`), naming each and why: such a change goes through
    `propose_preset` (two office members, announced)."""
    path = preset_path(name)
    text = path.read_text(encoding="utf-8")
    preset = parse_preset(text, source=path.name)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        campaign = Campaign.objects.filter(slug=preset.preset).first()
        if campaign is not None and campaign.rule_sets.filter(version=campaign.rules_version, sha256=digest).exists():
            return campaign, False
        if campaign is not None:
            problems = frozen_changes(preset.model_dump(mode="json"), campaign)
            if problems:
                raise PresetError(path.name, problems)
        campaign = _install(preset, digest=digest, campaign=campaign, actor=actor)
    return campaign, True


def _install(preset, *, digest, campaign, actor):
    """Store a validated preset as the campaign's next rules version (dates of an existing
    campaign stay), audited."""
    campaign = _store(preset, campaign)
    version = _new_rule_set(campaign, preset.model_dump(mode="json"), preset_version=preset.version, sha256=digest,
                            actor=actor)
    audit.record("campaigns.preset.loaded", actor=actor, target=campaign,
                 after={"preset": preset.preset, "file_version": preset.version, "rules_version": version,
                        "sha256": digest})
    return campaign


def _new_rule_set(campaign, data, *, preset_version, sha256, actor):
    """Make `data` the campaign's next rules version; returns the version."""
    version = (campaign.rule_sets.aggregate(v=Max("version"))["v"] or 0) + 1
    RuleSet.objects.create(campaign=campaign, version=version, preset_version=preset_version, sha256=sha256,
                           data=data, loaded_by=actor)
    campaign.rules_version = version
    campaign.save(update_fields=["rules_version"])
    campaign_changed()
    return version


def changed_frozen_sections(data, campaign, at=None):
    """{section: phase} of the frozen sections whose rules `data` would change."""
    stored = campaign.typed_rules.model_dump(mode="json")
    return {section: phase for section, phase in frozen_sections(campaign, at).items()
            if data.get(section) != stored.get(section)}


def frozen_changes(data, campaign, at=None):
    """Why a preset's rules cannot replace the campaign's by a reload now: each frozen section
    it changes, and the way such a change is made."""
    return [f"{SECTION_NAMES[section]}已于{phase.name}阶段开始时冻结，"
            "调整须经两名评选工作办公室成员审批并公告（活动设置 → 规则调整）"
            for section, phase in changed_frozen_sections(data, campaign, at).items()]


def _store(preset, campaign):
    spec = preset.campaign
    tz = Campaign(timezone=spec.timezone).tz
    fields = {
        "name": spec.name, "year": spec.year, "city": spec.city, "theme": spec.theme, "organiser": spec.organiser,
        "office_name": spec.office, "timezone": spec.timezone,
        "contact": spec.contact.model_dump(), "privacy_notice_version": spec.privacy_notice.version,
        "privacy_notice_url": spec.privacy_notice.url, "is_active": True,
    }
    dates = {"starts_at": clock.start_of_day(spec.starts_on, tz), "ends_at": clock.day_after(spec.ends_on, tz)}
    # The dates of an existing campaign stay as they are (they may carry logged extensions).
    campaign, _ = Campaign.objects.update_or_create(slug=preset.preset, defaults=fields, create_defaults={
        **fields, **dates})
    districts = []
    for order, item in enumerate(preset.districts):
        district, _ = District.objects.update_or_create(
            name=item.name, defaults={"kind": item.kind, "bureau_name": item.bureau, "sort_order": order}
        )
        districts.append(district)
    campaign.districts.set(districts)
    campaign.phases.exclude(key__in=[p.key for p in preset.phases]).delete()
    for phase in preset.phases:
        Phase.objects.update_or_create(campaign=campaign, key=phase.key, defaults={"name": phase.name},
                                       create_defaults={"name": phase.name,
                                                        "starts_at": clock.start_of_day(phase.start, tz),
                                                        "ends_at": clock.day_after(phase.end, tz)})
    campaign.deadlines.exclude(key__in=[d.key for d in preset.deadlines]).delete()
    for deadline in preset.deadlines:
        Deadline.objects.update_or_create(campaign=campaign, key=deadline.key, defaults={"name": deadline.name},
                                          create_defaults={"name": deadline.name,
                                                           "at": clock.day_after(deadline.last_day, tz)})
    campaign.awards.exclude(key__in=[a.key for a in preset.awards]).delete()
    for order, award in enumerate(preset.awards):
        AwardCategory.objects.update_or_create(campaign=campaign, key=award.key, defaults={
            "name": award.name, "subject": award.subject, "weights": award.weights,
            "eligibility": award.eligibility, "channels": award.channels, "paper_copies": award.paper_copies,
            "submit_action": award.submit_action, "review_chain": award.review_chain, "sort_order": order})
    return campaign


def extension_targets(campaign):
    """What the office may extend: every phase's end and every deadline."""
    targets = [(f"phase:{p.key}", f"阶段：{p.name}", p.ends_at) for p in campaign.phases.all()]
    targets += [(f"deadline:{d.key}", f"截止：{d.name}", d.at) for d in campaign.deadlines.all()]
    return targets


@transaction.atomic
def extend_window(campaign, target, new_end, *, actor, reason):
    """The office moves a phase end or a deadline later, with a logged reason."""
    _ensure_office(actor, "只有评选工作办公室可以延长截止时间")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写延期原因"})
    kind, _, key = target.partition(":")
    model, field = {"phase": (Phase, "ends_at"), "deadline": (Deadline, "at")}.get(kind, (None, None))
    if model is None:
        raise ValidationError({"target": "请选择要延长的阶段或截止时间"})
    record = model.objects.select_for_update().filter(campaign=campaign, key=key).first()
    if record is None:
        raise ValidationError({"target": "请选择要延长的阶段或截止时间"})
    old_end = getattr(record, field)
    new_end = new_end.astimezone(datetime.UTC)
    if new_end <= old_end:
        raise ValidationError({"new_end": "新的截止时间必须晚于原截止时间（只能延长，不能提前）"})
    if new_end > campaign.ends_at:
        raise ValidationError({"new_end": "新的截止时间不能晚于活动结束时间"})
    setattr(record, field, new_end)
    record.save(update_fields=[field])
    campaign_changed()
    audit.record(f"campaigns.{kind}.extended", actor=actor, target=record, reason=reason,
                 before={field: old_end.isoformat()}, after={field: new_end.isoformat()})
    return record


@transaction.atomic
def shift_campaign(campaign, days, *, actor=None):
    """Move every date of a campaign by whole days (the demo puts today in a chosen phase)."""
    delta = datetime.timedelta(days=days)
    Campaign.objects.filter(pk=campaign.pk).update(starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta)
    campaign.phases.update(starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta)
    campaign.deadlines.update(at=F("at") + delta)
    campaign.refresh_from_db()
    campaign_changed()
    audit.record("campaigns.campaign.shifted", actor=actor, target=campaign, after={"days": days})
    return campaign


def demo_shift_days(campaign, phase_key, today):
    """Whole days to add so that `today` is the first day of phase `phase_key`. The
    latest-starting phase is the current one, so an overlap with the previous phase's last
    day does not matter."""
    phase = campaign.phases.get(key=phase_key)
    return (today - phase.starts_at.astimezone(campaign.tz).date()).days


def _ensure_office(actor, message="只有评选工作办公室可以发布公告"):
    ensure_office(actor, message)


@transaction.atomic
def save_announcement(form, *, campaign, actor):
    _ensure_office(actor)
    creating = form.instance.pk is None
    before = None if creating else audit.snapshot(type(form.instance).objects.get(pk=form.instance.pk))
    announcement = form.save(commit=False)
    announcement.campaign = campaign
    save_form_instance(announcement, form, "campaign")
    after = audit.snapshot(announcement)
    if creating:
        audit.record("campaigns.announcement.published", actor=actor, target=announcement, after=after)
    else:
        old, new = audit.changed(before, after)
        audit.record("campaigns.announcement.updated", actor=actor, target=announcement, before=old, after=new)
    return announcement


@transaction.atomic
def withdraw_announcement(announcement, *, actor):
    _ensure_office(actor)
    audit.record("campaigns.announcement.withdrawn", actor=actor, target=announcement,
                 before=audit.snapshot(announcement))
    announcement.delete()


# --- voting rules: frozen once voting opens -----------------------------------------------

EDITABLE_VOTING_RULES = ("per_voter_per_award_per_day", "per_candidate_per_voter_per_day", "counts_visibility",
                         "publish_daily_at")


def voting_started(campaign, at=None):
    return clock.window(campaign, "vote")[1] <= (at or timezone.now())


COUNTS_VISIBILITY = {"live": "实时公开", "daily": "每日定时公布", "hidden": "投票结束前不公开"}
VOTING_RULE_LABELS = {"per_voter_per_award_per_day": "每人每天每个奖项可投票数",
                      "per_candidate_per_voter_per_day": "每人每天对同一候选可投票数",
                      "counts_visibility": "票数公开方式", "publish_daily_at": "每日公布时间"}


def shown_rule(key, value):
    """A voting rule's value as residents read it ("实时公开", not "live")."""
    return COUNTS_VISIBILITY.get(value, value) if key == "counts_visibility" else value


def describe_rule_change(changes):
    """A change of the rules in words: "票数公开方式改为实时公开；…"."""
    return "；".join(f"{VOTING_RULE_LABELS.get(k, '规则')}改为{shown_rule(k, v)}" for k, v in (changes or {}).items())


@transaction.atomic
def propose_voting_rules(campaign, changes, *, reason, actor):
    """Change voting rules: at once before voting opens; afterwards pending a second approver."""
    _ensure_office(actor, "只有评选工作办公室可以调整投票规则")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写调整原因"})
    unknown = set(changes) - set(EDITABLE_VOTING_RULES)
    if unknown or not changes:
        raise ValidationError({"changes": "没有可调整的规则项"})
    try:  # refuse values the preset itself would refuse
        VotingSpec.model_validate({**campaign.rules["voting"], **changes})
    except PydanticValidationError:
        raise ValidationError({"changes": "规则取值无效"}) from None
    frozen = voting_started(campaign)
    change = RuleChange.objects.create(campaign=campaign, changes=changes, reason=reason, requested_by=actor,
                                       state=RuleChange.State.PENDING if frozen else RuleChange.State.APPLIED)
    audit.record("campaigns.voting_rules.proposed" if frozen else "campaigns.voting_rules.changed", actor=actor,
                 target=campaign, reason=reason, before={k: campaign.rules["voting"].get(k) for k in changes},
                 after=changes)
    if not frozen:
        _apply_rule_change(campaign, change, announce=False)
    return change


@transaction.atomic
def approve_rule_change(change, *, actor):
    """A second office member applies a pending change; it is announced in public."""
    _ensure_office(actor, "只有评选工作办公室可以审批规则调整")
    change = RuleChange.objects.select_for_update().select_related("campaign").get(pk=change.pk)
    if change.state != RuleChange.State.PENDING:
        raise Conflict("该调整已生效")
    if change.requested_by_id == actor.pk:
        raise PermissionDenied("须由另一名评选工作办公室成员批准")
    campaign = Campaign.objects.select_for_update().get(pk=change.campaign_id)
    if change.kind == RuleChange.Kind.PRESET and campaign.rules_version != change.base_version:
        raise Conflict(f"提出后规则已改为版本 {campaign.rules_version}，请按新版本重新提出")
    change.approved_by = actor
    campaign = _apply_rule_change(campaign, change, announce=True)
    audit.record("campaigns.rule_change.approved", actor=actor, target=campaign,
                 after={"rules_version": campaign.rules_version, **change.changes})
    return change


def _apply_rule_change(campaign, change, announce):
    before = campaign.rules
    if change.kind == RuleChange.Kind.PRESET:
        preset = Preset.model_validate(change.preset)
        campaign = _install(preset, digest=change.sha256, campaign=campaign, actor=change.requested_by)
        title, lines = "活动规则调整公告", describe_preset_change(before, change.preset, change.changes["sections"])
    else:
        data = campaign.rules
        data["voting"].update(change.changes)
        current = campaign.rule_sets.get(version=campaign.rules_version)
        _new_rule_set(campaign, data, preset_version=current.preset_version,
                      sha256=hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest(), actor=change.requested_by)
        title = "投票规则调整公告"
        lines = [f"{VOTING_RULE_LABELS[k]}：{shown_rule(k, before['voting'].get(k))} → {shown_rule(k, v)}"
                 for k, v in change.changes.items()]
    change.state, change.applied_at = RuleChange.State.APPLIED, timezone.now()
    change.save(update_fields=["state", "applied_at", "approved_by"])
    if announce:
        Announcement.objects.create(
            campaign=campaign, title=title, pinned=True, published_at=timezone.now(),
            body=f"经评选工作办公室研究，{title.removesuffix('调整公告')}调整如下：" + "；".join(lines)
            + f"。调整原因：{change.reason}。调整后为规则版本 {campaign.rules_version}，可在评选核验数据包中查看。")
    return campaign


# --- any rule section: a new preset file ---------------------------------------------------

def _weights_in_words(weights):
    return "、".join(f"{name} {weights[key]}%" for key, name in WEIGHT_NAMES.items() if key in weights)


def describe_preset_change(before, after, sections):
    """What a new preset changes in the frozen `sections`, in words residents read: each award's
    weights before and after, each voting limit, and the other sections by name."""
    lines = []
    for section in sections:
        if section == "awards":
            old = {a["key"]: a for a in before.get("awards", [])}
            for award in after.get("awards", []):
                was = old.get(award["key"])
                if was is None:
                    lines.append(f"新增奖项“{award['name']}”")
                elif was["weights"] != award["weights"]:
                    lines.append(f"{award['name']}计分权重：{_weights_in_words(was['weights'])} → "
                                 f"{_weights_in_words(award['weights'])}")
                elif was != award:
                    lines.append(f"{award['name']}的申报条件或荣誉设置已调整")
            gone = set(old) - {a["key"] for a in after.get("awards", [])}
            lines += [f"取消奖项“{old[key]['name']}”" for key in sorted(gone)]
        elif section == "voting":
            old, new = before.get("voting", {}), after.get("voting", {})
            named = [k for k in new if k in VOTING_RULE_LABELS and new[k] != old.get(k)]
            lines += [f"{VOTING_RULE_LABELS[k]}：{shown_rule(k, old.get(k))} → {shown_rule(k, new[k])}" for k in named]
            if any(new.get(k) != old.get(k) for k in set(new) | set(old) if k not in named):
                lines.append("投票的其他规则已调整")
        else:
            lines.append(f"{SECTION_NAMES[section]}已调整")
    return lines


PRESET_FILE_LIMIT = 512 * 1024


@transaction.atomic
def propose_preset(text, *, campaign, reason, actor, source="方案文件"):
    """A new preset file for the current campaign. Sections not yet frozen could be reloaded
    directly, so if it changes no frozen section it applies at once; otherwise it waits for a
    second office member (`approve_rule_change`) and is announced when applied. Dates in the file
    are never applied to the campaign (extensions are logged changes)."""
    _ensure_office(actor, "只有评选工作办公室可以调整活动规则")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写调整原因"})
    try:
        preset = parse_preset(text, source=source)
    except PresetError as exc:
        raise ValidationError({"file": exc.problems}) from None
    if preset.preset != campaign.slug:
        raise ValidationError({"file": f"该文件属于活动“{preset.preset}”，不是当前活动的方案"})
    digest = hashlib.sha256(text.encode()).hexdigest()
    data = preset.model_dump(mode="json")
    if campaign.rule_sets.filter(version=campaign.rules_version, sha256=digest).exists() or data == campaign.rules:
        raise ValidationError({"file": "该文件与当前规则相同，无需调整"})
    sections = sorted(changed_frozen_sections(data, campaign), key=list(FREEZES).index)
    frozen = bool(sections)
    change = RuleChange.objects.create(
        campaign=campaign, kind=RuleChange.Kind.PRESET, changes={"sections": sections}, preset=data, sha256=digest,
        base_version=campaign.rules_version, reason=reason, requested_by=actor,
        state=RuleChange.State.PENDING if frozen else RuleChange.State.APPLIED)
    audit.record("campaigns.rule_change.proposed" if frozen else "campaigns.rule_change.applied", actor=actor,
                 target=campaign, reason=reason,
                 after={"sections": [SECTION_NAMES[s] for s in sections], "sha256": digest})
    if not frozen:
        _apply_rule_change(campaign, change, announce=False)
    return change


def describe_change(change):
    """A rule change in words for the office's list."""
    if change.kind == RuleChange.Kind.PRESET:
        sections = change.changes.get("sections") or []
        return ("新方案文件，涉及已冻结的" + "、".join(SECTION_NAMES[s] for s in sections)) if sections \
            else "新方案文件（未涉及已冻结的规则）"
    return describe_rule_change(change.changes)
