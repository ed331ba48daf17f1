"""Voting API per API.md: votes, receipts, the public board, the leaderboard, lotteries."""

import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError

from wenming.campaigns.services import CAMPAIGN_VERSION, current_campaign
from wenming.core import refusals, versions
from wenming.core.access import get_in_scope
from wenming.core.apiutils import (
    ApiError,
    BodySchema,
    error_response,
    errors,
    field_errors,
    json_response,
    local_iso,
    method_not_allowed,
    plain_operation,
)
from wenming.core.identity.auth import resident_auth
from wenming.core.validators import mask_phone
from wenming.voting import board, services
from wenming.voting.models import BoardEntry, Lottery, Vote

router = Router(tags=["投票"])


def _campaign():
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    return campaign


def _campaign_id():
    campaign_id = current_campaign(id_only=True)
    if campaign_id is None:
        raise ApiError(404, "尚未加载活动")
    return campaign_id


class VoteIn(BodySchema):
    candidate_id: int = Field(..., ge=1, le=2**63 - 1)


class VoteOut(Schema):
    receipt: str
    candidate_id: int
    remaining_today: int


@csrf_exempt  # a bearer token, never a cookie: nothing for a forged cross-site request to ride on
def post_vote(request):
    """One vote for a published candidate, inside the voting window. Accepts Idempotency-Key.

    A plain Django view rather than a ninja operation: the busiest endpoint skips ninja's
    per-request machinery (routing through every API path, parameter models, a provisional
    response): a tenth of its instructions (docs/development.md). Everything else is the
    API's: the resident token, the error shape and codes, the OpenAPI entry (VOTE_OPENAPI)."""
    if request.method != "POST":
        return method_not_allowed("POST")
    claim = resident_auth.claim(request)  # the token's row is checked in the vote's own statement
    if claim is None:
        return error_response(401)
    resident_id, token_hash = claim
    try:
        data = json.loads(request.body)
    except ValueError:
        return error_response(400)
    try:
        candidate_id = VoteIn.model_validate(data).candidate_id
    except ValidationError as exc:
        return error_response(422, fields=field_errors(exc.errors()))
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")[:100] or None
    try:
        cast = services.cast_vote(_campaign_id(), resident_id, candidate_id, token_hash=token_hash,
                                  idempotency_key=key, ip=request.client_ip)
    except services.VoteRefused as exc:  # the API's one mapping, here without ninja's handler (see above)
        return error_response(refusals.api_status(exc), str(exc), code=refusals.api_code(exc))
    except ApiError as exc:
        return json_response(exc.body, exc.status)
    return json_response(cast.body, cast.status)


VOTE_OPENAPI = plain_operation(post_vote, tag="投票", body=VoteIn, answer=VoteOut, status=201,
                               security="ResidentToken", errors_at=(400, 401, 403, 404, 409, 422, 429))


class ReceiptEntry(Schema):
    index: int
    kind: str
    at: str
    reason_code: str | None = None
    hash: str


class ReceiptOut(Schema):
    receipt: str
    candidate_id: int
    cast_at: str
    status: str
    reason: str | None = None
    reason_code: str | None = None
    entries: list[ReceiptEntry]


@router.get("/votes/receipts/{receipt}", response={200: ReceiptOut, **errors(404)}, auth=None)
def get_receipt(request, receipt: str):
    """One vote by its receipt: its status, and its entries on the public board (the vote, then
    its events). The status and reason code are the board's."""
    vote = Vote.objects.filter(receipt=receipt[:32]).first()
    if vote is None:
        raise ApiError(404, "没有这个回执")
    entries = _receipt_entries(vote)
    status, code = board.status_on_board(entries) if entries else (vote.status, "")
    return {"receipt": vote.receipt, "candidate_id": vote.candidate_id, "cast_at": local_iso(vote.cast_at),
            "status": status, "reason": vote.status_reason or None, "reason_code": code or None,
            "entries": [{"index": e.index, "kind": e.kind, "at": local_iso(e.at or vote.cast_at),
                         "reason_code": e.reason_code or None, "hash": e.hash} for e in entries]}


def _receipt_entries(vote):
    entries = board.entries_of(vote)
    if not entries:  # cast a moment ago: the board never lags
        services.sequence_board()
        entries = board.entries_of(vote)
    return entries


class BoardQuery(Schema):
    after: int = Field(0, ge=0, le=2**63 - 1)
    page_size: int = Field(100, ge=1, le=100)


class BoardItem(Schema):
    index: int
    kind: str
    receipt: str
    candidate_id: int
    cast_at: str
    at: str
    status: str
    reason_code: str | None = None
    hash: str


class BoardOut(Schema):
    items: list[BoardItem]
    count: int
    head: str


