"""Every state change of an application: checked (state, actor, clock, eligibility),
atomic, audited, and the next actor notified after commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wenming.awards import eligibility
from wenming.awards.models import (
    LIVE_STATUSES,
    STAGE_STATUS,
    Application,
    Attachment,
    Channel,
    Opinion,
    Recommendation,
    Showcase,
    Status,
)
from wenming.campaigns import clock
from wenming.core import audit, versions
from wenming.core.access import get_in_scope, is_office
from wenming.core.errors import Conflict
from wenming.core.forms import save_form_instance
from wenming.core.models import User
from wenming.core.notifications import notify, resolve
from wenming.core.roles import Role
from wenming.core.uploads import CleanFile, clean_image, clean_scan, clean_video

EDIT_FIELDS = ["full_name", "basic_info", "narrative", "post", "position", "postcode", "past_awards",
               "applicant_opinion", "portrait_consent", "applicant_name", "applicant_phone"]
# The windows the awards flow checks; each award's own `submit_action` as well.
OPINION = clock.gate("opinion", "awards.services.give_opinion/create_application (office intake)")
REVIEW = clock.gate("review", "awards.services.give_opinion (office)")
RESUBMIT = clock.gate("resubmit", "awards.services.submit (after a return)")
RECOMMEND = clock.gate("recommend", "awards.services.recommend")
SHOWCASE_WINDOW = clock.gate("showcase", "awards.services.set_published")
clock.gate(clock.SUBMIT, "awards.services.create_application/submit")
STAGE_ROLE = {"company": Role.COMPANY, "district": Role.DISTRICT, "office": Role.OFFICE}
SCAN_KINDS = (Attachment.Kind.SEAL_SCAN, Attachment.Kind.SIGNED_FORM)
PHOTO_KINDS = (Attachment.Kind.GATE_PHOTO, Attachment.Kind.ENVIRONMENT_PHOTO, Attachment.Kind.SHOWCASE_PHOTO,
               Attachment.Kind.RECOMMENDATION_PHOTO)




def _link(application):
    return reverse("awards:detail", args=[application.pk])


def review_key(application, stage):
    """Names the work "give the `stage` opinion on this application" (its notifications clear once done)."""
    return f"awards.application.{application.pk}.{stage}"


def stage_users(application, stage):
    users = User.objects.filter(is_active=True, role=STAGE_ROLE[stage])
    if stage == "company":
        users = users.filter(company=application.company_id)
    elif stage == "district":
        users = users.filter(district=application.district_id)
    return list(users)


def applicant_users(application):
    users = [application.created_by] if application.created_by else []
    if application.company_is_applicant:
        users += stage_users(application, "company")
    return list({u.pk: u for u in users if u is not None}.values())


SHOWCASE = "showcase"


def bump_showcase_version():
    """Call inside the transaction that changes what the showcase shows: the shared version
    moves once the change is committed, so no reader can cache the old state under it."""
    transaction.on_commit(lambda: versions.bump(SHOWCASE))


def showcase_version():
    return versions.current(SHOWCASE)


PUBLIC_KINDS = [Attachment.Kind.GATE_PHOTO, Attachment.Kind.ENVIRONMENT_PHOTO, Attachment.Kind.VIDEO,
                Attachment.Kind.SHOWCASE_PHOTO, Attachment.Kind.PORTRAIT]


def published(campaign=None):
    """The showcases the public may see: published, of candidates (of this campaign if given)."""
    queryset = Showcase.objects.filter(published_at__isnull=False, application__status=Status.CANDIDATE)
    if campaign is not None:
        queryset = queryset.filter(application__campaign=campaign)
    # the phones are left unread (encrypted: core.fields): no public page shows them, and the
    # vote page, on the vote's path, decrypts nothing
    return (queryset.select_related("application__award", "application__district", "application__company")
            .defer("application__applicant_phone", "application__company__contact_phone"))


def published_or_404(pk, campaign=None):
    return get_in_scope(published(campaign), pk)


def public_media(showcase):
    """The attachments a published page may show: never scans, and a portrait only with consent."""
    kinds = [k for k in PUBLIC_KINDS if k != Attachment.Kind.PORTRAIT or showcase.application.portrait_consent]
    return showcase.application.attachments.filter(kind__in=kinds)


# --- starting an application ------------------------------------------------------------

def _check_channel(award, channel, actor, community, staff, entered_by_office):
    if channel not in award.channels:
        raise ValidationError(f"“{award.name}”不接受“{Channel(channel).label}”渠道")
    if entered_by_office:
        if not is_office(actor):
            raise PermissionDenied("只有评选工作办公室可以代为录入")
        return
    if channel in (Channel.COMPANY, Channel.COMPANY_NOMINATION):
        if actor is None or actor.role != Role.COMPANY:
            raise PermissionDenied("只有物业服务企业可以以企业名义申报")
        subject_company = community.company_id if community else staff.company_id
        if subject_company != actor.company_id:
            raise PermissionDenied("只能为本企业管理的小区或本企业员工申报")
    elif channel == Channel.SELF:
        if actor is not None:
            raise PermissionDenied("个人自荐须由本人验证手机号后提交")
    else:
        raise PermissionDenied("该渠道的申报由评选工作办公室代为录入")


@transaction.atomic
def start_application(campaign, award, *, actor, channel, community=None, staff=None, applicant_name="",
                      applicant_phone="", entered_by_office=False, intake_note=""):
    """Open a draft. The same community arriving again for the same award is merged into
    the live application (returned instead of a new one, with the link audited)."""
    if (award.subject == "community") != (community is not None) or (award.subject == "staff") != (staff is not None):
        raise ValidationError("申报对象与奖项不符")
    _check_channel(award, channel, actor, community, staff, entered_by_office)
    if entered_by_office and not intake_note.strip():
        raise ValidationError("代为录入须注明来源（如：邮件推荐、纸质申报表）")
    clock.require_open(campaign, award.submit_action if not entered_by_office else OPINION)
    subject = community or staff
    application = Application(
        campaign=campaign, award=award, channel=channel, community=community, staff=staff,
        company_id=subject.company_id,
        district_id=community.district_id if community else (staff.community.district_id if staff.community
                                                            else staff.company.district_id),
        applicant_name=applicant_name or (subject.company.name if channel in (Channel.COMPANY,
                                                                                 Channel.COMPANY_NOMINATION)
                                         else subject.name),
        applicant_phone=applicant_phone, created_by=actor if actor and actor.pk else None,
        entered_by_office=entered_by_office, intake_note=intake_note.strip(),
        full_name=subject.name, post=staff.post if staff else "",
        position="项目负责人" if staff and staff.post == "project_manager" else "",
    )
    found = eligibility.refusals(application)
    if found:
        raise ValidationError(found)
    if community is not None:
        existing = Application.objects.filter(award=award, community=community, status__in=LIVE_STATUSES).first()
        if existing is not None:
            return _merge(application, existing, actor)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        if community is not None:  # a concurrent first arrival won the race: merge into it
            existing = Application.objects.get(award=award, community=community, status__in=LIVE_STATUSES)
            return _merge(application, existing, actor)
        raise ValidationError("每人限报一项：该员工已有申报") from None
    audit.record("awards.application.started", actor=actor, target=application,
                 after=audit.snapshot(application, ["channel", "award", "community", "staff", "entered_by_office",
                                                    "intake_note"]))
    return application


def _merge(application, existing, actor):
    if application.channel == existing.channel and application.company_is_applicant:
        raise Conflict(f"该小区已有本企业的申报（编号 {existing.pk}）")
    application.status = Status.MERGED
    application.merged_into = existing
    application.save()
    audit.record("awards.application.merged", actor=actor, target=application,
                 after={"merged_into": existing.pk, "channel": application.channel})
    notify(stage_users(existing, "office"), f"“{existing.full_name}”收到新的{application.get_channel_display()}，已并入原申报",
           _link(existing))
    return existing


def start_self_nomination(campaign, award, staff, phone):
    """A person nominating themselves, having proved they hold the registry's phone number."""
    if staff.phone != phone:
        raise PermissionDenied("手机号与名录登记的号码不一致")
    return start_application(campaign, award, actor=None, channel=Channel.SELF, staff=staff,
                             applicant_name=staff.name, applicant_phone=phone)


