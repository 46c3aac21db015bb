"""The member's own block on /portal/."""

import datetime

from members import services

from .conftest import make_id


def test_portal_shows_who_i_am_masked(member_a, member_user, office_user, client_for):
    services.update_member(
        member_a,
        by=office_user,
        id_number=make_id(datetime.date(1975, 5, 1)),
        mobile="13912345678",
        employer="綦江中学",
    )
    html = client_for(member_user).get("/portal/").content.decode()
    assert 'id="portal-me"' in html
    assert member_a.name in html and member_a.sector.name in html
    assert "139****5678" in html and "1975年" in html and "綦江中学" in html
    assert "13912345678" not in html and member_a.id_number not in html
    assert "修改联系方式和履职意愿" in html


def test_portal_lists_my_terms_and_pending_request(member_a, member_user, term, client_for):
    member_a.terms.add(term)
    services.submit_change_request(member_a, {"wishes": "驻站"}, by=member_user)
    html = client_for(member_user).get("/portal/").content.decode()
    assert term.name in html
    assert "正在审核中" in html


def test_change_request_page_fits_a_phone_and_has_no_inline_code(member_user, client_for):
    html = client_for(member_user).get("/members/me/change/").content.decode()
    assert "portal-main" in html and 'name="viewport"' in html
    assert "<table" not in html  # nothing wider than the screen
    assert "style=" not in html and "<script>" not in html


def test_staff_cannot_use_the_members_own_form(office_user, client_for):
    assert client_for(office_user).get("/members/me/change/").status_code == 403
