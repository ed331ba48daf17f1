"""Phone numbers at rest (issue 22): encrypted in the database, a keyed hash beside them for lookup.

`EncryptedPhoneField` holds a phone number: a plain `str` in Python, a Fernet token (AES-128-CBC
and HMAC-SHA256, a fresh IV each time) in its column, so the same number never gives the same
text twice. The keys come from the environment (settings.PHONE_KEYS: the first encrypts, every
one decrypts, so a key is rotated by putting the new one first and re-encrypting with
`wenming phones rotate`).

A ciphertext cannot be compared, so a column that is looked up by phone, or unique, has a
companion `PhoneHashField` (`hash_field="phone_hash"`): the HMAC-SHA256 of the number under
settings.PHONE_HASH_KEYS (the first writes, every one matches). The hash is derived from the
number whenever it is read (`CompanionAttribute`), so an unsaved instance, a form's validation
and every save carry the right one. The ORM goes through it:

- `filter(phone=x)` and `filter(phone__in=[x, y])` (also across joins: `volunteer__phone=x`)
  compare the hash column with the digests of x, never the ciphertext;
- every other lookup, an expression on the right (F, OuterRef, a subquery) and any lookup on a
  field without a hash raise FieldError, so no query silently compares ciphertexts and finds
  nothing. Compare or count the hash columns themselves (`phone_hash__in=….values("phone_hash")`,
  `Count("phone_hash", distinct=True)`).

`QuerySet.update(phone=…)` and `bulk_update` would bypass the hash: assign and save instead
(`save(update_fields=…)` naming a phone without its hash raises).

An empty value stays empty in both columns (no number, nothing personal). Resident also keeps
the number's first digits in plain text (`prefix_field`, a `PhonePrefixField`), the carrier's
range (not personal),
so that the vote can tell a virtual operator's number without decrypting anything."""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull, Lookup
from django.db.models.query_utils import DeferredAttribute

PREFIX_DIGITS = 4  # Resident.phone_prefix: enough for every virtual operator's range (campaigns.presets)
HASH_LENGTH = 64
KEYS_MISSING = "WENMING_PHONE_KEYS and WENMING_PHONE_HASH_KEYS must be set in production (docs/operations.md)"


class PhoneKeyError(ImproperlyConfigured):
    """A stored phone that none of the configured keys opens, or no keys at all."""


def key_problems(keys, hash_keys):
    """What is wrong with these keys, in English for the operator (system check and command)."""
    problems = []
    if not keys or not hash_keys:
        problems.append(KEYS_MISSING)
    for n, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(f"WENMING_PHONE_KEYS item {n} is not a Fernet key (32 bytes, url-safe base64)")
    for n, key in enumerate(hash_keys, start=1):
        if len(key) < 32:
            problems.append(f"WENMING_PHONE_HASH_KEYS item {n} is shorter than 32 characters")
    return problems


@functools.lru_cache(maxsize=8)
def _fernet(keys):
    if not keys:
        raise PhoneKeyError(KEYS_MISSING)
    try:
        return MultiFernet([Fernet(key) for key in keys]), Fernet(keys[0])
    except (ValueError, TypeError):
        raise PhoneKeyError("WENMING_PHONE_KEYS holds a value that is not a Fernet key") from None


def _keys():
    return tuple(settings.PHONE_KEYS)


def _hash_keys():
    keys = tuple(settings.PHONE_HASH_KEYS)
    if not keys:
        raise PhoneKeyError(KEYS_MISSING)
    return keys


def encrypt_phone(phone):
    """The stored text of `phone` under the current key ("" stays "")."""
    if not phone:
        return phone
    return _fernet(_keys())[0].encrypt(str(phone).encode()).decode("ascii")


def decrypt_phone(token):
    """The number a stored text holds, opened with any configured key ("" stays "")."""
    if not token:
        return token
    try:
        return _fernet(_keys())[0].decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise PhoneKeyError("a stored phone number opens with none of WENMING_PHONE_KEYS "
                            "(a key missing, or the column not encrypted: wenming phones verify)") from None


def is_current(token):
    """Whether a stored text is under the current (first) key: rotation leaves it as it is."""
    if not token:
        return True
    try:
        _fernet(_keys())[1].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def phone_digest(phone, key=None):
    """The lookup hash of `phone` under the current hash key (or `key`); "" for no number."""
    if not phone:
        return ""
    key = key or _hash_keys()[0]
    return hmac.new(key.encode(), str(phone).encode(), hashlib.sha256).hexdigest()


def phone_digests(phone):
    """The hashes `phone` may be stored under: one per configured hash key (during a rotation, more)."""
    if not phone:
        return [""]
    return list(dict.fromkeys(phone_digest(phone, key) for key in _hash_keys()))


class CompanionAttribute(DeferredAttribute):
    """A hash or prefix column's value: derived from the number whenever the number is loaded (an
    unsaved instance, a form's validation, every save carry the right one), the stored value
    otherwise (the number deferred)."""

    @functools.cached_property
    def source(self):
        name = self.field.name
        for field in self.field.model._meta.concrete_fields:
            if isinstance(field, EncryptedPhoneField) and name in (field.hash_field, field.prefix_field):
                return field
        raise ImproperlyConfigured(f"{self.field.model.__name__}.{name}: no EncryptedPhoneField names it")

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        phone = instance.__dict__.get(self.source.attname, _UNLOADED)
        if phone is not _UNLOADED:
            return self.field.derive(phone)
        return super().__get__(instance, cls)

    def __set__(self, instance, value):  # a data descriptor: __get__ decides, not the instance's dict
        instance.__dict__[self.field.attname] = value