# --- editing ----------------------------------------------------------------------------

def ensure_applicant(application, actor, self_staff_id=None):
    if self_staff_id is not None and application.channel == Channel.SELF and application.staff_id == self_staff_id:
        return
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("请先登录")
    if application.entered_by_office and is_office(actor):
        return
    if application.company_is_applicant and actor.role == Role.COMPANY and actor.company_id == application.company_id:
        return
    raise PermissionDenied("只有申报人可以修改申报")


def _ensure_editable(application):
    if not application.is_editable:
        raise Conflict(f"申报当前状态为“{application.get_status_display()}”，不能修改")


@transaction.atomic
def save_draft(form, *, actor, self_staff_id=None):
    application = Application.objects.select_for_update().get(pk=form.instance.pk)
    ensure_applicant(application, actor, self_staff_id)
    _ensure_editable(application)
    before = audit.snapshot(application, EDIT_FIELDS)
    updated = form.save(commit=False)
    if updated.portrait_consent and not application.portrait_consent:
        updated.portrait_consent_at = timezone.now()
    if not updated.portrait_consent:
        updated.portrait_consent_at = None
    save_form_instance(updated, form, "portrait_consent_at")
    old, new = audit.changed(before, audit.snapshot(updated, EDIT_FIELDS))
    if new:
        audit.record("awards.application.updated", actor=actor, target=updated, before=old, after=new)
    return updated


