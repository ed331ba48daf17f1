import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from wenming.core.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    id_number_check_char,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# A published code (国家税务总局's own 统一社会信用代码).
REAL_CODE = "11100000000013127D"


def test_it_accepts_a_real_credit_code():
    validate_credit_code(REAL_CODE)


def test_it_names_a_wrong_check_digit():
    wrong = REAL_CODE[:-1] + ("E" if REAL_CODE[-1] != "E" else "F")
    with pytest.raises(ValidationError, match="统一社会信用代码校验位错误"):
        validate_credit_code(wrong)


@pytest.mark.parametrize("value, message", [
    ("1110000000001312", "应为 18 位"),
    ("11100000000013127I", "非法字符“I”"),
])
def test_it_explains_malformed_credit_codes(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert message in exc.value.messages[0] % exc.value.params if exc.value.params else message in exc.value.messages[0]


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_generated_check_characters_validate(first17):
    validate_credit_code(first17 + credit_code_check_char(first17))


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_any_other_check_character_is_refused(first17, other):
    if other == credit_code_check_char(first17):
        return
    with pytest.raises(ValidationError):
        validate_credit_code(first17 + other)


def test_phone_rules():
    validate_phone("13800138000")
    for bad in ("1380013800", "23800138000", "138001380000", "1380013800a", ""):
        with pytest.raises(ValidationError, match="11 位"):
            validate_phone(bad)


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_id_number_check():
    body = "11010519491231002"
    validate_id_number(body + id_number_check_char(body))
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number(body + ("0" if id_number_check_char(body) != "0" else "1"))
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("110105194913310021")
