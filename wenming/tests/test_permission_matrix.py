"""The permission matrix of the whole site, pretix-style: every URL pattern of the project has
rows of (method, URL, {persona: status}) in TABLE, and `test_every_url_pattern_has_a_row` fails
when a pattern is added (or renamed) without one.

Personas (the top-level fixtures): anonymous; outsider (signed in, a company of another district
that holds none of the objects below); resident (an SMS-verified phone in the page session, a
bearer token on the API); and the staff roles office, district (海州区), company (海州甲), expert,
surveyor. The objects belong to 海州区 and company 海州甲; `{missing}` is an id no record has, for
the routes whose record is costly to build here: such a row checks what is decided before the
record is looked up (signed in? the right role?), and that the right role then gets 404.

The statuses are those of an empty request (no form fields): 302 is a redirect (for a page seen
anonymously, to the login page; for a form, back after a refusal or a success), 400 a refused
form, 401 the API without (the right kind of) credentials, 403 the wrong role (or the same
person where a second one must approve), 404 a record outside the caller's scope or absent,
409 refused in the record's present state, 422 an API body or query that does not validate.
Each request runs in a savepoint rolled back after it, so no row sees another's writes, and the
client's cookies are put back after it (a row that signs out signs out no other row).

A new URL pattern needs its rows here: run this module and read the statuses each persona got
against what the view should answer, before writing them down."""

import datetime
import re

import pytest
import time_machine
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from wenming.awards.models import Recommendation
from wenming.campaigns.models import Announcement, RuleChange
from wenming.complaints import services as complaints
from wenming.complaints.models import RepeatFlag
from wenming.core.models import ApiToken, Job, Notification
from wenming.credit import services as credit
from wenming.credit.models import CreditList, Source
from wenming.credit.models import Objection as CreditObjection
from wenming.judging.models import Assignment, Expert, Reopen, Sheet
from wenming.publicity.models import Material, NewsItem, Posting
from wenming.results.bundle import bundle_path
from wenming.supervision.models import Finding, Inspection, Interview, RectificationOrder, RepeatProblem, Sample, SampleRedraw
from wenming.surveys.models import Assignment as SurveyAssignment
from wenming.surveys.models import Response as SurveyResponse
from wenming.testing import factories as f
from wenming.volunteers.models import Activity, Certificate, HelpRequest, Record, Station, Volunteer
from wenming.voting import services as voting
from wenming.voting.models import FraudDecision, Lottery

VOTING_DAY = "2019-11-28 10:00 +0800"  # the voting window of the Lianyungang preset
PERSONAS = ("anonymous", "outsider", "resident", "office", "district", "company", "expert", "surveyor")
MISSING = "987654321"


def row(method, path, **statuses):
    """A row: `_` is the status of every persona not named."""
    default = statuses.pop("_", None)
    expected = {p: statuses.pop(p, default) for p in PERSONAS}
    assert not statuses, f"unknown personas {sorted(statuses)}"
    assert None not in expected.values(), f"{method} {path}: a persona without a status"
    return method, path, expected