def _limits(application):
    return application.campaign.typed_rules.uploads


@transaction.atomic
def add_attachment(application, kind, uploaded, *, actor, self_staff_id=None):
    application = Application.objects.select_for_update().get(pk=application.pk)
    if kind == Attachment.Kind.SIGNED_FORM:
        # The stamped paper form comes back after submission, from the applicant or the office.
        if not is_office(actor):
            ensure_applicant(application, actor, self_staff_id)
    else:
        ensure_applicant(application, actor, self_staff_id)
        _ensure_editable(application)
    limits = _limits(application)
    if kind == Attachment.Kind.VIDEO:
        clean = clean_video(uploaded, max_bytes=application.campaign.upload_limit("video"))
    elif kind in SCAN_KINDS:  # a stamped scan may be a PDF
        clean = clean_scan(uploaded, max_bytes=application.campaign.upload_limit(), label="扫描件")
    else:
        clean = clean_image(uploaded, max_bytes=application.campaign.upload_limit())
        if kind in PHOTO_KINDS and application.attachments.filter(kind__in=PHOTO_KINDS).count() >= limits.photos_max:
            raise ValidationError(f"照片最多 {limits.photos_max} 张")
    if kind == Attachment.Kind.PORTRAIT:
        application.attachments.filter(kind=kind).delete()
    attachment = _store(clean, kind, actor, application=application)
    audit.record("awards.attachment.added", actor=actor, target=application,
                 after={"attachment": attachment.pk, "kind": kind, "sha256": clean.sha256, "size": clean.size})
    return attachment


def _store(clean, kind, actor, **owner):
    attachment = Attachment(kind=kind, content_type=clean.content_type, size=clean.size, sha256=clean.sha256,
                            uploaded_by=actor if actor and actor.pk else None, **owner)
    attachment.file.save(clean.content.name, clean.content, save=False)
    if clean.thumbnail is not None:
        attachment.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        if attachment.thumbnail:
            attachment.thumbnail.delete(save=False)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment, *, actor, self_staff_id=None):
    application = attachment.application
    ensure_applicant(application, actor, self_staff_id)
    _ensure_editable(application)
    audit.record("awards.attachment.removed", actor=actor, target=application,
                 before={"attachment": attachment.pk, "kind": attachment.kind, "sha256": attachment.sha256})
    attachment.delete()


# --- submission and the review chain ----------------------------------------------------

def missing_items(application):
    """What the form still lacks before it can be submitted (in the seed form's words)."""
    limits = _limits(application)
    missing = []
    if not application.full_name.strip():
        missing.append("小区全称" if application.award.subject == "community" else "姓名")
    text = application.narrative.strip()
    minimum = limits.narrative_min_chars
    if len(text) < minimum:
        label = "管理服务情况" if application.award.subject == "community" else "个人主要业绩材料"
        missing.append(f"{label}（至少 {minimum} 字，约 1000 字为宜，当前 {len(text)} 字）")
    elif len(text) > limits.narrative_max_chars:
        missing.append(f"正文过长（{len(text)} 字，上限 {limits.narrative_max_chars} 字）")
    kinds = set(application.attachments.values_list("kind", flat=True))
    if application.award.subject == "community":
        if not application.basic_info.strip():
            missing.append("基本信息")
        if Attachment.Kind.VIDEO not in kinds and not {Attachment.Kind.GATE_PHOTO,
                                                       Attachment.Kind.ENVIRONMENT_PHOTO} <= kinds:
            missing.append("小区主大门及小区内环境照片各一张（或视频资料）")
    else:
        if Attachment.Kind.PORTRAIT not in kinds:
            missing.append("2寸彩色照片")
        if not application.portrait_consent:
            missing.append("本人同意公开展示照片的确认")
        posts = application.award.eligibility.get("posts") or []
        if application.post not in posts:
            missing.append("申报类型（每人限报一项）")
        if application.award.key == "model_manager":
            for field, label in (("position", "职务"), ("postcode", "邮编")):
                if not getattr(application, field).strip():
                    missing.append(label)
    if application.company_is_applicant and not application.applicant_opinion.strip():
        missing.append("申报单位意见")
    return missing


