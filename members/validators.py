import datetime
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric

# The weights of GB 11643's check digit, for the 17 digits before it.
ID_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_DIGITS = "10X98765432"
# Nobody alive was born earlier; an earlier year is a typing slip.
ID_EARLIEST_BIRTH_YEAR = 1900


@lru_cache(maxsize=4096)
def region_code_existed(code: str) -> bool:
    """Whether a six-digit administrative division code was ever in use.

    python-stdnum's table (cn/loc.dat) lists every county code with the years it was valid, and
    `ric.validate` refuses a code not valid in the birth year. That is wrong for the register: a
    number follows where the person was registered (e.g. 500110 綦江区 from 2011 for someone
    born in 1980, 510222 巴县 until 1994 for someone born in 2000), so any code the table knows
    at any time is accepted."""
    if len(code) != 6 or not code.isdigit():
        return False
    found: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        found.update(props)
    return "province" in found and "county" in found


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_CHECK_WEIGHTS, strict=True))
    return ID_CHECK_DIGITS[total % 11]


def validate_id_number(value: str) -> None:
    """Mainland resident ID (GB 11643): 18 characters; a region code that existed at some time;
    a real birth date not in the future; the check digit. Each failure names the part."""
    if not value:
        return
    number = ric.compact(value)
    if len(number) != 18:
        raise ValidationError(
            _("身份证号长度不正确：应为18位，现为%(n)d位。"),
            code="id_length",
            params={"n": len(number)},
        )
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValidationError(
            _("身份证号格式不正确：前17位应为数字，最后一位为数字或X。"), code="id_format"
        )
    if not region_code_existed(number[:6]):
        raise ValidationError(
            _("身份证号地区码不正确：前6位“%(code)s”不是有效的行政区划代码。"),
            code="id_region",
            params={"code": number[:6]},
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth.year < ID_EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("身份证号出生日期不正确：第7–14位“%(date)s”不是有效日期。"),
            code="id_birth_date",
            params={"date": number[6:14]},
        )
    if birth > timezone.localdate():
        raise ValidationError(
            _("身份证号出生日期不正确：%(date)s 晚于今天。"),
            code="id_birth_date",
            params={"date": birth.isoformat()},
        )
    if number[17] != id_check_digit(number[:17]):
        raise ValidationError(
            _("身份证号校验位不正确：最后一位与前17位不符，请逐位核对。"), code="id_checksum"
        )


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_mobile(value: str) -> None:
    """A mainland mobile number (11 digits starting with 1), as the office records them."""
    if not value:
        return
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("手机号码格式不正确。"), code="mobile_format") from exc
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(_("请输入有效的11位手机号码。"), code="mobile_invalid")


def normalize_mobile(value: str) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits
