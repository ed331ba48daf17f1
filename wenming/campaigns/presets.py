"""Campaign presets: YAML files that hold a campaign's rules as data.

`parse_preset(text)` validates a preset and returns a `Preset`, or raises `PresetError`
whose message names each bad key and the reason in Chinese. Nothing is written here; the
loader in services.py stores a valid preset.
"""

import datetime
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PRESET_DIR = Path(__file__).parent / "presets"
PHASE_KEYS = ("publicity", "apply", "review", "voting", "expert", "results")
WEIGHT_SOURCES = ("survey", "vote", "expert")
POSTS = ("security", "cleaning", "maintenance", "service_desk", "project_manager")
KEY_RE = r"^[a-z][a-z0-9_]*$"
BOUND_RE = re.compile(r"^(?:phase\.(\w+)\.(start|end)|deadline\.(\w+)|campaign\.(start|end))$")


class PresetError(ValueError):
    def __init__(self, source, problems):
        self.source = source
        self.problems = problems
        super().__init__(f"预设“{source}”无效：\n" + "\n".join(f"- {p}" for p in problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Strict):
    name: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""


class PrivacyNotice(Strict):
    version: str = Field(min_length=1)
    url: str = Field(min_length=1)


class CampaignSpec(Strict):
    name: str = Field(min_length=1)
    year: int
    city: str = Field(min_length=1)
    theme: str = ""
    organiser: str = ""
    office: str = "评选工作办公室"
    timezone: str = "Asia/Shanghai"
    starts_on: datetime.date
    ends_on: datetime.date
    contact: Contact = Contact()
    privacy_notice: PrivacyNotice

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区“{value}”") from None
        return value

    @model_validator(mode="after")
    def ordered(self):
        if self.starts_on > self.ends_on:
            raise ValueError("活动开始日期晚于结束日期")
        return self


class DistrictSpec(Strict):
    name: str = Field(min_length=1)
    kind: Literal["district", "zone"] = "district"
    bureau: str = ""


class PhaseSpec(Strict):
    key: str
    name: str = Field(min_length=1)
    start: datetime.date
    end: datetime.date

    @field_validator("key")
    @classmethod
    def known_key(cls, value):
        if value not in PHASE_KEYS:
            raise ValueError(f"未知的阶段“{value}”，阶段只能是：{'、'.join(PHASE_KEYS)}")
        return value

    @model_validator(mode="after")
    def ordered(self):
        if self.start > self.end:
            raise ValueError(f"阶段“{self.name}”的开始日期晚于结束日期")
        return self


class DeadlineSpec(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)
    last_day: datetime.date


class ActionSpec(Strict):
    name: str = Field(min_length=1)
    opens: str
    closes: str

    @field_validator("opens", "closes")
    @classmethod
    def bound_form(cls, value):
        if not BOUND_RE.match(value):
            raise ValueError(f"时间点“{value}”格式无效，应为 phase.阶段.start/end、deadline.键 或 campaign.start/end")
        return value


CHANNELS = ("company", "owners_committee", "residents_committee", "public_recommendation", "self_nomination",
            "company_nomination")


class HonourSpec(Strict):
    """Seed 六: written commendation and funding for the winners, each district matching 1:1,
    a credit-file entry for the winner's company (bidding bonus). Amounts are proposals."""

    winners: int = Field(default=10, ge=1, le=1000)
    funding_yuan: int = Field(default=0, ge=0)
    credit_code: str = ""


class Eligibility(BaseModel):
    """An award's eligibility conditions (`AwardSpec.eligibility`, stored as given), each optional.
    Keys the code does not check are ignored, as they always were."""

    model_config = ConfigDict(frozen=True)

    campaign_districts: bool = False
    completed: bool = False
    min_occupancy_percent: int | None = None
    posts: list[str] = []
    min_years_in_trade: int | None = None
    one_person_award: bool = False


class AwardSpec(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)
    subject: Literal["community", "staff"]
    weights: dict[str, int]
    channels: list[str] = []
    paper_copies: int = Field(default=1, ge=1)
    submit_action: str = "apply"
    review_chain: list[Literal["company", "district", "office"]] = ["office"]
    eligibility: dict = {}
    honours: HonourSpec = HonourSpec()

    @field_validator("channels")
    @classmethod
    def known_channels(cls, value):
        bad = [c for c in value if c not in CHANNELS]
        if bad:
            raise ValueError(f"未知的申报渠道“{bad[0]}”，应为：{'、'.join(CHANNELS)}")
        return value

    @field_validator("review_chain")
    @classmethod
    def chain_ends_with_office(cls, value):
        if not value or value[-1] != "office" or len(set(value)) != len(value):
            raise ValueError("审核流程须不重复，且以评选工作办公室初审（office）结束")
        return value

    @field_validator("weights")
    @classmethod
    def weights_sum(cls, value):
        unknown = [k for k in value if k not in WEIGHT_SOURCES]
        if unknown:
            raise ValueError(f"未知的权重来源“{unknown[0]}”，应为：{'、'.join(WEIGHT_SOURCES)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("权重不能为负数")
        total = sum(value.values())
        if total != 100:
            raise ValueError(f"权重之和必须为 100%，当前为 {total}%")
        return value

    @field_validator("eligibility")
    @classmethod
    def eligibility_posts(cls, value):
        bad = [p for p in value.get("posts", []) if p not in POSTS]
        if bad:
            raise ValueError(f"未知的岗位“{bad[0]}”，应为：{'、'.join(POSTS)}")
        return value


class RubricItem(Strict):
    name: str = Field(min_length=1)
    max: Decimal = Field(gt=0)


class RubricSection(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)
    items: list[RubricItem] = Field(min_length=1)


class RubricSpec(Strict):
    method: str = ""
    sections: list[RubricSection] = Field(min_length=1)

    @model_validator(mode="after")
    def totals_100(self):
        total = sum(item.max for s in self.sections for item in s.items)
        if total != 100:
            raise ValueError(f"评分标准总分必须为 100 分，当前为 {total} 分")
        return self


class Measure(Strict):
    unit: str
    min: Decimal | None = None
    max: Decimal | None = None


class ChecklistItem(Strict):
    key: str = Field(min_length=1)
    text: str = Field(min_length=1)
    measure: Measure | None = None


class Checklist(Strict):
    key: Literal["environment", "publicity", "equipment", "service", "volunteer"]
    name: str
    items: list[ChecklistItem] = Field(min_length=1)


class SupervisionSpec(Strict):
    """Timers and sizes of supervision (proposals, domain-defaults §1; all editable)."""

    rectify_workdays: dict[Literal["minor", "major", "severe"], int] = {"minor": 10, "major": 5, "severe": 3}
    remind_before_workdays: int = Field(default=1, ge=0, le=30)
    repeat_within_days: int = Field(default=90, ge=1, le=730)
    sample_per_district: int = Field(default=3, ge=1, le=100)
    interview_rectify_workdays: int = Field(default=10, ge=1, le=60)
    self_inspection_every_days: int = Field(default=14, ge=1, le=365)
    equipment_warranty_years: int = Field(default=2, ge=0, le=10)
    regular_every_weeks: int = Field(default=4, ge=1, le=52)

    @model_validator(mode="after")
    def all_severities(self):
        missing = {"minor", "major", "severe"} - set(self.rectify_workdays)
        if missing:
            raise ValueError(f"rectify_workdays 缺少严重程度：{'、'.join(sorted(missing))}")
        if any(v < 1 or v > 60 for v in self.rectify_workdays.values()):
            raise ValueError("整改期限须为 1 至 60 个工作日")
        return self


class Grade(Strict):
    grade: str
    min: int | None


class CreditRule(Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    points: int


class CreditValidity(Strict):
    """Months a credit record counts, by the sign of its points."""

    positive: int = 36
    negative: int = 12
    negative_min_after_rectify: int | None = None  # declared by the Lianyungang scheme; not applied yet


class CreditLists(Strict):
    """The red and black lists: which grades enter them, approvals to publish, the black list's bar."""

    red_grades: list[str] = []
    black_grades: list[str] = []
    approvers: int = 2
    black_restriction_months: int = 6


class CreditObjection(Strict):
    file_within_workdays: int = 10
    decide_within_days: int = 20


class CreditSpec(Strict):
    base: int
    grades: list[Grade] = Field(min_length=2)
    vetoes: list[str] = []
    rules: list[CreditRule] = []
    validity_months: CreditValidity = CreditValidity()
    lists: CreditLists = CreditLists()
    objection: CreditObjection = CreditObjection()

    @model_validator(mode="after")
    def grades_descend(self):
        mins = [g.min for g in self.grades]
        if mins[-1] is not None or any(m is None for m in mins[:-1]):
            raise ValueError("信用等级须从高到低排列，且仅最后一级的下限为空")
        if mins[:-1] != sorted(mins[:-1], reverse=True):
            raise ValueError("信用等级的分数下限须从高到低排列")
        return self


class RiskSpec(Strict):
    virtual_prefixes: list[str] = []
    net24_daily: int = Field(default=300, ge=1)
    candidate_burst_per_minute: int = Field(default=30, ge=1)
    night_hours: list[int] = [1, 5]
    night_net24: int = Field(default=20, ge=1)
    bulk_invalidation_second_approver_from: int = Field(default=50, ge=1)

    @field_validator("virtual_prefixes")
    @classmethod
    def _digit_prefixes(cls, prefixes):
        # at most 4 digits: the vote matches them against the phone's first 4, kept in plain text
        # (core.fields: the number itself is encrypted)
        bad = [p for p in prefixes if not (p.isascii() and p.isdigit() and len(p) <= 4)]
        if bad:
            raise ValueError(f"号段只能由 1–4 位数字组成：{'、'.join(bad)}")
        return prefixes


class VotingSpec(Strict):
    per_voter_per_award_per_day: int = Field(ge=1)
    per_candidate_per_voter_per_day: int = Field(ge=1)
    counts_visibility: Literal["live", "daily", "hidden"]
    publish_daily_at: str = "18:00"
    require_follow: Literal[False] = False
    require_share: Literal[False] = False
    limits_per_minute: dict[Literal["voter", "ip", "net24"], int] = {"voter": 20, "ip": 60, "net24": 600}
    risk: RiskSpec = RiskSpec()


class SurveyQuestion(Strict):
    key: str = Field(pattern=KEY_RE)
    kind: Literal["awareness", "support", "participation", "satisfaction"]
    text: str
    choices: list[str] = []


class SurveySpec(Strict):
    coverage_target_percent: int = Field(ge=1, le=100)
    respondent_age: list[int] = [18, 65]
    scale: list[str]
    scale_points: list[int]
    formula: dict[Literal["awareness", "support", "satisfaction"], int]
    questions: list[SurveyQuestion] = Field(min_length=1)
    min_seconds_per_response: int = Field(default=60, ge=0, le=3600)  # faster entries are flagged

    @model_validator(mode="after")
    def consistent(self):
        if len(self.scale) != len(self.scale_points):
            raise ValueError("满意度量表与分值个数不一致")
        if sum(self.formula.values()) != 100:
            raise ValueError(f"调查得分公式权重之和必须为 100，当前为 {sum(self.formula.values())}")
        return self


class JudgingSpec(Strict):
    """Expert judging rules (proposals; all editable)."""

    conflicts: list[Literal["employer", "declared_relation"]] = ["employer", "declared_relation"]
    score_decimals: int = Field(default=1, ge=0, le=2)
    experts_per_candidate: int = Field(default=5, ge=1, le=15)


class ScoringSpec(Strict):
    vote_points: Literal["share_of_max"] = "share_of_max"
    expert_drop_extremes_from: int = Field(default=5, ge=3)
    decimals: int = Field(default=2, ge=0, le=4)
    rounding: Literal["half_up"] = "half_up"
    tie_break: list[Literal["expert", "survey", "vote"]] = []
    # Seed 五: the award committee (评选工作委员会, the award's experts) decides the winners; this
    # many of an award's members must agree (all of them when the award has fewer), and more agree
    # than disagree.
    committee_quorum: int = Field(default=3, ge=1, le=15)
    # 公示期: calendar days from publication (the day of publication counts) during which anyone
    # may object to a published result.
    objection_days: int = Field(default=5, ge=1, le=30)


class UploadSpec(Strict):
    image_max_mb: int = Field(default=10, ge=1, le=50)
    video_max_mb: int = Field(default=100, ge=1, le=1000)
    narrative_max_chars: int = Field(default=3000, ge=100)
    narrative_min_chars: int = Field(default=100, ge=0)
    photos_max: int = Field(default=9, ge=1, le=30)


COMPLAINT_STEPS = ("receive", "handle", "answer")
LIMIT_UNITS = ("minutes", "hours", "work_hours", "workdays", "days")


class StepLimit(Strict):
    """A service limit: `value` `unit`s (round-the-clock minutes or hours, working hours,
    working days, calendar days: core.workdays.deadline)."""

    value: int = Field(ge=1, le=10000)
    unit: Literal["minutes", "hours", "work_hours", "workdays", "days"]


class UrgencySpec(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)
    # 接待 (acknowledged and assigned), 处理 (work started / on site), 反馈 (reply with the result),
    # each counted from the filing (a reopened ticket's 处理 and 反馈 from the reopening).
    receive: StepLimit
    handle: StepLimit
    answer: StepLimit


class ComplaintCategory(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)
    urgency: str  # the least urgency a ticket of this category runs on (an entrapment is always urgent)


class FollowUpSpec(Strict):
    """回访: after the reply the resident is asked "fixed?"; without an answer in `resident_days`
    the company calls; not done `call_days` after the reply, the district is told."""

    resident_days: int = Field(default=3, ge=1, le=30)
    call_days: int = Field(default=7, ge=1, le=60)


class ComplaintCreditRule(Strict):
    when: Literal["unresolved_after_follow_up", "answer_overdue"]
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")


class RepeatSpec(Strict):
    """So many tickets of one category at one community within the days → flagged to the district."""

    count: int = Field(default=3, ge=2, le=100)
    within_days: int = Field(default=30, ge=1, le=365)


class ComplaintsSpec(Strict):
    """Complaint handling (seed 四(一)4: 有接待、有处理、有反馈、有回访; domain-defaults §6)."""

    working_day: list[datetime.time] = [datetime.time(8, 30), datetime.time(17, 30)]
    urgencies: list[UrgencySpec] = Field(min_length=1)  # most urgent first (a list: the order is the rank)
    categories: list[ComplaintCategory] = Field(min_length=1)
    follow_up: FollowUpSpec = FollowUpSpec()
    escalate_after: StepLimit = StepLimit(value=1, unit="workdays")  # past a step's limit → the district
    merge_within_hours: int = Field(default=24, ge=0, le=168)  # a repeat is offered as an update
    repeat: RepeatSpec = RepeatSpec()
    photos_max: int = Field(default=9, ge=1, le=9)
    credit: list[ComplaintCreditRule] = []

    def levels(self):
        """{key: UrgencySpec}, most urgent first."""
        return {u.key: u for u in self.urgencies}

    @model_validator(mode="after")
    def consistent(self):
        problems = []
        if len(self.working_day) != 2 or self.working_day[0] >= self.working_day[1]:
            problems.append("working_day：应为上班与下班两个时间，且上班早于下班")
        levels = [u.key for u in self.urgencies]
        if len(set(levels)) != len(levels):
            problems.append("urgencies：紧急程度重复")
        for category in self.categories:
            if category.urgency not in levels:
                problems.append(f"categories.{category.key}.urgency：没有名为“{category.urgency}”的紧急程度")
        keys = [c.key for c in self.categories]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            problems.append(f"投诉类别“{dupes[0]}”重复")
        if problems:
            raise ValueError("；".join(problems))
        return self


class NamedKey(Strict):
    key: str = Field(pattern=KEY_RE)
    name: str = Field(min_length=1)


class HelpKind(NamedKey):
    hours: Decimal = Field(default=Decimal(1), gt=0, le=24)  # the hours a served request usually counts


class VolunteersSpec(Strict):
    """Volunteer service stations (seed 四(一)5): activity types, volunteers' skills, the help a
    household may ask for, how long the organiser may confirm hours and the QR code lives."""

    activity_types: list[NamedKey] = Field(min_length=1)
    skills: list[NamedKey] = Field(min_length=1)
    help_groups: list[NamedKey] = Field(min_length=1)  # 孤寡老人, 留守儿童, 残疾人 …
    help_kinds: list[HelpKind] = Field(min_length=1)   # 维修, 探访, 代购 …
    confirm_days: int = Field(default=7, ge=1, le=60)  # after the activity's end; also the objection window
    code_seconds: int = Field(default=60, ge=15, le=600)  # the sign-in/out QR code's lifetime
    sign_in_early_minutes: int = Field(default=30, ge=0, le=240)  # how long before the start one may sign in
    help_hours_max: Decimal = Field(default=Decimal(8), gt=0, le=24)
    active_days: int = Field(default=365, ge=1, le=3660)  # "active": a confirmed record within these days
    certificate_prefix: str = Field(default="", pattern=r"^\d{0,6}$")  # digits: the number is read out on the phone

    @model_validator(mode="after")
    def unique_keys(self):
        problems = []
        for label, items in (("activity_types", self.activity_types), ("skills", self.skills),
                             ("help_groups", self.help_groups), ("help_kinds", self.help_kinds)):
            keys = [i.key for i in items]
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                problems.append(f"{label}：“{dupes[0]}”重复")
        if problems:
            raise ValueError("；".join(problems))
        return self


def gate_problems(actions, submit_actions):
    """Every window the code checks is declared, and every declared window is checked by the
    code (clock.GATES) or is an award's submit action: no window is declared and then ignored."""
    from wenming.campaigns import clock

    gated = set(clock.GATES) - {clock.SUBMIT}
    problems = [f"actions：缺少“{key}”的时间窗口" for key in sorted(gated - set(actions))]
    for key in sorted(set(actions) - gated - set(submit_actions)):
        problems.append(f"actions.{key}：系统中没有按此时间窗口控制的功能（可用的有：{'、'.join(sorted(gated))}，"
                        "以及各奖项的申报窗口 submit_action）")
    return problems


class Preset(Strict):
    preset: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    uploads: UploadSpec = UploadSpec()
    campaign: CampaignSpec
    districts: list[DistrictSpec] = Field(min_length=1)
    phases: list[PhaseSpec] = Field(min_length=1)
    deadlines: list[DeadlineSpec] = []
    actions: dict[str, ActionSpec]
    awards: list[AwardSpec] = Field(min_length=1)
    scoring: ScoringSpec = ScoringSpec()
    voting: VotingSpec
    survey: SurveySpec
    rubrics: dict[str, RubricSpec] = {}
    judging: JudgingSpec = JudgingSpec()
    checklists: list[Checklist] = []
    supervision: SupervisionSpec = SupervisionSpec()
    credit: CreditSpec
    complaints: ComplaintsSpec | None = None
    volunteers: VolunteersSpec | None = None

    @model_validator(mode="after")
    def cross_checks(self):
        problems = []
        for label, keys in (
            ("阶段", [p.key for p in self.phases]),
            ("截止时间", [d.key for d in self.deadlines]),
            ("奖项", [a.key for a in self.awards]),
            ("区", [d.name for d in self.districts]),
            ("检查项", [i.key for c in self.checklists for i in c.items]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                problems.append(f"{label}“{dupes[0]}”重复")
        start, end = self.campaign.starts_on, self.campaign.ends_on
        for phase in self.phases:
            if phase.start < start or phase.end > end:
                problems.append(f"phases.{phase.key}：阶段日期超出活动起止日期（{start} 至 {end}）")
        for deadline in self.deadlines:
            if not start <= deadline.last_day <= end:
                problems.append(f"deadlines.{deadline.key}：截止日期超出活动起止日期")
        phases = {p.key for p in self.phases}
        deadlines = {d.key for d in self.deadlines}
        for key, action in self.actions.items():
            for bound in (action.opens, action.closes):
                m = BOUND_RE.match(bound)
                if m.group(1) and m.group(1) not in phases:
                    problems.append(f"actions.{key}：引用了不存在的阶段“{m.group(1)}”")
                if m.group(3) and m.group(3) not in deadlines:
                    problems.append(f"actions.{key}：引用了不存在的截止时间“{m.group(3)}”")
        for award in self.awards:
            if award.submit_action not in self.actions:
                problems.append(f"awards.{award.key}.submit_action：没有名为“{award.submit_action}”的工作时间窗口")
        problems += gate_problems(self.actions, {a.submit_action for a in self.awards})
        awards = {a.key for a in self.awards}
        for key in self.rubrics:
            if key not in awards:
                problems.append(f"rubrics.{key}：没有这个奖项")
        if self.complaints:
            codes = {r.code for r in self.credit.rules}
            problems += [f"complaints.credit：信用规则中没有“{r.code}”" for r in self.complaints.credit
                         if r.code not in codes]
        if problems:
            raise ValueError("；".join(problems))
        return self


MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键",
    "date_from_datetime_parsing": "日期格式无效，应为“年-月-日”，如 2026-11-20",
    "date_parsing": "日期格式无效，应为“年-月-日”，如 2026-11-20",
    "date_type": "日期格式无效，应为“年-月-日”，如 2026-11-20",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式无效（只能使用小写字母、数字和下划线）",
    "greater_than": "必须大于 0",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
}


def _location(loc):
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "（根）"


def _message(error):
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"取值“{error.get('input')}”无效，应为：{expected}"
    return MESSAGES.get(error["type"], error["msg"])


def parse_preset(text, source="preset"):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise PresetError(source, [f"方案文件格式错误{where}"]) from None
    except ValueError as exc:  # e.g. an impossible date such as 2019-13-21
        raise PresetError(source, [f"方案文件中有无效的值：{exc}"]) from None
    if not isinstance(data, dict):
        raise PresetError(source, ["文件内容应为键值映射"])
    try:
        return Preset.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            # Discriminated containers add the type name to the location; drop it.
            if not error["loc"]:  # the cross checks: one problem each, already located
                problems.extend(_message(error).split("；"))
            else:
                problems.append(f"{_location(error['loc'])}：{_message(error)}")
        raise PresetError(source, problems) from None


def preset_path(name):
    """A preset named by key (lianyungang-2019) or a path to a YAML file."""
    candidate = PRESET_DIR / f"{name}.yaml"
    if candidate.exists():
        return candidate
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    available = "、".join(sorted(p.stem for p in PRESET_DIR.glob("*.yaml")))
    raise PresetError(name, [f"找不到预设“{name}”，可用的预设：{available}"])


def available_presets():
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
