"""Sensitive values: masked everywhere for roles without the register right; full values only
through an audited reveal or export."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from members import masking, services
from members.models import Member, SensitiveAccess

from .conftest import make_id

FULL_ID = re.compile(r"\d{17}[\dX]")
FULL_MOBILE = re.compile(r"1[3-9]\d{9}")


def test_mask_functions():
    assert masking.mask_id_number("51022319750501123X") == "510***********123X"
    assert masking.mask_mobile("13812345678") == "138****5678"
    assert masking.mask_birth_date(datetime.date(1975, 5, 1)) == "1975年"
    assert (
        masking.mask_id_number("")
        == masking.mask_mobile(None)
        == masking.mask_birth_date(None)
        == ""
    )


@pytest.fixture
def sensitive_member(member_a, office_user):
    """member_a (古南) with an ID number and mobile, and a history entry that changed the mobile."""
    services.update_member(
        member_a, by=office_user, id_number=make_id(datetime.date(1975, 5, 1)), mobile="13912345678"
    )
    services.update_member(member_a, by=office_user, mobile="13887654321")
    return member_a


def leaks(text: str, member: Member) -> list[str]:
    found = FULL_ID.findall(text) + FULL_MOBILE.findall(text)
    for value in (member.id_number, member.mobile, "13912345678", member.birth_date.isoformat()):
        if value in text:
            found.append(value)
    return found


def export_text(content: bytes) -> str:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return "\n".join(
        " ".join(str(v) for v in r if v is not None) for r in ws.iter_rows(values_only=True)
    )


@pytest.mark.parametrize(
    "who", ["town_user", "member_user", "leader_user", "office_user_without_register"]
)
def test_no_full_id_or_mobile_reaches_roles_without_the_register_right(
    request, who, sensitive_member, client_for
):
    user = request.getfixturevalue(who)
    c = client_for(user)
    member = sensitive_member
    checked = 0
    for url in (
        "/members/",
        f"/members/{member.pk}/",
        "/api/v1/members/",
        f"/api/v1/members/{member.pk}/",
        "/members/export/",
        "/portal/",
        f"/members/{member.pk}/edit/",
    ):
        response = c.get(url)
        if response.status_code != 200:
            assert response.status_code in (403, 404), (url, response.status_code)
            continue
        checked += 1
        body = (
            export_text(response.content) if url.endswith("export/") else response.content.decode()
        )
        assert member.name in body, url
        assert leaks(body, member) == [], url
    assert checked >= 2
    assert c.post(f"/api/v1/members/{member.pk}/sensitive/").status_code in (403, 404)
    assert c.post(f"/members/{member.pk}/reveal/").status_code in (403, 404)
    assert not SensitiveAccess.objects.exists()


def test_detail_page_masks_even_for_register_holders_until_revealed(
    sensitive_member, office_user, client_for
):
    c = client_for(office_user)
    html = c.get(f"/members/{sensitive_member.pk}/").content.decode()
    assert leaks(html, sensitive_member) == []
    assert "显示完整信息" in html
    assert "510***********" in html and "138****4321" in html and "1975年" in html
    assert not SensitiveAccess.objects.exists()


def test_reveal_shows_full_values_and_is_audited(sensitive_member, office_user, client_for):
    c = client_for(office_user)
    response = c.post(f"/members/{sensitive_member.pk}/reveal/", REMOTE_ADDR="10.0.0.7")
    html = response.content.decode()
    assert sensitive_member.id_number in html and "13887654321" in html and "1975-05-01" in html
    assert response["Cache-Control"] == "no-store"
    access = SensitiveAccess.objects.get()
    assert (access.member, access.user, access.ip) == (sensitive_member, office_user, "10.0.0.7")
    assert "身份证号" in access.fields


def test_reveal_with_htmx_returns_only_the_sensitive_block(
    sensitive_member, office_user, client_for
):
    response = client_for(office_user).post(
        f"/members/{sensitive_member.pk}/reveal/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.strip().startswith('<div class="card mt-3" id="sensitive">')
    assert sensitive_member.id_number in html and "<html" not in html


def test_api_sensitive_action_is_audited(sensitive_member, office_user, client_for):
    data = client_for(office_user).post(f"/api/v1/members/{sensitive_member.pk}/sensitive/").json()
    assert data == {
        "id_number": sensitive_member.id_number,
        "mobile": "13887654321",
        "birth_date": "1975-05-01",
    }
    assert SensitiveAccess.objects.filter(member=sensitive_member, user=office_user).count() == 1


@pytest.mark.parametrize("url", ["/members/{pk}/reveal/", "/api/v1/members/{pk}/sensitive/"])
def test_revealing_by_get_is_refused_and_writes_no_audit_row(
    url, sensitive_member, office_user, client_for
):
    response = client_for(office_user).get(url.format(pk=sensitive_member.pk))
    assert response.status_code == 405
    assert sensitive_member.id_number not in response.content.decode()
    assert not SensitiveAccess.objects.exists()


def test_the_detail_page_reveals_with_a_post_form(sensitive_member, office_user, client_for):
    html = client_for(office_user).get(f"/members/{sensitive_member.pk}/").content.decode()
    reveal = f"/members/{sensitive_member.pk}/reveal/"
    assert re.search(rf'<form method="post" action="{reveal}" hx-post="{reveal}"', html)
    assert f'href="{reveal}"' not in html and f'hx-get="{reveal}"' not in html


def test_api_detail_is_masked_for_register_holders_too(sensitive_member, office_user, client_for):
    data = client_for(office_user).get(f"/api/v1/members/{sensitive_member.pk}/").json()
    assert data["id_number_masked"] == masking.mask_id_number(sensitive_member.id_number)
    assert data["mobile_masked"] == "138****4321"
    assert data["birth_year"] == 1975
    assert "id_number" not in data and "mobile" not in data and "birth_date" not in data


def test_export_is_full_for_register_holders_and_audited(sensitive_member, office_user, client_for):
    content = client_for(office_user).get("/members/export/").content
    text = export_text(content)
    assert sensitive_member.id_number in text and "13887654321" in text
    assert SensitiveAccess.objects.filter(member=sensitive_member, user=office_user).count() == 1


def test_history_panel_masks_old_and_new_values(
    sensitive_member, office_user_without_register, office_user, client_for
):
    html = (
        client_for(office_user_without_register)
        .get(f"/members/{sensitive_member.pk}/")
        .content.decode()
    )
    assert "139****5678" in html and "138****4321" in html  # the change is visible, masked
    assert "13912345678" not in html
    revealed = (
        client_for(office_user).post(f"/members/{sensitive_member.pk}/reveal/").content.decode()
    )
    assert "13912345678" in revealed  # after an audited reveal the history shows full values too


def test_edit_form_does_not_prefill_sensitive_values(sensitive_member, office_user, client_for):
    c = client_for(office_user)
    html = c.get(f"/members/{sensitive_member.pk}/edit/").content.decode()
    assert leaks(html, sensitive_member) == []
    # An empty sensitive input keeps the stored value.
    data = {
        "name": sensitive_member.name,
        "gender": "M",
        "ethnicity": "汉族",
        "sector": sensitive_member.sector_id,
        "party": "non_party",
        "post": "member",
        "level": "district",
        "employer": "新单位",
    }
    assert c.post(f"/members/{sensitive_member.pk}/edit/", data).status_code == 302
    sensitive_member.refresh_from_db()
    assert sensitive_member.employer == "新单位"
    assert (
        sensitive_member.mobile == "13887654321"
        and sensitive_member.birth_date == datetime.date(1975, 5, 1)
    )