@router.get("/votes/board", response={200: BoardOut, **errors(422)}, auth=None)
def get_board(request, query: Query[BoardQuery]):
    """Every vote and every change of its status on one hash chain (no identity), ascending by
    index from `after`. `kind` is `vote`, `quarantine`, `release` or `invalidate`; `status` is a
    vote's current one, or the one an event set; the same entries as board.csv (voting README)."""
    services.sequence_board()
    entries = BoardEntry.objects.select_related("vote").filter(index__gt=query.after).order_by("index")[
        : query.page_size]
    count, head = board.head()
    return {
        "items": [{"index": e.index, "kind": e.kind, "receipt": e.vote.receipt, "candidate_id": e.vote.candidate_id,
                   "cast_at": local_iso(e.vote.cast_at), "at": local_iso(e.at or e.vote.cast_at),
                   "status": e.vote.status if e.kind == board.Kind.VOTE else board.EVENT_STATUS[e.kind],
                   "reason_code": e.reason_code or None, "hash": e.hash} for e in entries],
        "count": count,
        "head": head,
    }


class LeaderboardQuery(Schema):
    category: str = Field(..., max_length=40, pattern=r"^[a-z][a-z0-9_]*$")


class LeaderItem(Schema):
    candidate_id: int
    name: str
    votes: int
    rank: int


class LeaderboardOut(Schema):
    items: list[LeaderItem]
    updated_at: str


# Lazy: a visibility change is seen within the TTL, as new votes are ("never stale by more than a
# few seconds"); a hit then reads nothing shared at all.
_leaderboard_answers = versions.Memo(CAMPAIGN_VERSION, seconds=services.LEADERBOARD_TTL, lazy=True)


def _leaderboard_answer(category):
    """(status, payload, code), or None for an unknown award (not kept: only real awards are)."""
    campaign = _campaign()
    if not campaign.awards.filter(key=category).exists():
        return None
    if services.rules(campaign).counts_visibility == "hidden":
        return 403, "投票期间不公开实时票数", "counts_hidden"
    return 200, LeaderboardOut(**services.leaderboard(campaign, category)).model_dump_json().encode(), None


@csrf_exempt  # it changes nothing: any other method than GET is answered 405 by the view itself
def get_leaderboard(request):
    """From the counters, never an aggregate over votes; the whole answer (including the
    visibility decision) is kept in process memory for a second under the campaign version,
    and served for that second without reading the version (a lazy Memo).

    A plain Django view like post_vote, for the same reason: the public's most frequent read."""
    if request.method != "GET":
        return method_not_allowed("GET")
    category = request.GET.get("category")

    def compute():  # only on a miss: what is kept was validated when it was computed
        return _leaderboard_answer(LeaderboardQuery.model_validate(request.GET.dict()).category)

    try:
        answer = _leaderboard_answers.get(category, compute)
    except ValidationError as exc:
        return error_response(422, fields=field_errors(exc.errors()))
    except ApiError as exc:
        return json_response(exc.body, exc.status)
    if answer is None:
        return error_response(404, "没有这个奖项", code="not_found")
    status, payload, code = answer
    if status != 200:
        return error_response(status, payload, code=code)
    # Already validated against LeaderboardOut when cached: sent as it is.
    return HttpResponse(payload, content_type="application/json; charset=utf-8")


LEADERBOARD_OPENAPI = plain_operation(get_leaderboard, tag="投票", query=LeaderboardQuery, answer=LeaderboardOut,
                                      errors_at=(403, 404, 422))


class WinnerOut(Schema):
    entrant_id: str
    masked_phone: str
    prize: str


class LotteryOut(Schema):
    id: int
    name: str
    entrants_hash: str
    seed_commitment: str
    seed: str | None
    public_source: str
    public_date: str | None
    public_value: str | None
    draw_seed: str | None
    winners: list[WinnerOut]
    drawn_at: str | None


def _lottery_out(lottery):
    winners = lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank")
    return {"id": lottery.pk, "name": lottery.name, "entrants_hash": lottery.entrants_hash,
            "seed_commitment": lottery.seed_commitment, "seed": services.public_seed(lottery),
            "public_source": lottery.public_source,
            "public_date": lottery.public_date.isoformat() if lottery.public_date else None,
            "public_value": lottery.public_value or None,
            "draw_seed": lottery.draw_seed if lottery.drawn_at else None,
            "winners": [{"entrant_id": w.pseudonym, "masked_phone": mask_phone(w.voter.resident.phone),
                         "prize": lottery.prize} for w in winners] if lottery.drawn_at else [],
            "drawn_at": local_iso(lottery.drawn_at)}


def _published_lotteries():
    return Lottery.objects.filter(committed_at__isnull=False)


class LotteryList(Schema):
    items: list[LotteryOut]
    count: int


class EntrantList(Schema):
    items: list[str]
    count: int


@router.get("/lotteries", response={200: LotteryList}, auth=None)
def list_lotteries(request):
    items = [_lottery_out(lottery) for lottery in _published_lotteries()]
    return {"items": items, "count": len(items)}


@router.get("/lotteries/{lottery_id}", response={200: LotteryOut, **errors(404)}, auth=None)
def get_lottery(request, lottery_id: str):
    return _lottery_out(get_in_scope(_published_lotteries(), lottery_id))


@router.get("/lotteries/{lottery_id}/entrants", response={200: EntrantList, **errors(404)}, auth=None)
def get_entrants(request, lottery_id: str):
    """The pseudonymous entrant ids, sorted: SHA-256 of them joined by a newline is `entrants_hash`."""
    lottery = get_in_scope(_published_lotteries(), lottery_id)
    items = sorted(lottery.entrants.values_list("pseudonym", flat=True))
    return {"items": items, "count": len(items)}


