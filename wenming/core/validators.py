"""Validators for Chinese identifiers, each with a Chinese error message.

- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S,
  V, Z); the last is a check character computed mod 31 over the first 17.
- 居民身份证号码 (GB 11643-1999): 17 digits + check (mod 11, ISO 7064), with a real birth date.
- Mainland mobile numbers: 11 digits starting 13–19.
"""

import datetime
import re

from django.core.exceptions import ValidationError

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE_RE = re.compile(r"1[3-9]\d{9}")


def credit_code_check_char(first17):
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value):
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位，当前为 %(n)s 位", code="length", params={"n": len(code)})
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError("统一社会信用代码含有非法字符“%(c)s”", code="charset", params={"c": bad[0]})
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位错误", code="check_digit")


def normalize_credit_code(value):
    return (value or "").strip().upper()


def validate_phone(value):
    if not PHONE_RE.fullmatch(value or ""):
        raise ValidationError("手机号应为 11 位中国大陆手机号码", code="phone")


def clean_phone(value, required=True):
    """Strip and check a form's phone value; an optional one may be left empty."""
    phone = (value or "").strip()
    if phone or required:
        validate_phone(phone)
    return phone


def mask_phone(value):
    """138****5678. Anything that is not a full mobile number is masked whole but its tail."""
    value = value or ""
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)


def is_masked(value):
    return "*" in (value or "")


def id_number_check_char(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def validate_id_number(value):
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError("身份证号码应为 18 位（末位可为 X）", code="format")
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", code="birth_date") from None
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位错误", code="check_digit")


def mask_id_number(value):
    value = value or ""
    return value[:6] + "********" + value[-4:] if len(value) == 18 else "*" * len(value)


# Text typed into a form. Control characters (C0, DEL, C1) break exports and logs and can hide
# text; in one-line fields (names, titles: shown publicly) so do bidi overrides, zero-width
# characters and other invisible format characters. Multi-line text keeps tab and line breaks.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
MULTILINE_REFUSED = re.compile(f"[{_CONTROL}]")
ONE_LINE_REFUSED = re.compile(f"[\t\n\r{_CONTROL}{_INVISIBLE}]")


def refuse_hidden_characters(value, *, multiline=False):
    pattern = MULTILINE_REFUSED if multiline else ONE_LINE_REFUSED
    if isinstance(value, str) and pattern.search(value):
        raise ValidationError("不能包含控制字符或不可见字符（如零宽字符、文字方向控制符），请删除后重新输入",
                              code="hidden_characters")


def validate_one_line_text(value):
    refuse_hidden_characters(value)


def validate_multiline_text(value):
    refuse_hidden_characters(value, multiline=True)