def first_stage(application):
    chain = application.award.review_chain
    if application.company_is_applicant:
        chain = [s for s in chain if s != "company"]
    return chain[0]


def next_stage(application, stage):
    chain = application.award.review_chain
    return chain[chain.index(stage) + 1]


@transaction.atomic
def submit(application, *, actor, self_staff_id=None):
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_applicant(application, actor, self_staff_id)
    _ensure_editable(application)
    resubmission = application.status == Status.RETURNED
    clock.require_open(application.campaign, RESUBMIT if resubmission else application.award.submit_action)
    missing = missing_items(application)
    if missing:
        raise ValidationError(["申报内容不完整：" + "；".join(missing)])
    found = eligibility.refusals(application)
    if found:
        raise ValidationError(found)
    stage = application.returned_from if resubmission else first_stage(application)
    before = application.status
    application.status = STAGE_STATUS[stage]
    application.submitted_at = timezone.now()
    application.returned_from = ""
    application.save(update_fields=["status", "submitted_at", "returned_from", "updated_at"])
    audit.record("awards.application.resubmitted" if resubmission else "awards.application.submitted",
                 actor=actor, target=application, before={"status": before}, after={"status": application.status})
    notify(stage_users(application, stage), f"“{application}”待您出具意见", _link(application),
           kind="application_review", key=review_key(application, stage))
    return application


def ensure_reviewer(application, stage, actor):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("请先登录")
    if stage == "office":
        if not is_office(actor):
            raise PermissionDenied("只有评选工作办公室可以初审")
    elif stage == "district":
        if actor.role != Role.DISTRICT:
            raise PermissionDenied("只有区物业管理主管部门可以出具区级意见")
        if actor.district_id != application.district_id:
            raise PermissionDenied("只能审核本区的申报")
    elif actor.role != Role.COMPANY or actor.company_id != application.company_id:
        raise PermissionDenied("只有小区的物业服务企业可以出具企业意见")


ALLOWED = {
    "company": (Opinion.Decision.APPROVE, Opinion.Decision.RETURN),
    "district": (Opinion.Decision.APPROVE, Opinion.Decision.RETURN),
    "office": (Opinion.Decision.CONFIRM, Opinion.Decision.RETURN, Opinion.Decision.REJECT),
}


