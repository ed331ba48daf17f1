"""The registry's resources (companies, communities, staff) described once, for the
back-office list, the forms, the Excel template, import and export."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from wenming.core.roles import Role
from wenming.core.validators import is_masked, mask_phone
from wenming.registry.forms import CommunityForm, CompanyForm, StaffForm
from wenming.registry.models import Community, Company, District, Post, Staff

READ_ROLES = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    example: str
    export: object  # callable(obj) -> cell value
    required: bool = False


@dataclass(frozen=True)
class Resource:
    key: str
    model: type
    form_class: type
    label: str
    columns: tuple
    search: tuple
    filters: tuple = ()
    list_related: tuple = ()
    import_roles: tuple = (Role.OFFICE,)
    notes: tuple = field(default_factory=tuple)

    def queryset(self, user):
        return self.model.objects.visible_to(user).select_related(*self.list_related)

    def search_q(self, text):
        q = Q()
        for name in self.search:
            q |= Q(**{f"{name}__icontains": text})
        return q

    def can_import(self, user):
        return user.is_superuser or user.role in self.import_roles


def _date(value):
    return value.isoformat() if value else ""


def _name(value):
    return value.name if value else ""


COMPANIES = Resource(
    key="companies",
    model=Company,
    form_class=CompanyForm,
    label="物业服务企业",
    search=("name", "credit_code"),
    filters=("district",),
    list_related=("district",),
    columns=(
        Column("企业名称", "name", "连云港示例物业服务有限公司", lambda o: o.name, True),
        Column("统一社会信用代码", "credit_code", "91320700MA1MXXXXXX", lambda o: o.credit_code, True),
        Column("注册所在区", "district", "海州区", lambda o: _name(o.district), True),
        Column("地址", "address", "海州区朝阳东路 1 号", lambda o: o.address),
        Column("法定代表人", "legal_representative", "张三", lambda o: o.legal_representative),
        Column("联系人", "contact_name", "李四", lambda o: o.contact_name),
        Column("联系电话", "contact_phone", "13800138000", lambda o: mask_phone(o.contact_phone)),
    ),
)

COMMUNITIES = Resource(
    key="communities",
    model=Community,
    form_class=CommunityForm,
    label="住宅小区",
    search=("name", "address"),
    filters=("district",),
    list_related=("district", "company", "street"),
    import_roles=(Role.OFFICE, Role.DISTRICT),
    columns=(
        Column("小区名称", "name", "示例花园", lambda o: o.name, True),
        Column("所属区", "district", "海州区", lambda o: _name(o.district), True),
        Column("街道/镇", "street_name", "新海街道", lambda o: _name(o.street)),
        Column("社区居委会", "committee_name", "示例社区", lambda o: _name(o.committee)),
        Column("地址", "address", "海州区示例路 8 号", lambda o: o.address),
        Column("物业服务企业（名称或统一社会信用代码）", "company", "连云港示例物业服务有限公司",
               lambda o: _name(o.company)),
        Column("竣工日期", "completed_on", "2015-06-30", lambda o: _date(o.completed_on)),
        Column("总户数", "total_households", "600", lambda o: o.total_households, True),
        Column("入住户数", "occupied_households", "480", lambda o: o.occupied_households, True),
        Column("业主委员会", "owners_committee", "示例花园业主委员会", lambda o: o.owners_committee),
    ),
    notes=("所属区须为您管辖的区；街道和社区居委会不存在时自动新建。",),
)

STAFF = Resource(
    key="staff",
    model=Staff,
    form_class=StaffForm,
    label="物业从业人员",
    search=("name",),
    filters=("post",),
    list_related=("company", "community"),
    import_roles=(Role.OFFICE, Role.COMPANY),
    columns=(
        Column("姓名", "name", "王五", lambda o: o.name, True),
        Column("物业服务企业（名称或统一社会信用代码）", "company", "连云港示例物业服务有限公司",
               lambda o: _name(o.company), True),
        Column("服务小区", "community", "示例花园", lambda o: _name(o.community)),
        Column("岗位", "post", "秩序维护员", lambda o: o.get_post_display(), True),
        Column("从业起始日期", "entered_trade_on", "2016-03-01", lambda o: _date(o.entered_trade_on), True),
        Column("持证情况", "certificates", "保安员证", lambda o: o.certificates),
        Column("手机号", "phone", "13800138000", lambda o: mask_phone(o.phone), True),
    ),
    notes=("岗位填写：" + "、".join(label for _, label in Post.choices) + "。",
           "导出文件中的手机号已脱敏；原样导回时按姓名与脱敏号码匹配已有人员，号码保持不变。"),
)

RESOURCES = {r.key: r for r in (COMPANIES, COMMUNITIES, STAFF)}


class RowLookups:
    """Name → id lookups for import rows, loaded once per file."""

    def __init__(self):
        self.districts = {d.name: d.pk for d in District.objects.all()}
        self.companies = {}
        for company in Company.objects.all():
            self.companies[company.name] = company.pk
            self.companies[company.credit_code] = company.pk
        self.communities = {(c.company_id, c.name): c.pk for c in Community.objects.all()}
        self.posts = {label: value for value, label in Post.choices} | {v: v for v in Post.values}


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def row_to_form_data(resource, values, lookups):
    """Turn one row's cells into form data; returns (data, errors)."""
    data, errors = {}, []
    for column, raw in zip(resource.columns, values):
        text = cell_text(raw)
        if column.field == "district" and text:
            if text not in lookups.districts:
                errors.append(f"{column.header}“{text}”不存在")
                continue
            text = lookups.districts[text]
        elif column.field == "company" and text:
            if text.upper() in lookups.companies:
                text = lookups.companies[text.upper()]
            elif text in lookups.companies:
                text = lookups.companies[text]
            else:
                errors.append(f"物业服务企业“{text}”不存在")
                continue
        elif column.field == "post" and text:
            if text not in lookups.posts:
                errors.append(f"岗位“{text}”无效，应为：" + "、".join(label for _, label in Post.choices))
                continue
            text = lookups.posts[text]
        data[column.field] = text
    if resource is STAFF and data.get("community"):
        key = (data.get("company"), data["community"])
        if key not in lookups.communities:
            errors.append(f"服务小区“{data['community']}”不存在或不由该企业管理")
        else:
            data["community"] = lookups.communities[key]
    return data, errors


def find_existing(resource, data):
    """The record a row updates, matched by its natural key (or None for a new one)."""
    if resource is COMPANIES:
        return Company.objects.filter(credit_code=str(data.get("credit_code", "")).upper()).first()
    if resource is COMMUNITIES:
        return Community.objects.filter(district_id=data.get("district") or None, name=data.get("name")).first()
    phone = data.get("phone", "")
    candidates = Staff.objects.filter(company_id=data.get("company") or None)
    if is_masked(phone):
        matches = [s for s in candidates.filter(name=data.get("name")) if mask_phone(s.phone) == phone]
        return matches[0] if len(matches) == 1 else None
    return candidates.filter(phone=phone).first()


def natural_key(resource, data):
    if resource is COMPANIES:
        return str(data.get("credit_code", "")).upper()
    if resource is COMMUNITIES:
        return (data.get("district"), data.get("name"))
    return (data.get("company"), data.get("name"), data.get("phone"))
