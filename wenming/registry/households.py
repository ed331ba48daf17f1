"""Household numbers of a community's register (住户登记): building / unit / room typed in any
of the ways residents and officials write them, folded to one key ("18-3-1803")."""

import re
import unicodedata

from django.core.exceptions import ValidationError

PART = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff]{1,10}$")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
CN_NUMBER = re.compile(r"^[零〇一二两三四五六七八九十百]+$")
SEPARATORS = re.compile(r"[-－—–_/／\\.·\s]+|号楼|栋|幢|单元|室|号")


def _cn_number(text):
    """'十八' → '18', '三' → '3', '一八零三' → '1803'; anything else as it was."""
    if not CN_NUMBER.match(text):
        return text
    if "十" not in text and "百" not in text:
        return "".join(str(CN_DIGITS[c]) for c in text)
    total, current = 0, 0
    for c in text:
        if c in CN_DIGITS:
            current = CN_DIGITS[c]
        else:
            total += (current or 1) * (10 if c == "十" else 100)
            current = 0
    return str(total + current)


def household_key(building, unit, room):
    """'18-3-1803' from what was typed: full-width digits and letters folded (NFKC), spaces and
    the words 号楼/栋/单元/室 dropped, Chinese numerals as digits, leading zeros dropped,
    letters upper-cased: "十八-三-1803", "18栋3单元1803" and "18-3-1803" are one household."""
    parts = []
    for label, value in (("楼栋", building), ("单元", unit), ("室号", room)):
        text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
        text = re.sub(r"\s+|号楼|栋|幢|单元|室|号$", "", text)
        text = _cn_number(text)
        if text.isdigit():
            text = str(int(text))
        if not PART.match(text):
            raise ValidationError(f"{label}请填写 1 至 10 位数字、字母或汉字")
        parts.append(text)
    return "-".join(parts)


def parse_household(text):
    """(building, unit, room) from one typed household number ("18栋3单元1803", "十八-三-1803")."""
    parts = [p for p in SEPARATORS.split(unicodedata.normalize("NFKC", str(text or "")).strip()) if p]
    if len(parts) != 3:
        raise ValidationError("户号须为“楼栋-单元-室号”，如 18-3-1803 或 18栋3单元1803")
    return tuple(parts)