@transaction.atomic
def give_opinion(application, stage, decision, text, *, actor, seal_scan=None):
    """One reviewer's step. `stage` is what the caller believes it is acting on: if the
    application has moved on (another tab, another reviewer), the answer is 409."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_reviewer(application, stage, actor)
    if application.status != STAGE_STATUS[stage]:
        raise Conflict(f"申报当前状态为“{application.get_status_display()}”，不在此环节")
    if decision not in ALLOWED[stage]:
        raise ValidationError("该环节不能作出此结论")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写意见")
    clock.require_open(application.campaign, REVIEW if stage == "office" else OPINION)
    scan = None
    if stage == "district" and decision == Opinion.Decision.APPROVE:
        if seal_scan is None:
            raise ValidationError("请上传盖章的区主管部门意见页扫描件")
        clean = clean_scan(seal_scan, max_bytes=application.campaign.upload_limit(), label="扫描件")
        scan = _store(clean, Attachment.Kind.SEAL_SCAN, actor, application=application)
    before = application.status
    if decision == Opinion.Decision.APPROVE:
        following = next_stage(application, stage)
        application.status = STAGE_STATUS[following]
        to_notify, message = stage_users(application, following), f"“{application}”待您出具意见"
        kind, key = "application_review", review_key(application, following)
    elif decision == Opinion.Decision.RETURN:
        application.status, application.returned_from, application.last_reason = Status.RETURNED, stage, text
        to_notify, message = applicant_users(application), f"“{application}”被退回修改：{text[:60]}"
        kind, key = "application_returned", ""
    elif decision == Opinion.Decision.REJECT:
        application.status, application.last_reason = Status.REJECTED, text
        application.decided_at = timezone.now()
        to_notify, message = applicant_users(application), f"“{application}”未通过初审：{text[:60]}"
        kind, key = "application_decided", ""
    else:
        application.status, application.decided_at = Status.CANDIDATE, timezone.now()
        Showcase.objects.get_or_create(application=application, defaults={
            "title": application.full_name, "story": application.narrative})
        to_notify, message = applicant_users(application), f"“{application}”已确认为候选"
        kind, key = "application_decided", ""
    application.save(update_fields=["status", "returned_from", "last_reason", "decided_at", "updated_at"])
    opinion = Opinion.objects.create(application=application, stage=stage, decision=decision, text=text,
                                     seal_scan=scan, actor=actor, actor_name=str(actor))
    action = {"approve": "approved", "return": "returned", "reject": "rejected", "confirm": "confirmed"}[decision]
    audit.record(f"awards.application.{action}", actor=actor, target=application, reason=text,
                 before={"status": before}, after={"status": application.status, "stage": stage,
                                                   "opinion": opinion.pk})
    # This stage's "待您出具意见" is done, for every reviewer of the stage who was told.
    resolve(review_key(application, stage))
    notify(to_notify, message, _link(application), kind=kind, key=key)
    return application


@transaction.atomic
def withdraw(application, *, actor, self_staff_id=None):
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_applicant(application, actor, self_staff_id)
    if application.status in (Status.CANDIDATE, Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
        raise Conflict(f"申报当前状态为“{application.get_status_display()}”，不能撤回")
    before = application.status
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    audit.record("awards.application.withdrawn", actor=actor, target=application, before={"status": before},
                 after={"status": Status.WITHDRAWN})
    for stage in STAGE_STATUS:  # no reviewer has anything left to do on it
        resolve(review_key(application, stage))
    return application


# --- showcase ---------------------------------------------------------------------------

@transaction.atomic
def save_showcase(form, *, actor):
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以编辑展示素材")
    before = audit.snapshot(Showcase.objects.get(pk=form.instance.pk), ["title", "story", "interview_notes"])
    showcase = save_form_instance(form.save(commit=False), form)  # a publish meanwhile is kept
    old, new = audit.changed(before, audit.snapshot(showcase, ["title", "story", "interview_notes"]))
    if new:
        audit.record("awards.showcase.updated", actor=actor, target=showcase, before=old, after=new)
    if showcase.is_published:
        bump_showcase_version()
    return showcase


@transaction.atomic
def add_showcase_photo(showcase, uploaded, *, actor):
    """Photos the office took on site (实地取景) for the public page."""
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以编辑展示素材")
    application = showcase.application
    clean = clean_image(uploaded, max_bytes=application.campaign.upload_limit())
    attachment = _store(clean, Attachment.Kind.SHOWCASE_PHOTO, actor, application=application)
    audit.record("awards.showcase.photo_added", actor=actor, target=showcase,
                 after={"attachment": attachment.pk, "sha256": clean.sha256})
    if showcase.is_published:
        bump_showcase_version()
    return attachment


@transaction.atomic
def set_published(showcase, published, *, actor):
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以发布展示")
    showcase = Showcase.objects.select_for_update().select_related("application").get(pk=showcase.pk)
    if showcase.application.status != Status.CANDIDATE:
        raise Conflict("只有已确认的候选可以展示")
    if published:
        clock.require_open(showcase.application.campaign, SHOWCASE_WINDOW)
    if showcase.is_published == published:
        return showcase
    showcase.published_at = timezone.now() if published else None
    showcase.save(update_fields=["published_at", "updated_at"])
    audit.record("awards.showcase.published" if published else "awards.showcase.unpublished", actor=actor,
                 target=showcase, after={"published": published})
    bump_showcase_version()
    return showcase


# --- public recommendations -------------------------------------------------------------

@transaction.atomic
def recommend(campaign, resident, *, district, community, community_name, reason, photos=()):
    """A resident recommends a community. If the community already has a live application
    for the community award, the recommendation is linked to it (never shown twice). One phone
    recommends a community once: a repeat updates the first (its reason; its photos, when new
    ones come), until the office has handled it. Returns (recommendation, created)."""
    clock.require_open(campaign, RECOMMEND)
    if not campaign.districts.filter(pk=district.pk).exists():
        raise ValidationError("该区不在本次活动范围内")
    if community is not None and community.district_id != district.pk:
        raise ValidationError("小区不在所选的区")
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError("推荐理由请至少写 10 个字")
    if len(photos) > 3:
        raise ValidationError("照片最多 3 张")
    # Photos from the page arrive cleaned (kept across errors, core.kept_uploads); the API's raw.
    cleaned = [p if isinstance(p, CleanFile) else clean_image(p, max_bytes=campaign.upload_limit()) for p in photos]
    name = community.name if community else community_name.strip()
    same = Recommendation.objects.select_for_update().filter(campaign=campaign, resident=resident)
    earlier = (same.filter(community=community) if community else
               same.filter(community__isnull=True, district=district, community_name=name)).first()
    if earlier is not None:
        return _update_recommendation(earlier, reason, cleaned), False
    recommendation = Recommendation.objects.create(
        campaign=campaign, resident=resident, community=community, community_name=name, district=district,
        reason=reason)
    for clean in cleaned:
        _store(clean, Attachment.Kind.RECOMMENDATION_PHOTO, None, recommendation=recommendation)
    award = campaign.awards.filter(subject="community").first()
    existing = (Application.objects.filter(award=award, community=community, status__in=LIVE_STATUSES).first()
                if community is not None and award is not None else None)
    if existing is not None:
        recommendation.state, recommendation.application = Recommendation.State.LINKED, existing
        recommendation.save(update_fields=["state", "application"])
    audit.record("awards.recommendation.received", actor=None, target=recommendation,
                 after={"community": recommendation.community_name, "state": recommendation.state,
                        "resident": str(resident), "photos": len(cleaned)})
    notify(User.objects.filter(role=Role.OFFICE, is_active=True), f"收到公众推荐：{recommendation.community_name}",
           reverse("awards:recommendations"))
    return recommendation, True


def _update_recommendation(recommendation, reason, cleaned):
    if recommendation.state in (Recommendation.State.CONVERTED, Recommendation.State.DISMISSED):
        raise Conflict(f"您对“{recommendation.community_name}”的推荐已处理（{recommendation.get_state_display()}），"
                       "不能再修改")
    before = recommendation.reason
    recommendation.reason = reason
    recommendation.save(update_fields=["reason", "updated_at"])
    if cleaned:
        recommendation.attachments.filter(kind=Attachment.Kind.RECOMMENDATION_PHOTO).delete()
        for clean in cleaned:
            _store(clean, Attachment.Kind.RECOMMENDATION_PHOTO, None, recommendation=recommendation)
    audit.record("awards.recommendation.updated", actor=None, target=recommendation,
                 before={"reason": before}, after={"reason": reason, "photos": len(cleaned) or "未更换"})
    return recommendation


@transaction.atomic
def convert_recommendation(recommendation, *, actor):
    """The office turns a recommendation of a registry community into an application
    (channel: public recommendation), or links it to the one that exists."""
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以处理公众推荐")
    if recommendation.state != Recommendation.State.RECEIVED:
        raise Conflict("该推荐已处理")
    if recommendation.community is None:
        raise ValidationError("请先在名录中确认被推荐的小区")
    award = recommendation.campaign.awards.get(subject="community")
    application = start_application(
        recommendation.campaign, award, actor=actor, channel=Channel.PUBLIC, community=recommendation.community,
        applicant_name="公众推荐", entered_by_office=True, intake_note=f"公众推荐 #{recommendation.pk}")
    recommendation.application = application
    recommendation.state = (Recommendation.State.LINKED if application.channel != Channel.PUBLIC
                            else Recommendation.State.CONVERTED)
    recommendation.save(update_fields=["application", "state"])
    audit.record("awards.recommendation.converted", actor=actor, target=recommendation,
                 after={"application": application.pk, "state": recommendation.state})
    return application


@transaction.atomic
def dismiss_recommendation(recommendation, *, actor, reason):
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以处理公众推荐")
    if recommendation.state != Recommendation.State.RECEIVED:
        raise Conflict("该推荐已处理")
    if not reason.strip():
        raise ValidationError("请填写不予受理的原因")
    recommendation.state = Recommendation.State.DISMISSED
    recommendation.save(update_fields=["state"])
    audit.record("awards.recommendation.dismissed", actor=actor, target=recommendation, reason=reason.strip())
