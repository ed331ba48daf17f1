"""The public board in the database: the sequencer, the status events, the checks and the
published files (their format and the database-free check: voting.published).

Every vote is appended once, in id order, by the sequencer, which runs whenever the board is
read (votes never wait on it). A vote quarantined when cast gets its `quarantine` event right
behind it; the review appends `release` and `invalidate` events (review._apply) after putting
every vote on the board, in the same transaction as the status change. Appends are serialised:
on PostgreSQL by a transaction-level advisory lock, on SQLite by its single writer."""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from wenming.voting import published
from wenming.voting.models import BoardEntry, TallyShard, Vote, VoteStatus
from wenming.voting.published import GENESIS, REASONS, utc_text

Kind = BoardEntry.Kind
EVENT_STATUS = {Kind.QUARANTINE: VoteStatus.QUARANTINED, Kind.RELEASE: VoteStatus.COUNTED,
                Kind.INVALIDATE: VoteStatus.INVALIDATED}
BOARD_LOCK = 7_101_126  # the advisory lock's key (PostgreSQL)
# The reason texts of the risk signals (services._risk_signals, VIRTUAL_REASON) as (code, start, end).
SIGNALS = (("virtual_operator", "虚拟运营商号段", ""), ("net24_daily", "同一网段（", "当日投票集中"),
           ("candidate_burst", "同一网段短时间内集中投票", ""), ("night_net24", "夜间同一网段集中投票", ""))


def signal_code(reason):
    """The reason code of a vote's quarantine, from the text the vote path stored."""
    for code, start, end in SIGNALS:
        if reason.startswith(start) and reason.endswith(end):
            return code
    return "flagged"


def decision_code(vote):
    """The reason code of a release or invalidation: the signal that held the vote (the office
    confirmed or cleared it), or `office_review` for a vote that no signal held."""
    return signal_code(vote.status_reason) if vote.status == VoteStatus.QUARANTINED else "office_review"


def reason_label(code):
    return REASONS.get(code, code)


def _lock():
    """Serialise appends to the board until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOARD_LOCK])


def _head():
    head = BoardEntry.objects.order_by("-index").values_list("index", "hash").first()
    return head or (0, GENESIS)


def _event(index, prev, kind, vote, code, at):
    digest = published.entry_hash(prev, index, kind, vote.receipt, vote.candidate_id, utc_text(at), code)
    return BoardEntry(index=index, kind=kind, vote=vote, reason_code=code, at=at, hash=digest)


def sequence_board(limit=5000):
    """Append up to `limit` votes not yet on the board, in id order, each followed by the event
    that brings the board to the vote's status (a quarantine at cast). Returns the votes appended."""
    with transaction.atomic():
        _lock()
        index, prev = _head()
        pending = list(Vote.objects.filter(board_entries__isnull=True).order_by("id")
                       .only("id", "receipt", "candidate_id", "cast_at", "status", "status_reason")[:limit])
        entries = []
        for vote in pending:
            index += 1
            prev = published.entry_hash(prev, index, "vote", vote.receipt, vote.candidate_id, utc_text(vote.cast_at))
            entries.append(BoardEntry(index=index, kind=Kind.VOTE, vote=vote, hash=prev))
            for kind, code, at in _catch_up(vote):
                index += 1
                entries.append(_event(index, prev, kind, vote, code, at))
                prev = entries[-1].hash
        try:
            with transaction.atomic():
                BoardEntry.objects.bulk_create(entries, batch_size=2000)
        except IntegrityError:
            return 0  # another sequencer appended the same votes first (SQLite, an empty board)
    return len(pending)


def _catch_up(vote):
    """The events a vote needs on the board to show its status when it is appended."""
    if vote.status == VoteStatus.QUARANTINED:
        return [(Kind.QUARANTINE, signal_code(vote.status_reason), vote.cast_at)]
    if vote.status == VoteStatus.INVALIDATED:
        return [(Kind.INVALIDATE, "office_review", vote.cast_at)]
    return []


def sequence_all():
    """Put every vote cast so far on the board."""
    total = 0
    while appended := sequence_board():
        total += appended
    return total


def append_events(kind, changes, at):
    """Append one `kind` event per (vote, reason code), in order, in the caller's transaction.
    The votes must already be on the board (the review calls sequence_all first)."""
    if not changes:
        return 0
    with transaction.atomic():
        _lock()
        ids = [vote.pk for vote, _ in changes]
        on_board = set(BoardEntry.objects.filter(kind=Kind.VOTE, vote_id__in=ids).values_list("vote_id", flat=True))
        if len(on_board) != len(set(ids)):
            raise RuntimeError("a status change for a vote that is not on the board yet")
        index, prev = _head()
        entries = []
        for vote, code in changes:
            index += 1
            entries.append(_event(index, prev, kind, vote, code, at))
            prev = entries[-1].hash
        BoardEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _entries(after=0, upto=None):
    rows = BoardEntry.objects.filter(index__gt=after).order_by("index")
    if upto is not None:
        rows = rows.filter(index__lte=upto)
    return rows.values_list("index", "kind", "vote__receipt", "vote__candidate_id", "vote__cast_at", "at",
                            "reason_code", "hash")


