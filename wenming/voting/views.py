"""The residents' voting page: reached from a candidate's page or QR poster, verified by SMS
code (the same phone check as recommendations), one POST per vote, a receipt to keep."""

import re
import uuid
from urllib.parse import quote

from django import forms
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wenming.awards.services import published_or_404
from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope
from wenming.core.forms import Form
from wenming.core.identity.phone_step import phone_step
from wenming.core.pages import REFUSALS, refusal
from wenming.core.validators import mask_phone
from wenming.voting import board, published, published_lottery, services
from wenming.voting.models import BoardEntry, Lottery, Vote, VoteStatus


class VoteForm(Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "class": "hp", "tabindex": "-1", "autocomplete": "off"}))  # honeypot: people leave it empty


@require_http_methods(["GET", "POST"])
def vote(request, pk):
    campaign = current_campaign(or_404=True)
    candidate = published_or_404(pk, campaign)
    resident, response = phone_step(
        request, campaign, "vote", heading=f"为“{candidate.title}”投票", intro="投票前请验证手机号（每个手机号验证一次即可）。",
        eyebrow=f"{candidate.application.award.name}候选 · {candidate.application.district}")
    if response is not None:
        return response
    form = VoteForm(request.POST if request.POST.get("step") == "vote" else None,
                    initial={"idempotency_key": uuid.uuid4()})
    status, error = 200, None
    resident_id = resident.pk
    if request.method == "POST" and request.POST.get("step") == "vote":
        if not form.is_valid() or form.cleaned_data.get("website"):
            status, error = 400, "提交失败，请刷新页面后重试"
        else:
            try:
                cast = services.cast_vote(campaign.pk, resident_id, candidate.pk,
                                          idempotency_key=f"page-{form.cleaned_data['idempotency_key']}",
                                          ip=request.client_ip, channel="wechat" if _in_wechat(request) else "web")
            except REFUSALS as exc:
                status, error = refusal(exc)
            else:
                return redirect("voting:receipt", receipt=cast.body["receipt"])
    used_up = services.refusal_before_vote(campaign.pk, resident_id, candidate.pk)
    return render(request, "voting/vote.html", {"candidate": candidate, "form": form, "error": error,
                                                "used_up": used_up,
                                                "rules": services.rules(campaign),
                                                "phone_masked": mask_phone(resident.phone)}, status=status)


def _in_wechat(request):
    return "MicroMessenger" in request.headers.get("User-Agent", "")


@require_GET
def receipt(request, receipt):
    """The public receipt page: the vote, its entries on the board and its current status (the
    board's), for anyone holding the receipt. No identity is shown."""
    vote = (Vote.objects.select_related("candidate__application__award", "award__campaign", "voter")
            .filter(receipt=receipt[:32]).first())
    if vote is None:
        return render(request, "voting/receipt.html", {"missing": True}, status=404)
    entries = board.entries_of(vote)
    if not entries:  # cast a moment ago: the board never lags
        services.sequence_board()
        entries = board.entries_of(vote)
    status, code = board.status_on_board(entries) if entries else (vote.status, "")
    return render(request, "voting/receipt.html", {
        "lotteries": services.entries_of_voter(vote.voter, vote.award.campaign),
        "vote": vote, "entries": [(e, board.reason_label(e.reason_code)) for e in entries],
        "status": status, "status_label": VoteStatus(status).label, "reason_code": code,
        "reason_label": board.reason_label(code) if code else ""})


class ReceiptLookup(Form):
    receipt = forms.CharField(label="回执编号", max_length=64, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "inputmode": "latin"}))

    def clean_receipt(self):
        value = self.cleaned_data["receipt"].strip().lower()
        if not RECEIPT.fullmatch(value):
            raise forms.ValidationError("回执编号是 32 位数字和字母（0–9、a–f），请核对后重新输入")
        return value


RECEIPT = re.compile(r"[0-9a-f]{32}")


@require_GET
def board_page(request):
    """The public board: its size and head, a receipt lookup, the newest entries, the files to
    download and how to check them."""
    status = 200
    form = ReceiptLookup(request.GET if "receipt" in request.GET else None)
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif Vote.objects.filter(receipt=form.cleaned_data["receipt"]).exists():
            return redirect("voting:receipt", receipt=form.cleaned_data["receipt"])
        else:
            form.add_error("receipt", "没有这个回执，请核对编号（投票后页面上显示的 32 位编号）")
            status = 404
    services.sequence_board()
    count, head = board.head()
    latest = list(BoardEntry.objects.select_related("vote").order_by("-index")[:10])
    return render(request, "voting/board.html", {
        "form": form, "count": count, "head": head,
        "latest": [(e, board.reason_label(e.reason_code)) for e in latest]}, status=status)