TABLE = [
    # API
    row("post", "/api/v1/votes", resident=422, _=401),
    row("get", "/api/v1/leaderboard?category=model_community", _=200),
    row("get", "/api/v1/openapi.json", _=200),
    row("get", "/api/v1/docs", _=200),
    row("get", "/api/v1/votes/receipts/{receipt}", _=200),
    row("get", "/api/v1/votes/board", _=200),
    row("get", "/api/v1/lotteries", _=200),
    row("get", "/api/v1/lotteries/{lottery}", _=404),
    row("get", "/api/v1/lotteries/{lottery}/entrants", _=404),
    row("post", "/api/v1/auth/token", _=422),
    row("get", "/api/v1/campaign", _=200),
    row("post", "/api/v1/voters/code", _=422),
    row("post", "/api/v1/voters/verify", _=422),
    row("get", "/api/v1/districts", anonymous=401, resident=401, _=200),
    row("get", "/api/v1/companies", anonymous=401, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/companies/{company}",
        anonymous=401, outsider=404, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/communities", anonymous=401, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/communities/{community}",
        anonymous=401, outsider=404, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/staff", anonymous=401, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/staff/{staff}", anonymous=401, outsider=404, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/candidates", _=200),
    row("get", "/api/v1/candidates/{showcase}", _=200),
    row("post", "/api/v1/recommendations", resident=422, _=401),
    row("get", "/api/v1/applications", anonymous=401, resident=401, expert=403, surveyor=403, _=200),
    row("get", "/api/v1/applications/{application}",
        anonymous=401, outsider=404, resident=401, expert=403, surveyor=403, _=200),
    row("post", "/api/v1/applications/{application}/opinions", anonymous=401, resident=401, expert=403, surveyor=403,
        _=422),
    row("get", "/api/v1/credit/lists", _=200),
    row("post", "/api/v1/surveys/responses", anonymous=401, resident=401, office=422, surveyor=422, _=403),
    row("get", "/api/v1/judging/assignments", anonymous=401, resident=401, expert=200, _=403),
    row("get", "/api/v1/judging/assignments/{assignment}", anonymous=401, resident=401, expert=200, _=403),
    row("put", "/api/v1/judging/assignments/{assignment}/sheet", anonymous=401, resident=401, expert=422, _=403),
    row("post", "/api/v1/judging/assignments/{assignment}/submit", anonymous=401, resident=401, _=403),
    row("get", "/api/v1/results?category=model_community", _=404),
    row("get", "/api/v1/", _=404),
    # showcase
    row("get", "/showcase/", _=200),
    row("get", "/showcase/{showcase}/", _=200),
    row("get", "/showcase/{showcase}/poster.png", _=200),
    row("get", "/showcase/{showcase}/media/{missing}/", _=404),
    row("get", "/showcase/{showcase}/media/{missing}/thumb/", _=404),
    # vote
    row("get", "/vote/leaderboard/", _=200),
    row("get", "/vote/board/", _=200),
    row("get", "/vote/board/board.csv", _=200),
    row("get", "/vote/board/tally.json", _=200),
    row("get", "/vote/lottery/", _=200),
    row("get", "/vote/lottery/rerun.py", _=200),
    row("get", "/vote/lottery/{lottery}/", _=404),
    row("get", "/vote/lottery/{lottery}/entrants.txt", _=404),
    row("get", "/vote/lottery/{lottery}/lottery.json", _=404),
    row("get", "/vote/{showcase}/", _=200),
    row("post", "/vote/{showcase}/", _=200),
    row("get", "/vote/receipt/{receipt}/", _=200),
    row("get", "/", _=200),
    # registry
    row("get", "/registry/imports/{job}/", anonymous=302, resident=302, district=200, expert=403, surveyor=403, _=404),
    row("get", "/registry/communities/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/registry/communities/new/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/registry/communities/new/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/registry/communities/export.xlsx", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/registry/communities/template.xlsx", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/registry/communities/import/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/registry/communities/import/", anonymous=302, resident=302, office=400, district=400, _=403),
    row("get", "/registry/communities/{community}/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/registry/communities/{community}/",
        anonymous=302, outsider=404, resident=302, office=200, district=200, _=403),
    # office votes
    row("get", "/office/votes/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/votes/decide/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/office/votes/clusters/", anonymous=302, resident=302, office=400, _=403),
    row("post", "/office/votes/approve/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/office/votes/export/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/votes/decisions/{decision}/approve/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/office/votes/lotteries/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/votes/lotteries/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/office/votes/lotteries/{lottery}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/votes/lotteries/{lottery}/", anonymous=302, resident=302, office=302, _=403),
    # applications
    row("get", "/applications/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/applications/new/", anonymous=302, resident=302, district=403, expert=403, surveyor=403, _=200),
    row("post", "/applications/new/", anonymous=302, resident=302, district=403, expert=403, surveyor=403, _=400),
    row("get", "/applications/export.xlsx", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/applications/recommendations/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/applications/recommendations/{recommendation}/accept/", anonymous=302, resident=302, office=404, _=403),
    row("get", "/applications/recommendations/{recommendation}/photos/{missing}",
        anonymous=302, resident=302, office=404, _=403),
    row("get", "/applications/showcase/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/applications/showcase/{showcase}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/applications/showcase/{showcase}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/applications/showcase/{showcase}/photos/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/applications/showcase/{showcase}/unpublish/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/applications/{application}/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/applications/{application}/save/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=400),
    row("post", "/applications/{application}/submit/", anonymous=302, outsider=404, resident=302, company=409, _=403),
    row("post", "/applications/{application}/withdraw/", anonymous=302, outsider=404, resident=302, company=409, _=403),
    row("post", "/applications/{application}/opinion/office/",
        anonymous=302, outsider=404, resident=302, office=400, _=403),
    row("post", "/applications/{application}/attachments/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=400),
    row("post", "/applications/{application}/attachments/{missing}/remove/",
        anonymous=302, resident=302, expert=403, surveyor=403, _=404),
    row("get", "/applications/{application}/attachments/{missing}/",
        anonymous=302, resident=302, expert=403, surveyor=403, _=404),
    row("get", "/applications/{application}/attachments/{missing}/thumb/",
        anonymous=302, resident=302, expert=403, surveyor=403, _=404),
    row("get", "/applications/{application}/print.docx",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    # surveys
    row("get", "/surveys/", anonymous=302, resident=302, office=200, district=200, surveyor=200, _=403),
    row("post", "/surveys/assign/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/surveys/paper/", outsider=403, district=403, company=403, expert=403, _=302),
    row("get", "/surveys/held/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/surveys/responses/{response}/release/", anonymous=302, resident=302, office=409, _=403),
    row("get", "/surveys/communities/{community}/", anonymous=302, resident=302, office=200, surveyor=200, _=403),
    row("post", "/surveys/communities/{community}/", anonymous=302, resident=302, office=400, surveyor=400, _=403),
    row("get", "/surveys/communities/{community}/households/",
        anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/surveys/communities/{community}/households/import/",
        anonymous=302, resident=302, office=400, district=400, _=403),
    row("post", "/surveys/communities/{community}/households/generate/",
        anonymous=302, resident=302, office=400, district=400, _=403),
    row("get", "/surveys/c/{community}/poster.png", _=200),
    row("get", "/surveys/c/{community}/", _=200),
    row("post", "/surveys/c/{community}/", _=200),
    row("post", "/surveys/communities/{community}/queue/",
        anonymous=302, resident=302, office=400, surveyor=400, _=403),
    row("post", "/surveys/c/{community}/queue/", resident=400, _=401),
    row("get", "/surveys/c/{community}/thanks/", _=200),
    # judging
    row("get", "/judging/", anonymous=302, resident=302, office=302, expert=200, _=403),
    row("get", "/judging/office/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/judging/office/assign/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/judging/office/auto-assign/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/judging/office/remind/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/judging/office/profile/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/judging/office/sheets/{assignment}/reopen/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/judging/office/reopens/{reopen}/approve/", anonymous=302, resident=302, _=403),
    row("get", "/judging/{assignment}/", anonymous=302, resident=302, expert=200, _=403),
    row("post", "/judging/{assignment}/", anonymous=302, resident=302, expert=400, _=403),
    row("post", "/judging/{assignment}/submit/", anonymous=302, resident=302, expert=409, _=403),
    # results
    row("get", "/results/", _=200),
    row("get", "/results/office/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/results/matching/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/results/certificates/{missing}.pdf", anonymous=302, resident=302, office=404, district=404, _=403),
    row("post", "/results/matching/{missing}/done/", anonymous=302, resident=302, office=404, district=404, _=403),
    row("post", "/results/office/awards/{award}/compute/", anonymous=302, resident=302, office=409, _=403),
    row("get", "/results/committee/", anonymous=302, resident=302, expert=200, _=403),
    row("get", "/results/bundle.zip", _=200),
    row("post", "/results/office/bundle/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/results/runs/{missing}/objection/", _=404),
    row("post", "/results/runs/{missing}/objection/", _=404),
    row("get", "/results/objections/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/results/objections/{missing}/decide/", anonymous=302, resident=302, office=404, _=403),
    row("post", "/results/committee/runs/{missing}/opinion/", anonymous=302, resident=302, expert=404, _=403),
    row("post", "/results/office/runs/{missing}/publish/", anonymous=302, resident=302, office=404, _=403),
    row("get", "/results/office/runs/{missing}/export.xlsx", anonymous=302, resident=302, office=404, _=403),
    # supervision
    row("get", "/supervision/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/inspections/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/inspections/new/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/supervision/inspections/new/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/inspections/{inspection}/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/supervision/inspections/{inspection}/", outsider=404, expert=403, surveyor=403, _=302),
    row("get", "/supervision/inspections/{inspection}/report/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/inspections/{inspection}/report.pdf",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/samples/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/supervision/samples/", anonymous=302, resident=302, office=404, district=409, _=403),
    row("post", "/supervision/samples/{sample}/redraw/", anonymous=302, resident=302, office=400, district=400, _=403),
    row("post", "/supervision/redraws/{redraw}/decide/", anonymous=302, resident=302, district=302, _=403),
    row("get", "/supervision/schedule/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/supervision/schedule/", anonymous=302, resident=302, office=400, district=400, _=403),
    row("get", "/supervision/orders/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/supervision/orders/{order}/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/supervision/orders/{order}/act/", outsider=404, expert=403, surveyor=403, _=302),
    row("post", "/supervision/orders/{order}/evidence/", outsider=404, expert=403, surveyor=403, _=302),
    row("post", "/supervision/orders/{order}/reinspect/", outsider=403, company=403, expert=403, surveyor=403, _=302),
    row("post", "/supervision/orders/{order}/fund/", outsider=403, company=403, expert=403, surveyor=403, _=302),
    row("get", "/supervision/repeats/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/supervision/repeats/{repeat}/interview/", outsider=403, company=403, expert=403, surveyor=403, _=302),
    row("post", "/supervision/interviews/{interview}/conclude/",
        outsider=403, company=403, expert=403, surveyor=403, _=302),
    row("get", "/supervision/interviews/{interview}/notice.pdf",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    # credit
    row("get", "/credit/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/credit/companies/{company}/",
        anonymous=302, outsider=404, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/credit/companies/{company}/records/", anonymous=302, resident=302, office=302, _=403),
    row("post", "/credit/records/{record}/objection/", anonymous=302, outsider=404, resident=302, company=302, _=403),
    row("post", "/credit/objections/{objection}/decide/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/credit/lists/", _=200),
    row("get", "/credit/lists/manage/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/credit/lists/manage/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/credit/lists/{list}/approve/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/credit/bidding.xlsx", anonymous=302, resident=302, office=200, _=403),
    # public forms
    row("get", "/recommend/", _=200),
    row("post", "/recommend/", _=200),
    row("get", "/apply/self/", resident=404, _=200),
    row("post", "/apply/self/", resident=404, _=200),
    row("get", "/sitemap.xml", _=200),
    # core
    row("get", "/healthz", _=200),
    row("post", "/healthz", _=405),
    row("get", "/readyz", _=200),
    row("post", "/readyz", _=405),
    row("get", "/metrics", _=200),  # the test client is the machine itself (127.0.0.1)
    row("post", "/metrics", _=405),
    row("get", "/login/", anonymous=200, resident=200, _=302),
    row("post", "/logout/", _=302),
    row("get", "/office/audit/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/office/audit/export.xlsx", anonymous=302, resident=302, office=200, _=403),
    row("get", "/office/users/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/office/users/new/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/users/new/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/office/users/{user}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/users/{user}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/office/users/{user}/toggle/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/files/{missing}/", _=404),
    row("get", "/demo/outbox", _=404),
    row("get", "/uploads/kept/{missing}/", _=404),
    row("get", "/wechat/login/", _=404),
    row("get", "/wechat/callback/", _=404),
    # campaigns
    row("get", "/campaign/settings/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/campaign/settings/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/privacy/", _=200),
    row("get", "/campaign/voting-rules/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/campaign/voting-rules/", anonymous=302, resident=302, office=400, _=403),
    row("post", "/campaign/voting-rules/{change}/approve/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/campaign/rules/propose/", _=405),
    # complaints: staff pages in scope, the resident's pages behind the phone step, public figures
    row("get", "/complaints/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/complaints/{ticket}/", anonymous=302, resident=302, outsider=404, expert=403, surveyor=403, _=200),
    row("get", "/complaints/{ticket}/phone/", _=405),
    row("post", "/complaints/{ticket}/phone/", anonymous=302, resident=302, outsider=404, company=200, _=403),
    row("get", "/complaints/{ticket}/step/", _=405),
    row("post", "/complaints/{ticket}/step/", anonymous=302, resident=302, outsider=404, office=409, district=409,
        company=409, _=403),
    row("get", "/complaints/desk/", anonymous=302, resident=302, outsider=200, company=200, _=403),
    row("post", "/complaints/desk/", anonymous=302, resident=302, outsider=400, company=400, _=403),
    row("get", "/complaints/hotline/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/complaints/hotline/", anonymous=302, resident=302, office=400, district=400, _=403),
    row("get", "/complaints/hotline/replies.xlsx", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/complaints/repeats/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/complaints/repeats/{flag}/decide/", _=405),
    row("post", "/complaints/repeats/{flag}/decide/", anonymous=302, resident=302, office=302, district=302, _=403),
    row("get", "/complaints/rates/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/complaints/c/{community}/", _=200),
    row("post", "/complaints/c/{community}/", _=200),
    row("get", "/complaints/c/{community}/poster.png", _=200),
    row("get", "/complaints/c/{missing}/", _=404),
    row("get", "/complaints/communities/{community}/", _=200),
    row("get", "/complaints/mine/", _=200),
    row("post", "/complaints/mine/", _=200),
    row("get", "/complaints/mine/{number}/", _=200),
    row("post", "/complaints/mine/{number}/", resident=400, _=200),
    row("get", "/complaints/mine/00000000000000/", resident=404, _=200),
    row("post", "/api/v1/complaints", resident=422, _=401),
    row("get", "/api/v1/complaints/mine", resident=200, _=401),
    row("get", "/api/v1/complaints/{number}", resident=200, _=401),
    row("get", "/api/v1/complaints/00000000000000", resident=404, _=401),
    row("post", "/api/v1/complaints/{number}/follow-up", resident=422, _=401),
    row("post", "/api/v1/complaints/{number}/updates", resident=422, _=401),
    row("post", "/api/v1/hotline/work-orders", anonymous=401, resident=401, office=422, district=422, _=403),
    row("post", "/campaign/rules/propose/", anonymous=302, resident=302, office=400, _=403),
    # volunteers: staff pages in scope (organising is the company's), the resident's pages behind the phone step,
    # the certificate to its volunteer and the staff in scope, the check by number to anyone
    row("get", "/volunteers/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/volunteers/stations/new/", anonymous=302, resident=302, outsider=200, company=200, _=403),
    row("post", "/volunteers/stations/new/", anonymous=302, resident=302, outsider=400, company=400, _=403),
    row("get", "/volunteers/stations/{station}/", anonymous=302, resident=302, outsider=404, expert=403, surveyor=403,
        _=200),
    row("get", "/volunteers/stations/{station}/poster.png", anonymous=302, resident=302, outsider=404, expert=403,
        surveyor=403, _=200),
    row("get", "/volunteers/stations/{station}/volunteers/", _=405),
    row("post", "/volunteers/stations/{station}/volunteers/", anonymous=302, resident=302, outsider=404, company=400,
        _=403),
    row("get", "/volunteers/stations/{station}/activities/", _=405),
    row("post", "/volunteers/stations/{station}/activities/", anonymous=302, resident=302, outsider=404, company=400,
        _=403),
    row("get", "/volunteers/activities/{activity}/", anonymous=302, resident=302, outsider=404, expert=403,
        surveyor=403, _=200),
    row("get", "/volunteers/activities/{activity}/code/", anonymous=302, resident=302, outsider=404, company=200,
        _=403),
    row("get", "/volunteers/activities/{activity}/cancel/", _=405),
    row("post", "/volunteers/activities/{activity}/cancel/", anonymous=302, resident=302, outsider=404, company=302,
        _=403),
    row("get", "/volunteers/records/{vrecord}/confirm/", _=405),
    row("post", "/volunteers/records/{vrecord}/confirm/", anonymous=302, resident=302, outsider=404, company=409,
        _=403),
    row("get", "/volunteers/records/{vrecord}/review/", _=405),
    row("post", "/volunteers/records/{vrecord}/review/", anonymous=302, resident=302, outsider=404, company=302,
        _=403),
    row("get", "/volunteers/help/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/volunteers/help/", anonymous=302, resident=302, outsider=400, company=400, _=403),
    row("get", "/volunteers/help/{help}/", anonymous=302, resident=302, outsider=404, expert=403, surveyor=403, _=200),
    row("get", "/volunteers/help/{help}/assign/", _=405),
    row("post", "/volunteers/help/{help}/assign/", anonymous=302, resident=302, outsider=404, company=302, _=403),
    row("get", "/volunteers/help/{help}/call/", _=405),
    row("post", "/volunteers/help/{help}/call/", anonymous=302, resident=302, outsider=404, company=302, _=403),
    row("get", "/volunteers/figures/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/volunteers/records.xlsx", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/volunteers/s/{station}/", _=200),
    row("get", "/volunteers/s/{missing}/", _=404),
    row("get", "/volunteers/s/{station}/join/", resident=302, _=200),
    row("post", "/volunteers/s/{station}/join/", resident=302, _=200),
    row("get", "/volunteers/s/{station}/help/", _=200),
    row("post", "/volunteers/s/{station}/help/", _=200),
    row("get", "/volunteers/a/{activity}/", _=200),
    row("post", "/volunteers/a/{activity}/", resident=400, _=200),
    row("get", "/volunteers/scan/", _=409),
    row("post", "/volunteers/scan/", _=409),
    row("get", "/volunteers/me/", _=200),
    row("post", "/volunteers/me/", _=200),
    row("get", "/volunteers/me/records/{vrecord}/object/", _=405),
    row("post", "/volunteers/me/records/{vrecord}/object/", _=302),
    row("get", "/volunteers/me/help/{help}/", _=405),
    row("post", "/volunteers/me/help/{help}/", _=302),
    row("get", "/volunteers/me/volunteers/{volunteer}/certificate/", _=405),
    row("post", "/volunteers/me/volunteers/{volunteer}/certificate/", resident=409, _=302),
    row("get", "/volunteers/certificates/{certificate}/", resident=200, office=200, district=200, company=200, _=404),
    row("get", "/volunteers/certificates/{missing}/pdf/", _=404),
    row("get", "/volunteers/check/", _=200),
    row("get", "/api/v1/volunteers/activities/{activity}", resident=200, _=401),
    row("post", "/api/v1/volunteers/activities/{activity}/signup", resident=409, _=401),
    row("post", "/api/v1/volunteers/activities/{activity}/cancel", resident=200, _=401),
    row("post", "/api/v1/volunteers/scan", resident=422, _=401),
    row("get", "/api/v1/volunteers/me/records", resident=200, _=401),
    row("post", "/api/v1/volunteers/me/certificates", resident=422, _=401),
    row("get", "/api/v1/volunteers/certificates/{certificate}", _=200),
    row("get", "/api/v1/volunteers/figures", anonymous=401, resident=401, expert=403, surveyor=403, _=200),
    row("post", "/api/v1/volunteers/records/{vrecord}/confirm", anonymous=401, resident=401, outsider=404, company=409,
        _=403),
    row("get", "/campaign/announcements/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/campaign/announcements/new/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/campaign/announcements/new/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/campaign/announcements/{announcement}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/campaign/announcements/{announcement}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/campaign/announcements/{announcement}/withdraw/", anonymous=302, resident=302, office=302, _=403),
    # publicity: public news and announcements, the 公众号 address, the JS-SDK signature (no 公众号 here)
    row("get", "/m/", _=302),
    row("get", "/news/", _=200),
    row("get", "/news/{news}/", _=200),
    row("get", "/news/{news}/photos/{missing}/", _=404),
    row("get", "/news/{news}/photos/{missing}/thumb/", _=404),
    row("get", "/announcements/", _=200),
    row("get", "/announcements/{announcement}/", _=200),
    row("get", "/wechat/jssdk/", _=404),
    # publicity: the office's news, the materials library (通稿) and the companies' posting records
    row("get", "/publicity/news/", anonymous=302, resident=302, office=200, _=403),
    row("get", "/publicity/news/new/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/publicity/news/new/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/publicity/news/{news}/", anonymous=302, resident=302, office=200, _=403),
    row("post", "/publicity/news/{news}/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/publicity/news/{news}/unpublish/", _=405),
    row("post", "/publicity/news/{news}/unpublish/", anonymous=302, resident=302, office=302, _=403),
    row("get", "/publicity/news/{news}/photos/{missing}/", anonymous=302, resident=302, office=404, _=403),
    row("get", "/publicity/news/{news}/photos/{missing}/thumb/", anonymous=302, resident=302, office=404, _=403),
    row("get", "/publicity/news/{news}/photos/{missing}/remove/", _=405),
    row("post", "/publicity/news/{news}/photos/{missing}/remove/", anonymous=302, resident=302, office=404, _=403),
    row("get", "/publicity/materials/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/publicity/materials/new/", _=405),
    row("post", "/publicity/materials/new/", anonymous=302, resident=302, office=400, _=403),
    row("get", "/publicity/materials/{material}/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/publicity/materials/{material}/file/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/publicity/materials/{material}/postings/", _=405),
    row("post", "/publicity/materials/{material}/postings/",
        anonymous=302, resident=302, outsider=400, company=400, _=403),
    row("get", "/publicity/postings/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/publicity/postings/export.xlsx", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("get", "/publicity/postings/{posting}/photo/", anonymous=302, resident=302, expert=403, surveyor=403,
        _=404),
    row("get", "/publicity/postings/{posting}/photo/thumb/", anonymous=302, resident=302, expert=403,
        surveyor=403, _=404),
    row("get", "/publicity/postings/{posting}/remove/", _=405),
    row("post", "/publicity/postings/{posting}/remove/",
        anonymous=302, resident=302, outsider=404, company=302, _=403),
    # dashboard
    row("get", "/workbench/", anonymous=302, resident=302, _=200),
    # export hub: a list is a POST; a job and its file are their owner's only
    row("get", "/exports/", anonymous=302, resident=302, _=200),
    row("get", "/exports/take/orders/", _=405),
    row("post", "/exports/take/orders/", anonymous=302, resident=302, expert=403, surveyor=403, _=200),
    row("post", "/exports/take/{missing}/", anonymous=302, resident=302, _=404),
    row("get", "/exports/jobs/{missing}/", anonymous=302, resident=302, _=404),
    row("get", "/exports/jobs/{missing}/download/", anonymous=302, resident=302, _=404),
    row("get", "/dashboard/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("post", "/dashboard/", _=405),
    row("get", "/dashboard/survey.xlsx", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/dashboard/district/{district}/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/dashboard/district/{district}/votes_day.xlsx", anonymous=302, resident=302, office=200,
        district=200, _=403),
    row("get", "/dashboard/district/{missing}/", anonymous=302, resident=302, office=404, district=404, _=403),
    row("get", "/dashboard/company/{company}/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/dashboard/company/{company}/participation.xlsx", anonymous=302, resident=302, office=200,
        district=200, _=403),
    row("get", "/dashboard/community/{community}/", anonymous=302, resident=302, office=200, district=200, _=403),
    row("get", "/dashboard/community/{community}/supervision.xlsx", anonymous=302, resident=302, office=200,
        district=200, _=403),
    # notifications: one's own inbox and settings (the notification is the company's)
    row("get", "/notifications/", anonymous=302, resident=302, _=200),
    row("get", "/notifications/{notification}/open/", _=405),
    row("post", "/notifications/{notification}/open/", anonymous=302, resident=302, company=302, _=404),
    row("get", "/notifications/read-all/", _=405),
    row("post", "/notifications/read-all/", _=302),
    row("get", "/notifications/preferences/", anonymous=302, resident=302, _=200),
    row("post", "/notifications/preferences/", _=302),
    row("get", "/notifications/preferences/wechat/", _=405),
    row("post", "/notifications/preferences/wechat/", _=302),
]


def admin_rows():
    """The admin's own patterns (one per registered model and view), all behind its login: no
    persona here is staff, so every one is sent to the admin's login page."""
    for route in routes(admin.site.urls[0], "django-admin/"):
        path = "/" + route
        path = re.sub(r"\^?\(\?P<app_label>([a-z_]+)\|[^)]*\)/\$", r"\1/", path)
        path = path.replace("(?P<url>.*)$", "no-such-page/")
        path = re.sub(r"<path:[a-z_]+>|<[a-z_]+>", "1", path)
        login = path == "/django-admin/login/"
        yield "get", path, dict.fromkeys(("anonymous", "outsider", "office"), 200 if login else 302)


# --- the walk -----------------------------------------------------------------------------------

def routes(patterns=None, prefix=""):
    """Every URL pattern of the project as its route text (what `resolve(path).route` gives)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if prefix and text.startswith("^"):
            text = text[1:]
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + text)
        else:
            yield prefix + text


def all_rows():
    return [*TABLE, *admin_rows()]


def test_every_url_pattern_has_a_row():
    covered = {resolve(path.partition("?")[0].format_map(PLACEHOLDERS)).route for _, path, _ in all_rows()}
    missing = sorted(set(routes()) - covered)
    assert not missing, "URL patterns without a row in the permission matrix:\n" + "\n".join(missing)


class Placeholders(dict):
    def __missing__(self, key):
        return MISSING


PLACEHOLDERS = Placeholders()  # enough to resolve a row's path to its pattern


# --- the world the rows run in ----------------------------------------------------------------------

@pytest.fixture
def place(campaign, world, office, haizhou_officer, company_a, expert, surveyor, outsider, resident):
    showcase = f.make_candidates(campaign, world, count=1)[0]
    profile = Expert.objects.create(user=expert, employer_name="某大学")
    assignment = Assignment.objects.create(campaign=campaign, expert=profile, candidate=showcase, assigned_by=office)
    Sheet.objects.create(assignment=assignment)
    inspection = Inspection.objects.create(kind=Inspection.Kind.REGULAR, level="district", community=world.community_a,
                                           district=world.haizhou, company=world.company_a, inspector=haizhou_officer)
    announcement = Announcement.objects.create(campaign=campaign, title="通知", body="内容",
                                               published_at=campaign.starts_at)
    record, _ = credit.record(campaign, world.company_a, "HONOR_CITY", source=Source.MANUAL, source_key="matrix",
                              evidence="依据", actor=office, at=campaign.starts_at)
    SurveyAssignment.objects.create(surveyor=surveyor, community=world.community_a, campaign=campaign)
    # supervision: a failed item with its order, a repeat with an interview, a sample and a redraw
    finding = Finding.objects.create(inspection=inspection, action="environment", item="E1", passed=False,
                                     severity="minor")
    order = RectificationOrder.objects.create(finding=finding, community=world.community_a, district=world.haizhou,
                                              company=world.company_a, issued_by=haizhou_officer,
                                              deadline=datetime.date(2019, 12, 10), workdays=10)
    repeat = RepeatProblem.objects.create(community=world.community_a, district=world.haizhou, item="E1",
                                          company=world.company_a, first=finding, repeat=Finding.objects.create(
                                              inspection=inspection, action="environment", item="E2", passed=False))
    interview = Interview.objects.create(problem=repeat, held_at=campaign.starts_at, attendees="甲", requirements="整改",
                                         deadline=datetime.date(2019, 12, 10), recorded_by=haizhou_officer)
    sample = Sample.objects.create(district=world.haizhou, seed="0" * 64, size=1, population=[world.community_a.pk],
                                   community_ids=[world.community_a.pk], drawn_by=haizhou_officer)
    redraw = SampleRedraw.objects.create(sample=sample, reason="小区停业", requested_by=haizhou_officer)
    objection = CreditObjection.objects.create(record=record, reason="有误", filed_by=company_a,
                                               decide_by=datetime.date(2019, 12, 20))
    credit_list = CreditList.objects.create(campaign=campaign, period="2019-11", as_of=campaign.starts_at,
                                            computed_by=office)
    change = RuleChange.objects.create(campaign=campaign, changes={"publish_daily_at": "20:00"}, reason="延后",
                                       state=RuleChange.State.PENDING, requested_by=office)
    decision = FraudDecision.objects.create(candidate=showcase, network="10.1.2.0/24", action="invalidate",
                                            reason="刷票", vote_ids=[], state=FraudDecision.State.PENDING,
                                            requested_by=office)
    reopen = Reopen.objects.create(sheet=assignment.sheet, reason="漏评", requested_by=office)
    recommendation = Recommendation.objects.create(campaign=campaign, resident=resident.resident,
                                                   community_name=world.community_a.name, district=world.haizhou,
                                                   community=world.community_a, reason="服务好")
    held = SurveyResponse.objects.create(campaign=campaign, community=world.community_a, household="1-1-101",
                                         answers={}, channel="self", client_id="matrix", recorded_at=campaign.starts_at)
    job = Job.objects.create(kind="registry.import.communities", created_by=haizhou_officer)
    notification = Notification.objects.create(user=company_a, message="收到整改通知", link="/supervision/orders/")
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="纪念品", winners_count=3)
    bundle = bundle_path()  # a published checkers' bundle (an empty zip will do for who may fetch it)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with time_machine.travel(VOTING_DAY, tick=False):
        ticket = complaints.file_ticket(campaign, complaints.Filing(
            community=world.community_a, category="repair", urgency="normal", description="门禁坏了好几天",
            phone=resident.resident.phone), source="resident", resident=resident.resident)
    flag = RepeatFlag.objects.create(campaign=campaign, community=world.community_a, district=world.haizhou,
                                     category="repair", count=3, first_at=ticket.filed_at, last_at=ticket.filed_at)
    station = Station.objects.create(community=world.community_a, company=world.company_a, district=world.haizhou,
                                     name="海州花园志愿者服务站", contact_name="李站长", contact_phone="13800138001",
                                     hours="全天", registered_by=company_a, registered_at=campaign.starts_at)
    volunteer = Volunteer.objects.create(station=station, company=world.company_a, district=world.haizhou,
                                         kind="resident", resident=resident.resident, name="张小明", phone=resident.phone,
                                         consent_version="2019.1", consented_at=campaign.starts_at,
                                         joined_at=campaign.starts_at)
    activity = Activity.objects.create(campaign=campaign, station=station, company=world.company_a,
                                       district=world.haizhou, kind="repair", title="义务维修", content="检修水电",
                                       place="广场", starts_at=datetime.datetime(2019, 11, 29, 1, tzinfo=datetime.UTC),
                                       ends_at=datetime.datetime(2019, 11, 29, 3, tzinfo=datetime.UTC), places=5,
                                       organiser=company_a, created_at=campaign.starts_at)
    volunteer_record = Record.objects.create(campaign=campaign, volunteer=volunteer, activity=activity, station=station,
                                             company=world.company_a, district=world.haizhou,
                                             signed_up_at=campaign.starts_at, served_on=activity.starts_at)
    help_request = HelpRequest.objects.create(campaign=campaign, station=station, company=world.company_a,
                                              district=world.haizhou, address="3-1-201", group="elderly_alone",
                                              kind="repair", description="水龙头漏水", phone="13612345678",
                                              requested_at=campaign.starts_at)
    certificate = Certificate.objects.create(number="320720191128000001", volunteer=volunteer, station=station,
                                             company=world.company_a, district=world.haizhou, name="张小明", records=1,
                                             minutes=90, issued_at=campaign.starts_at)
    news = NewsItem.objects.create(campaign=campaign, title="活动启动", body="正文", published_at=campaign.starts_at,
                                   author=office)
    material = Material.objects.create(campaign=campaign, title="核心价值观公益广告", content_type="application/pdf",
                                       size=8, sha256="0" * 64, uploaded_by=office, uploaded_at=campaign.starts_at,
                                       file=default_storage.save("private/matrix.pdf", ContentFile(b"%PDF-1.4\n")))
    posting = Posting.objects.create(campaign=campaign, material=material, company=world.company_a,
                                     district=world.haizhou, channel="notice_board", place="1 号楼公告栏",
                                     posted_on=datetime.date(2019, 11, 20), recorded_by=company_a,
                                     recorded_at=campaign.starts_at)
    with time_machine.travel(VOTING_DAY, tick=False):
        receipt = voting.cast_vote(campaign.pk, resident.resident.pk, showcase.pk, ip="10.1.2.3").body["receipt"]
    ids = {"district": world.haizhou.pk, "showcase": showcase.pk, "application": showcase.application.pk,
           "community": world.community_a.pk,
           "company": world.company_a.pk, "staff": world.staff_a.pk, "assignment": assignment.pk,
           "inspection": inspection.pk, "announcement": announcement.pk, "record": record.pk, "user": surveyor.pk,
           "receipt": receipt, "award": showcase.application.award_id, "lottery": lottery.pk,
           "order": order.pk, "repeat": repeat.pk, "interview": interview.pk, "sample": sample.pk, "redraw": redraw.pk,
           "objection": objection.pk, "list": credit_list.pk, "change": change.pk, "decision": decision.pk,
           "reopen": reopen.pk, "recommendation": recommendation.pk, "response": held.pk, "job": job.pk,
           "ticket": ticket.pk, "number": ticket.number, "flag": flag.pk, "station": station.pk,
           "activity": activity.pk, "vrecord": volunteer_record.pk, "help": help_request.pk, "volunteer": volunteer.pk,
           "certificate": certificate.number, "notification": notification.pk,
           "news": news.pk, "material": material.pk, "posting": posting.pk}
    users = {"outsider": outsider, "office": office, "district": haizhou_officer, "company": company_a,
             "expert": expert, "surveyor": surveyor}
    return Placeholders(ids), users, resident


def client_for(persona, users, resident, api):
    client = Client(raise_request_exception=False)
    if persona == "resident":
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {resident.token}"
        else:
            resident.session(client)
    elif persona != "anonymous":
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(users[persona])[1]}"
        else:
            client.force_login(users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_permission_matrix(place, persona):
    ids, users, resident = place
    pages, api = client_for(persona, users, resident, False), client_for(persona, users, resident, True)
    wrong = []
    with time_machine.travel(VOTING_DAY, tick=False):
        for method, path, expected in all_rows():
            if persona not in expected:
                continue
            url = path.format_map(ids)
            client = api if url.startswith("/api/") else pages
            extra = {"content_type": "application/json"} if url.startswith("/api/") and method != "get" else {}
            cookies = {name: morsel.value for name, morsel in client.cookies.items()}
            with transaction.atomic():
                response = getattr(client, method)(url, **extra)
                transaction.set_rollback(True)
            client.cookies.clear()
            for name, value in cookies.items():
                client.cookies[name] = value
            if response.status_code != expected[persona]:
                wrong.append(f"{method.upper()} {path}: {response.status_code}, expected {expected[persona]}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
