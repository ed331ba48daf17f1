"""Uploads kept across a form error, so a person never chooses the same photos twice.

A form re-rendered after an error cannot hand files back to the browser. So each accepted
upload is cleaned once (`core.uploads.clean_image`: checked by content, re-encoded, EXIF
dropped), stored as a pending file under `pending/`, and the page carries a token for it: a
signed (django.core.signing) note of the stored names, bound to the person who uploaded it.
The next post sends the token back instead of the file. A token the signer did not issue, one
for someone else, or an expired one is refused ("已失效，请重新选择"), never read.

A successful save takes the kept files as cleaned files and deletes the pending copies after
commit; files left by an abandoned form are removed by `sweep()` (the daily supervision sweep
calls it)."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wenming.core.uploads import CleanFile, UploadRejected, clean_image

SALT = "wenming.core.kept_uploads"
FOLDER = "pending"
MAX_AGE = 24 * 3600  # a form left open over lunch still keeps its photos; a week-old token does not


def owner_of(request, *, create=True):
    """Who a kept file belongs to: the signed-in user, or else this browser's session (a
    phone-verified resident). Hashed: the token is readable, the session key must not be.
    With `create=False` (a GET) a browser without a session owns nothing: None."""
    if request.user.is_authenticated:
        who = f"user:{request.user.pk}"
    else:
        if not request.session.session_key:
            if not create:
                return None
            request.session.save()
        who = f"session:{request.session.session_key}"
    return salted_hmac(SALT, who, algorithm="sha256").hexdigest()[:24]


def keep(clean, owner):
    """Store a cleaned file as pending; returns its token."""
    stem = uuid.uuid4().hex
    clean.content.seek(0)
    name = default_storage.save(f"{FOLDER}/{stem}.jpg", ContentFile(clean.content.read()))
    thumb = ""
    if clean.thumbnail is not None:
        clean.thumbnail.seek(0)
        thumb = default_storage.save(f"{FOLDER}/{stem}-t.jpg", ContentFile(clean.thumbnail.read()))
    return signing.dumps({"f": name, "t": thumb, "o": owner, "c": clean.content_type, "s": clean.size,
                          "h": clean.sha256, "w": clean.width, "y": clean.height}, salt=SALT, compress=True)


def _note(token, owner, max_age=MAX_AGE):
    try:
        note = signing.loads(str(token), salt=SALT, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        note = None
    if (not isinstance(note, dict) or note.get("o") != owner or not str(note.get("f", "")).startswith(f"{FOLDER}/")
            or not default_storage.exists(note["f"])):
        raise UploadRejected("已保留的照片已失效，请重新选择")
    return note


def load(token, owner):
    """The cleaned file behind a token (UploadRejected if the token is not one we issued to
    this owner, has expired, or its file is gone)."""
    note = _note(token, owner)
    with default_storage.open(note["f"]) as f:
        body = f.read()
    thumbnail = None
    if note.get("t") and default_storage.exists(note["t"]):
        with default_storage.open(note["t"]) as f:
            thumbnail = ContentFile(f.read(), name=f"{uuid.uuid4().hex}.jpg")
    return CleanFile(content=ContentFile(body, name=f"{uuid.uuid4().hex}.jpg"), thumbnail=thumbnail,
                     content_type=note.get("c", "image/jpeg"), size=note.get("s", len(body)), sha256=note.get("h", ""),
                     width=note.get("w", 0), height=note.get("y", 0))


def preview_name(token, owner):
    """The stored thumbnail (or the file) to show for a token."""
    note = _note(token, owner)
    return note["t"] or note["f"]


def discard(tokens, owner):
    """Delete the pending files of these tokens (after a successful save, on commit)."""
    names = []
    for token in tokens:
        try:
            note = _note(token, owner)
        except UploadRejected:
            continue
        names += [n for n in (note["f"], note["t"]) if n]

    def delete():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)


def sweep(older_than=datetime.timedelta(seconds=MAX_AGE)):
    """Delete pending files older than a token lives; returns how many."""
    try:
        _, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed


@dataclass
class Photos:
    """The photos of one form field: those kept from an earlier try (token, cleaned file) and
    those chosen now (cleaned, not yet stored); `errors` name each photo refused."""

    owner: str
    kept: list = field(default_factory=list)
    new: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def files(self):
        return [clean for _, clean in self.kept] + self.new

    @property
    def tokens(self):
        return [token for token, _ in self.kept]

    def keep(self):
        """After a refusal: store the new photos once as pending; the page shows them as kept."""
        self.kept += [(keep(clean, self.owner), clean) for clean in self.new]
        self.new = []
        return self.tokens

    def saved(self):
        """After a successful save: the pending copies are no longer needed."""
        discard(self.tokens, self.owner)


def take_photos(files, tokens, *, owner, max_bytes, limit, label="照片"):
    """Clean the photos chosen now and load those kept earlier, at most `limit` in all.
    A refused photo is named in `errors`; the others are still taken (and kept on a refusal)."""
    photos = Photos(owner=owner)
    for token in dict.fromkeys(t for t in tokens if t):  # a token sent twice is one photo
        try:
            photos.kept.append((token, load(token, owner)))
        except UploadRejected as exc:
            photos.errors.append(str(exc))
    for upload in files:
        try:
            photos.new.append(clean_image(upload, max_bytes=max_bytes, label=label))
        except UploadRejected as exc:
            name = getattr(upload, "name", "") or ""
            photos.errors.append(f"{name[:40]}：{exc}" if name else str(exc))
    if len(photos.kept) + len(photos.new) > limit:
        photos.errors.append(f"{label}最多 {limit} 张")
    return photos


def take_item_photos(request, keys, *, new_prefix, kept_prefix, max_bytes, limit):
    """`take_photos` for each item of a form with a photo field per item (a score sheet, a
    checklist): {key: Photos} from the files `<new_prefix><key>` and kept tokens `<kept_prefix><key>`."""
    owner = owner_of(request)
    return {key: take_photos(request.FILES.getlist(f"{new_prefix}{key}"), request.POST.getlist(f"{kept_prefix}{key}"),
                             owner=owner, max_bytes=max_bytes, limit=limit) for key in keys}