def _attachment(response, name, names=published.DOWNLOADED_AS):
    """Named in Chinese (RFC 5987), with the name `verify --from-published` also accepts as fallback."""
    response["Content-Disposition"] = (f'attachment; filename="{name}"; '
                                       f"filename*=UTF-8''{quote(names[name])}")
    return response


def _upto(request):
    """The `upto` of a download: an entry index, or None (the current head); ValueError if malformed."""
    value = request.GET.get("upto")
    if value is None:
        services.sequence_board()
        return board.head()[0]
    upto = int(value)
    if upto < 0:
        raise ValueError(value)
    return min(upto, board.head()[0])


@require_GET
def board_csv(request):
    try:
        upto = _upto(request)
    except ValueError:
        return HttpResponseBadRequest("upto 须为非负整数".encode(), content_type="text/plain; charset=utf-8")
    return _attachment(StreamingHttpResponse((line.encode() for line in board.board_csv(upto)),
                                             content_type="text/csv; charset=utf-8"), published.BOARD_FILE)


@require_GET
def tally_json(request):
    try:
        upto = _upto(request)
    except ValueError:
        return HttpResponseBadRequest("upto 须为非负整数".encode(), content_type="text/plain; charset=utf-8")
    return _attachment(HttpResponse(board.tally_json(upto).encode(), content_type="application/json; charset=utf-8"),
                       published.TALLY_FILE)


@require_GET
def leaderboard(request):
    """The public ranking per award, when the rules make counts public (live)."""
    campaign = current_campaign(or_404=True)
    visible = services.rules(campaign).counts_visibility != "hidden"
    boards = [(award, services.leaderboard(campaign, award.key)["items"] if visible else [])
              for award in campaign.awards.all()]
    return render(request, "voting/leaderboard.html", {"boards": boards, "visible": visible})


def _public_lotteries():
    return Lottery.objects.filter(campaign=current_campaign(or_404=True), committed_at__isnull=False)


@require_GET
def lotteries(request):
    """The public list of the voters' lotteries, once their entrants are committed."""
    return render(request, "voting/lottery_public_list.html", {"lotteries": _public_lotteries()})


@require_GET
def lottery_page(request, pk):
    """A lottery in public: commitment, public value, seeds, entrants hash, masked winners, the
    files and how to re-run the draw; a voter finds their own entry by receipt."""
    lottery = get_in_scope(_public_lotteries(), pk)
    status = 200
    form = ReceiptLookup(request.GET if "receipt" in request.GET else None)
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif Vote.objects.filter(receipt=form.cleaned_data["receipt"]).exists():
            return redirect(reverse("voting:receipt", args=[form.cleaned_data["receipt"]]) + "#lottery")
        else:
            form.add_error("receipt", "没有这个回执，请核对编号（投票后页面上显示的 32 位编号）")
            status = 404
    record = services.lottery_record(lottery)
    return render(request, "voting/lottery_public.html", {
        "lottery": lottery, "record": record, "form": form}, status=status)


@require_GET
def lottery_entrants(request, pk):
    lottery = get_in_scope(_public_lotteries(), pk)
    text = published_lottery.entrants_text(lottery.entrants.values_list("pseudonym", flat=True))
    return _attachment(HttpResponse(text.encode(), content_type="text/plain; charset=utf-8"),
                       published_lottery.ENTRANTS_FILE, published_lottery.DOWNLOADED_AS)


@require_GET
def lottery_json(request, pk):
    lottery = get_in_scope(_public_lotteries(), pk)
    text = published_lottery.lottery_text(services.lottery_record(lottery))
    return _attachment(HttpResponse(text.encode(), content_type="application/json; charset=utf-8"),
                       published_lottery.LOTTERY_FILE, published_lottery.DOWNLOADED_AS)


@require_GET
def lottery_rerun(request):
    """The few lines of Python that re-run a draw from its two downloaded files."""
    return _attachment(HttpResponse(published_lottery.RERUN.encode(), content_type="text/x-python; charset=utf-8"),
                       published_lottery.RERUN_FILE, published_lottery.DOWNLOADED_AS)