def entry_fields(row):
    """(index, kind, receipt, candidate_id, at text, reason_code, hash) of an _entries row."""
    index, kind, receipt, candidate_id, cast_at, at, code, digest = row
    return index, kind, receipt, candidate_id, utc_text(at or cast_at), code, digest


def verify_board():
    """Recompute the chain from the vote rows and the entries, and check every event follows
    the rules. Returns (entries checked, first broken index or None)."""
    prev, checked = GENESIS, 0
    status = {}
    for row in _entries().iterator(chunk_size=5000):
        index, kind, receipt, candidate_id, at, code, digest = entry_fields(row)
        checked += 1
        if kind != Kind.VOTE:
            after, before = published.EVENTS.get(kind, (None, ()))
            if status.get(receipt, VoteStatus.COUNTED) not in before or code not in REASONS:
                return checked, index
            status[receipt] = after
        if index != checked or published.entry_hash(prev, index, kind, receipt, candidate_id, at, code) != digest:
            return checked, index
        prev = digest
    return checked, None


def board_statuses():
    """{vote id: status} of the votes whose latest event is not `counted` (from the board)."""
    latest = {}
    for vote_id, kind in BoardEntry.objects.exclude(kind=Kind.VOTE).order_by("index").values_list("vote_id", "kind"):
        latest[vote_id] = EVENT_STATUS[kind]
    return {vote_id: status for vote_id, status in latest.items() if status != VoteStatus.COUNTED}


def verify_statuses():
    """The first vote on the board whose status in the database is not the board's: (board
    index of the vote, status in the database, status on the board), or None."""
    on_board = board_statuses()
    rows = dict(Vote.objects.filter(board_entries__kind=Kind.VOTE).exclude(status=VoteStatus.COUNTED)
                .values_list("id", "status"))
    differing = [vote_id for vote_id in set(on_board) | set(rows)
                 if on_board.get(vote_id, VoteStatus.COUNTED) != rows.get(vote_id, VoteStatus.COUNTED)]
    if not differing:
        return None
    first = (BoardEntry.objects.filter(kind=Kind.VOTE, vote_id__in=differing).order_by("index")
             .values_list("index", "vote_id").first())
    return first[0], rows.get(first[1], VoteStatus.COUNTED), on_board.get(first[1], VoteStatus.COUNTED)


def board_tally(upto=None):
    """{candidate: {counted, quarantined, invalidated}} from the board alone (up to entry `upto`)."""
    entries = BoardEntry.objects.all() if upto is None else BoardEntry.objects.filter(index__lte=upto)
    tally = {c: {VoteStatus.COUNTED: n, VoteStatus.QUARANTINED: 0, VoteStatus.INVALIDATED: 0}
             for c, n in entries.filter(kind=Kind.VOTE).values_list("vote__candidate_id").annotate(n=Count("index"))
             .values_list("vote__candidate_id", "n")}
    latest = {}
    for vote_id, candidate_id, kind in (entries.exclude(kind=Kind.VOTE).order_by("index")
                                        .values_list("vote_id", "vote__candidate_id", "kind")):
        latest[vote_id] = (candidate_id, EVENT_STATUS[kind])
    for candidate_id, status in latest.values():
        if status != VoteStatus.COUNTED:
            tally[candidate_id][VoteStatus.COUNTED] -= 1
            tally[candidate_id][status] += 1
    return tally


def verify_tally():
    """Candidates whose counter differs from the board's tally: {candidate: (counter, board)}.
    Every vote cast so far is put on the board first (the sequencer may not have run yet)."""
    from django.db.models import Sum

    sequence_all()

    board = {c: row[VoteStatus.COUNTED] for c, row in board_tally().items()}
    counters = dict(TallyShard.objects.values_list("candidate_id").annotate(n=Sum("counted"))
                    .values_list("candidate_id", "n"))
    return {c: (counters.get(c, 0), board.get(c, 0)) for c in set(board) | set(counters)
            if counters.get(c, 0) != board.get(c, 0)}


def head():
    """(entries on the board, hash of the newest)."""
    return _head()


def board_csv(upto=None):
    """board.csv, as lines (header first), up to entry `upto` (default: all)."""
    yield published.HEADER
    for row in _entries(upto=upto).iterator(chunk_size=5000):
        yield published.board_line(*entry_fields(row))


def tally_json(upto=None):
    """tally.json at entry `upto` (default: the head)."""
    count, digest = _head()
    if upto is not None and upto < count:
        count = upto
        digest = BoardEntry.objects.values_list("hash", flat=True).get(index=upto) if upto else GENESIS
    return published.tally_text(count, digest, board_tally(count))


def publish(directory):
    """Write board.csv and tally.json of the whole board (sequenced first) into `directory`."""
    from pathlib import Path

    sequence_all()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    count, _ = _head()
    with open(directory / published.BOARD_FILE, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(board_csv(count))
    (directory / published.TALLY_FILE).write_text(tally_json(count), encoding="utf-8", newline="\n")
    return count


def entries_of(vote):
    """The vote's entries on the board, oldest first (its vote entry, then its events)."""
    return list(vote.board_entries.order_by("index"))


def status_on_board(entries):
    """(status, reason code) of a vote from its entries: its latest event's, or counted."""
    for entry in reversed(entries):
        if entry.kind != Kind.VOTE:
            return EVENT_STATUS[entry.kind], entry.reason_code
    return VoteStatus.COUNTED, ""
