import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)


def validate_id_number(value: str) -> None:
    """Mainland resident ID: 18 characters, a valid region and birth date, and its check digit."""
    if not value:
        return
    try:
        ric.validate(value)
    except InvalidLength as exc:
        raise ValidationError(_("身份证号应为18位。"), code="id_length") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("身份证号校验位不正确，请核对最后一位。"), code="id_checksum"
        ) from exc
    except InvalidComponent as exc:
        raise ValidationError(_("身份证号中的出生日期或地区码无效。"), code="id_component") from exc
    except (InvalidFormat, StdnumError) as exc:
        raise ValidationError(_("身份证号格式不正确。"), code="id_format") from exc


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
