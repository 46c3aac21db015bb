"""One test per validation rule of a member record, through the form, the service and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from members import services
from members.forms import MemberForm
from members.models import Member, Sector
from members.validators import validate_id_number, validate_mobile

from .conftest import REGISTERED_ELSEWHERE_IN_TIME, bad_checksum, make_id, with_check_digit


def form_data(sector, **overrides):
    data = {
        "name": "王测试",
        "gender": "M",
        "ethnicity": "汉族",
        "sector": sector.pk,
        "party": "cpc",
        "post": "member",
        "level": "district",
    }
    data.update(overrides)
    return data


@pytest.fixture
def sector(tables):
    return Sector.objects.get(name="教育界")


def test_valid_id_number_passes():
    validate_id_number(make_id())


def test_id_number_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(bad_checksum(make_id()))
    assert exc.value.code == "id_checksum"
    assert "校验位" in exc.value.messages[0]


def test_id_number_of_wrong_length_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(make_id()[:17])
    assert exc.value.code == "id_length"
    assert "18位" in exc.value.messages[0]


def test_id_number_with_impossible_birth_date_is_refused():
    body = "51022319751341123"  # month 13
    with pytest.raises(ValidationError) as exc:
        validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert exc.value.code == "id_birth_date"
    assert "出生日期" in exc.value.messages[0]


@pytest.mark.parametrize("number", REGISTERED_ELSEWHERE_IN_TIME)
def test_number_with_a_code_that_existed_at_any_time_is_accepted(number):
    validate_id_number(number)


@pytest.mark.parametrize("number", REGISTERED_ELSEWHERE_IN_TIME)
def test_form_accepts_a_number_with_a_code_from_another_year(sector, number):
    form = MemberForm(
        data=form_data(sector, id_number=number, gender="M" if int(number[16]) % 2 else "F")
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("number", "code", "part"),
    [
        (with_check_digit("99999919800101123"), "id_region", "地区码"),
        (with_check_digit("50019919800101123"), "id_region", "地区码"),  # no such county
        (with_check_digit("50011019800230123"), "id_birth_date", "出生日期"),  # 30 February
        (with_check_digit("50011018800101123"), "id_birth_date", "出生日期"),  # 1880
        (with_check_digit("50011020990101123"), "id_birth_date", "出生日期"),  # in the future
        (bad_checksum("500110198005061228"), "id_checksum", "校验位"),
        ("50011019800506122", "id_length", "长度"),
        ("5001101980050612288", "id_length", "长度"),
        ("50011019800506A228", "id_format", "格式"),
    ],
)
def test_each_refusal_names_the_part_that_is_wrong(number, code, part):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == code
    assert part in exc.value.messages[0]
    assert "出生日期或地区码" not in exc.value.messages[0]


def test_form_requires_the_id_number_like_the_import_template(sector):
    from members.importing import COLUMNS

    form = MemberForm(data=form_data(sector))
    assert not form.is_valid()
    assert form.errors["id_number"] == ["请填写身份证号。"]
    assert next(c for c in COLUMNS if c.key == "id_number").required


def test_edit_form_keeps_the_stored_number_when_left_blank(sector, office_user):
    member = services.create_member(
        by=office_user, name="甲", gender="M", sector=sector, party="cpc", id_number=make_id()
    )
    form = MemberForm(data=form_data(sector, name="甲"), instance=member)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == member.id_number


def test_mobile_must_be_a_mainland_mobile_number():
    validate_mobile("13912345678")
    for bad in ("12345678901", "1391234567", "02388888888"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_form_shows_chinese_message_for_bad_check_digit(sector):
    form = MemberForm(data=form_data(sector, id_number=bad_checksum(make_id())))
    assert not form.is_valid()
    assert "校验位" in form.errors["id_number"][0]


def test_form_shows_chinese_message_for_bad_mobile(sector):
    form = MemberForm(data=form_data(sector, mobile="1234"))
    assert not form.is_valid()
    assert "手机号码" in form.errors["mobile"][0]


def test_form_requires_name_in_chinese(sector):
    form = MemberForm(data=form_data(sector, name=""))
    assert not form.is_valid()
    assert form.errors["name"] == ["请填写姓名。"]


def test_form_refuses_birth_date_that_disagrees_with_id_number(sector):
    form = MemberForm(
        data=form_data(
            sector, id_number=make_id(datetime.date(1975, 5, 1)), birth_date="1976-05-01"
        )
    )
    assert not form.is_valid()
    assert "不一致" in form.errors["birth_date"][0]


def test_duplicate_id_among_active_members_is_refused(sector, office_user):
    number = make_id()
    services.create_member(
        by=office_user, name="甲", gender="M", sector=sector, party="cpc", id_number=number
    )
    form = MemberForm(data=form_data(sector, id_number=number))
    assert not form.is_valid()
    assert "相同身份证号" in str(form.errors)
    with pytest.raises(ValidationError) as exc:
        services.create_member(
            by=office_user, name="乙", gender="M", sector=sector, party="cpc", id_number=number
        )
    assert "相同身份证号" in str(exc.value)


def test_id_of_a_member_who_left_may_return_on_a_new_record(sector, office_user):
    from members import workflow

    number = make_id()
    old = services.create_member(
        by=office_user, name="甲", gender="M", sector=sector, party="cpc", id_number=number
    )
    workflow.member_leave(old, on=datetime.date(2024, 1, 1), reason="换届", by=office_user)
    new = services.create_member(
        by=office_user, name="甲", gender="M", sector=sector, party="cpc", id_number=number
    )
    assert new.pk != old.pk
    assert Member.objects.filter(id_number=number).count() == 2


def test_service_normalises_id_and_mobile(sector, office_user):
    number = make_id(datetime.date(1980, 2, 3), 457)
    member = services.create_member(
        by=office_user,
        name=" 李四 ",
        gender="M",
        sector=sector,
        party="cpc",
        id_number=f" {number.lower()} ",
        mobile="+86 139 1234 5678",
    )
    member.refresh_from_db()
    assert member.name == "李四"
    assert member.id_number == number
    assert member.mobile == "13912345678"


def test_api_refuses_bad_id_number_in_chinese(sector, client_for, office_user):
    response = client_for(office_user).post(
        "/api/v1/members/",
        {
            "name": "王五",
            "gender": "M",
            "sector": sector.pk,
            "party": "cpc",
            "id_number": bad_checksum(make_id()),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["id_number"][0]
    assert not Member.objects.filter(name="王五").exists()


def test_api_refuses_duplicate_active_id(sector, client_for, office_user):
    number = make_id()
    services.create_member(
        by=office_user, name="甲", gender="M", sector=sector, party="cpc", id_number=number
    )
    response = client_for(office_user).post(
        "/api/v1/members/",
        {"name": "王五", "gender": "M", "sector": sector.pk, "party": "cpc", "id_number": number},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "相同身份证号" in response.json()["id_number"][0]