_UNLOADED = object()


def _companions_saved_too(sender, instance, update_fields=None, **kwargs):
    """`save(update_fields=[…])` naming a phone must name its hash and prefix too."""
    if not update_fields:
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, EncryptedPhoneField) and field.name in update_fields:
            missing = [name for name in (field.hash_field, field.prefix_field) if name and name not in update_fields]
            if missing:
                raise ValueError(f"{sender.__name__}.save(update_fields=…) names {field.name} but not {missing}")


class EncryptedPhoneField(models.CharField):
    """A phone number, encrypted in its column (see the module). `max_length` is the number's
    (forms and validation); the column is text, wide enough for the token."""

    def __init__(self, *args, hash_field=None, prefix_field=None, **kwargs):
        self.hash_field, self.prefix_field = hash_field, prefix_field
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 11:
            del kwargs["max_length"]
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        if self.prefix_field:
            kwargs["prefix_field"] = self.prefix_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if self.hash_field or self.prefix_field:
            models.signals.pre_save.connect(_companions_saved_too, sender=cls, weak=False,
                                            dispatch_uid=f"wenming.phones.{id(cls)}")

    def get_internal_type(self):
        return "TextField"  # a Fernet token of 11 digits is 100 characters

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def from_db_value(self, value, expression, connection):
        return decrypt_phone(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_phone(value) if value is not None else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return PhoneExact
        if lookup_name == "in":
            return PhoneIn
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(f"{self.model.__name__}.{self.name} is stored encrypted: it can be looked up only by "
                         f"the whole number (exact, in), not with {lookup_name!r}")

    def get_transform(self, lookup_name):
        return None


class _Companion(models.CharField):
    """A column derived from a phone field's number (never edited, never shown)."""

    descriptor_class = CompanionAttribute
    length = HASH_LENGTH

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.length)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("max_length", self.length), ("editable", False), ("blank", True)):
            kwargs.pop(key, None)
            if getattr(self, key) != default:
                kwargs[key] = getattr(self, key)
        return name, path, args, kwargs


class PhoneHashField(_Companion):
    """The keyed hash of the number (phone_digest)."""

    @staticmethod
    def derive(phone):
        return phone_digest(phone)


class PhonePrefixField(_Companion):
    """The number's first PREFIX_DIGITS digits, in plain text."""

    length = PREFIX_DIGITS

    @staticmethod
    def derive(phone):
        return (phone or "")[:PREFIX_DIGITS]


class _ByHash(Lookup):
    """A lookup on an encrypted phone, compiled against its hash column."""

    prepare_rhs = False
    can_use_none_as_rhs = False

    def _refuse(self, why):
        field = self.lhs.output_field
        return FieldError(f"{field.model.__name__}.{field.name} is stored encrypted: {why}")

    def _hash_col(self):
        field = self.lhs.output_field
        if not isinstance(self.lhs, Col) or not field.hash_field:
            raise self._refuse("it has no lookup hash (hash_field) to compare")
        return field.model._meta.get_field(field.hash_field).get_col(self.lhs.alias)

    def _digests(self, values):
        for value in values:
            if hasattr(value, "resolve_expression"):
                raise self._refuse("compare the hash columns (phone_hash) of both sides, not the ciphertexts")
        return list(dict.fromkeys(digest for value in values for digest in phone_digests(value)))


class PhoneExact(_ByHash):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        if self.rhs == "" and not self.lhs.output_field.hash_field:
            return compiler.compile(Exact(self.lhs, ""))  # no number: stored as "" too
        digests = self._digests([self.rhs])
        col = self._hash_col()
        return compiler.compile(Exact(col, digests[0]) if len(digests) == 1 else In(col, digests))


class PhoneIn(_ByHash):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression") or isinstance(self.rhs, str):
            raise self._refuse("compare the hash columns (phone_hash__in=….values('phone_hash')), "
                               "not the ciphertexts")
        col = self._hash_col()
        return compiler.compile(In(col, self._digests([v for v in self.rhs if v is not None])))


class HashedPhones:
    """A model mixin: a form that edits the phone also checks the unique constraints on its hash.
    (A ModelForm leaves out of validation every field it does not show, and the hash is never
    shown, so without this a duplicate would reach the database's constraint.)"""

    def _phone_exclusions(self, exclude):
        if not exclude:
            return exclude
        hashes = {f.hash_field for f in self._meta.concrete_fields
                  if isinstance(f, EncryptedPhoneField) and f.hash_field and f.name not in exclude}
        return set(exclude) - hashes

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude=self._phone_exclusions(exclude))

    def validate_constraints(self, exclude=None):
        super().validate_constraints(exclude=self._phone_exclusions(exclude))


def with_companions(model, names):
    """`names` (fields to save) with the hash and prefix of every phone among them."""
    names = list(names)
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedPhoneField) and field.name in names:
            names += [name for name in (field.hash_field, field.prefix_field) if name and name not in names]
    return names


def is_companion(field):
    return isinstance(field, _Companion)


def phone_fields():
    """Every (model, encrypted phone field) of the installed apps."""
    from django.apps import apps

    return [(model, field) for model in apps.get_models() for field in model._meta.concrete_fields
            if isinstance(field, EncryptedPhoneField)]
