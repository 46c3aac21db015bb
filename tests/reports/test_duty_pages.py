"""The duty record pages, the ranking with its export, and who may open them."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.models import DutyEntry, DutyKind
from tests.factories import MemberFactory, MembershipFactory

THIS_YEAR = timezone.localdate().year
_sources = itertools.count(1)


def entry(member, kind, points, *, year=THIS_YEAR, title="测试履职", url=""):
    day = datetime.date(year, 1, 1)
    return DutyEntry.objects.create(
        member=member,
        kind=kind,
        date=day,
        year=year,
        points=Decimal(str(points)),
        source=f"tests.page:{next(_sources)}",
        title=title,
        url=url,
    )


@pytest.fixture
def ledger(term, member_a, member_b):
    """member_a (古南) 12 points, member_b (东溪) 20 points this year; both of the current term."""
    member_a.terms.add(term)
    member_b.terms.add(term)
    entry(member_a, DutyKind.PLENARY_PRESENT, 5, title="出席十五届五次会议")
    entry(
        member_a,
        DutyKind.CONSULTATION_MEETING,
        2,
        title="参加议前协商：古南河治理",
        url="/consultations/meetings/1/",
    )
    entry(member_a, DutyKind.PROPOSAL_LEAD, 5, title="领衔提案：停车难", url="/proposals/portal/9/")
    entry(member_a, DutyKind.PROPOSAL_LEAD, 3, year=THIS_YEAR - 1, title="去年的提案")
    entry(member_b, DutyKind.PROPOSAL_EXCELLENT, 20, title="优秀提案")
    return member_a, member_b


# --- the member's own record -----------------------------------------------------------------


def test_member_sees_own_total_rank_and_entries(client_for, member_user, ledger):
    response = client_for(member_user).get(reverse("reports:portal_duty"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["total"] == Decimal("12")
    assert response.context["rank"]["county"] == 2
    assert "出席十五届五次会议" in html and "去年的提案" not in html
    # A member opens the portal's proposal page but not the office's meeting page.
    assert 'href="/proposals/portal/9/"' in html
    assert 'href="/consultations/meetings/1/"' not in html
    assert 'id="duty-radar-data"' in html


def test_member_can_choose_a_past_year(client_for, member_user, ledger):
    response = client_for(member_user).get(reverse("reports:portal_duty"), {"year": THIS_YEAR - 1})
    assert response.context["year"] == THIS_YEAR - 1
    assert response.context["total"] == Decimal("3")
    assert "去年的提案" in response.content.decode()


def test_a_year_without_records_falls_back_to_this_year_with_a_message(
    client_for, member_user, ledger
):
    response = client_for(member_user).get(reverse("reports:portal_duty"), {"year": "1999x"})
    assert response.context["year"] == THIS_YEAR
    assert "无履职记录" in response.content.decode()


def test_portal_home_shows_this_years_points_and_rank(client_for, member_user, ledger):
    html = client_for(member_user).get(reverse("portal")).content.decode()
    assert 'data-testid="portal-duty-total">12<' in html
    assert reverse("reports:portal_duty") in html


def test_member_page_query_count_does_not_grow_with_entries(
    client_for, member_user, ledger, django_assert_max_num_queries
):
    client = client_for(member_user)
    for _ in range(30):
        entry(ledger[0], DutyKind.STUDIO_ACTIVITY, 1)
    # session, user, roles, member, years, kinds, median, entries count, entries page, ranks,
    # unread notifications (layout), and the session save (savepoint, update, release)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:portal_duty")).status_code == 200


# --- access -------------------------------------------------------------------------------


def test_member_b_cannot_open_member_as_record_or_report(client_for, member_b_user, ledger):
    client = client_for(member_b_user)
    member_a = ledger[0]
    assert client.get(reverse("reports:duty_member", args=[member_a.pk])).status_code == 403
    assert client.get(reverse("reports:duty_report", args=[member_a.pk, "docx"])).status_code == 404


def test_town_clerk_opens_only_their_towns_members(client_for, town_user, ledger):
    client = client_for(town_user)
    member_a, member_b = ledger
    assert client.get(reverse("reports:duty_member", args=[member_a.pk])).status_code == 200
    assert client.get(reverse("reports:duty_member", args=[member_b.pk])).status_code == 404
    names = [m.name for m in client.get(reverse("reports:duty_ranking")).context["page_obj"]]
    assert names == [member_a.name]


def test_unit_gets_403_everywhere(client_for, unit_user, ledger):
    client = client_for(unit_user)
    member_a = ledger[0]
    for url in (
        reverse("reports:duty_ranking"),
        reverse("reports:duty_ranking_export"),
        reverse("reports:duty_member", args=[member_a.pk]),
        reverse("reports:duty_report", args=[member_a.pk, "pdf"]),
        reverse("reports:portal_duty"),
    ):
        assert client.get(url).status_code == 403, url


def test_staff_record_links_every_source(client_for, office_user, ledger):
    response = client_for(office_user).get(reverse("reports:duty_member", args=[ledger[0].pk]))
    assert 'href="/consultations/meetings/1/"' in response.content.decode()


def test_a_record_links_only_the_pages_its_reader_may_open(
    client_for, office_user, town_user, ledger
):
    # The office's session pages are closed to a town clerk: the entry is listed, unlinked.
    member_a = ledger[0]
    entry(member_a, DutyKind.PLENARY_PRESENT, 1, title="出席常委会会议", url="/members/sessions/7/")
    url = reverse("reports:duty_member", args=[member_a.pk])

    town_html = client_for(town_user).get(url).content.decode()
    office_html = client_for(office_user).get(url).content.decode()

    assert "出席常委会会议" in town_html
    assert 'href="/members/sessions/7/"' not in town_html
    assert 'href="/consultations/meetings/1/"' in town_html  # a page the clerk may open
    assert 'href="/members/sessions/7/"' in office_html


# --- the ranking -------------------------------------------------------------------------------


def test_ranking_orders_by_total_with_county_rank(client_for, office_user, ledger):
    page = client_for(office_user).get(reverse("reports:duty_ranking")).context["page_obj"]
    rows = [(m.name, m.rank, m.points_total) for m in page]
    assert rows == [("李东溪", 1, Decimal("20")), ("张古南", 2, Decimal("12"))]
    assert page[1].category_points[0] == Decimal("5")  # 会议出勤


def test_ranking_sorts_ascending_and_filters_by_sector_and_search(client_for, office_user, ledger):
    client = client_for(office_user)
    url = reverse("reports:duty_ranking")
    asc = client.get(url, {"sort": "total"}).context["page_obj"]
    assert [m.name for m in asc] == ["张古南", "李东溪"]
    by_sector = client.get(url, {"sector": ledger[1].sector_id}).context["page_obj"]
    assert [m.name for m in by_sector] == ["李东溪"]
    assert [m.name for m in client.get(url, {"q": "古南"}).context["page_obj"]] == ["张古南"]


def test_ranking_flag_filter_lists_members_without_points(client_for, office_user, ledger, term):
    idle = MemberFactory(name="王闲")
    idle.terms.add(term)
    page = client_for(office_user).get(reverse("reports:duty_ranking"), {"flag": "1"})
    rows = list(page.context["page_obj"])
    assert [m.name for m in rows] == ["王闲"]
    assert any("无履职积分" in reason for reason in rows[0].flags)


def test_town_clerks_studio_choices_are_their_towns(client_for, town_user, ledger, gunan_studio):
    form = client_for(town_user).get(reverse("reports:duty_ranking")).context["filter"].form
    assert list(form.fields["studio"].queryset) == [gunan_studio]


def test_ranking_export_holds_what_the_page_lists(client_for, office_user, ledger):
    client = client_for(office_user)
    params = {"year": THIS_YEAR, "sort": "total"}
    page = client.get(reverse("reports:duty_ranking"), params).context["page_obj"]
    response = client.get(reverse("reports:duty_ranking_export"), params)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[0], r[-2]) for r in rows] == [
        (m.name, m.rank, float(m.points_total)) for m in page
    ]
    assert rows[0][3] == "古南街道委员工作室"


def test_ranking_query_count_does_not_grow_with_members(
    client_for, office_user, ledger, term, gunan_studio, django_assert_max_num_queries
):
    client = client_for(office_user)
    for i in range(25):
        member = MemberFactory(name=f"委员{i}")
        member.terms.add(term)
        MembershipFactory(member=member, studio=gunan_studio, term=term)
        entry(member, DutyKind.STUDIO_ACTIVITY, i % 7)
    # session, user, roles, years, rows count, county ranks, flags (term, plenary sessions,
    # absences, idle), rows, their studios, the bar's sectors, studios and committees, unread
    # notifications (layout)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("reports:duty_ranking")).status_code == 200
