import datetime

from ninja import Field, Query, Router, Schema

from wenming.core.access import MAX_ID, get_in_scope
from wenming.core.apiutils import Page, PageQuery, errors, paginate, require_api_role, staff_auth
from wenming.core.validators import mask_phone
from wenming.registry.models import Community, Company, District, Staff
from wenming.registry.resources import READ_ROLES

router = Router(tags=["基础名录"], auth=staff_auth)
READ_ERRORS = errors(401, 403, 404, 422)


class RefOut(Schema):
    id: int
    name: str


class DistrictOut(Schema):
    id: int
    name: str
    kind: str
    bureau_name: str


class CompanyOut(Schema):
    id: int
    name: str
    credit_code: str
    district: RefOut
    address: str
    contact_name: str
    contact_phone: str

    @staticmethod
    def resolve_contact_phone(obj):
        return mask_phone(obj.contact_phone)


class CommunityOut(Schema):
    id: int
    name: str
    district: RefOut
    company: RefOut | None
    street: str
    address: str
    completed_on: datetime.date | None
    total_households: int
    occupied_households: int
    occupancy_rate: float
    owners_committee: str

    @staticmethod
    def resolve_street(obj):
        return obj.street.name if obj.street else ""

    @staticmethod
    def resolve_occupancy_rate(obj):
        return round(float(obj.occupancy_rate), 4)


class StaffOut(Schema):
    id: int
    name: str
    company: RefOut
    community: RefOut | None
    post: str
    entered_trade_on: datetime.date
    phone: str

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class CommunityQuery(PageQuery):
    district: int | None = Field(None, ge=1, le=MAX_ID)


def _reader(request):
    return require_api_role(request, READ_ROLES)


@router.get("/districts", response={200: Page[DistrictOut], **READ_ERRORS})
def list_districts(request, query: Query[PageQuery]):
    """Public reference data: every staff caller sees every district."""
    require_api_role(request, READ_ROLES + ("expert", "surveyor"))
    return paginate(District.objects.all(), query.page, query.page_size)


@router.get("/companies", response={200: Page[CompanyOut], **READ_ERRORS})
def list_companies(request, query: Query[PageQuery]):
    user = _reader(request)
    return paginate(Company.objects.visible_to(user).select_related("district"), query.page, query.page_size)


@router.get("/companies/{company_id}", response={200: CompanyOut, **READ_ERRORS})
def get_company(request, company_id: str):
    return get_in_scope(Company.objects.visible_to(_reader(request)).select_related("district"), company_id)


@router.get("/communities", response={200: Page[CommunityOut], **READ_ERRORS})
def list_communities(request, query: Query[CommunityQuery]):
    user = _reader(request)
    queryset = Community.objects.visible_to(user).select_related("district", "company", "street")
    if query.district is not None:
        queryset = queryset.filter(district_id=query.district)
    return paginate(queryset, query.page, query.page_size)


@router.get("/communities/{community_id}", response={200: CommunityOut, **READ_ERRORS})
def get_community(request, community_id: str):
    queryset = Community.objects.visible_to(_reader(request)).select_related("district", "company", "street")
    return get_in_scope(queryset, community_id)


@router.get("/staff", response={200: Page[StaffOut], **READ_ERRORS})
def list_staff(request, query: Query[PageQuery]):
    user = _reader(request)
    return paginate(Staff.objects.visible_to(user).select_related("company", "community"), query.page, query.page_size)


@router.get("/staff/{staff_id}", response={200: StaffOut, **READ_ERRORS})
def get_staff(request, staff_id: str):
    return get_in_scope(Staff.objects.visible_to(_reader(request)).select_related("company", "community"), staff_id)
