"""The register list's filters that other pages link to, and the form page's layout."""

import datetime

from members import workflow
from studios.selectors import unassigned_members
from tests.factories import MemberFactory, MembershipFactory


def test_no_studio_lists_active_members_without_a_current_town_studio(
    member_a, member_b, office_user, client_for, term
):
    unplaced = MemberFactory(name="王未分")
    moved_out = MemberFactory(name="赵已出")
    MembershipFactory(
        member=moved_out,
        studio=member_a.studio_memberships.get().studio,
        term=term,
        end_on=datetime.date(2024, 1, 1),
    )
    gone = MemberFactory(name="钱退出")
    workflow.member_leave(gone, on=datetime.date(2024, 1, 1), reason="调动", by=office_user)

    response = client_for(office_user).get("/members/?no_studio=1")
    listed = {m.name for m, _sensitive in response.context["rows"]}
    assert listed == {unplaced.name, moved_out.name}
    # The same set the studios' "未分配工作室的委员" (and the to-do count) read.
    assert listed == set(unassigned_members(term).values_list("name", flat=True))
    everyone = client_for(office_user).get("/members/").context["page_obj"].paginator.count
    assert everyone == 5


def test_no_studio_filter_is_kept_in_the_export_link(db, office_user, client_for):
    html = client_for(office_user).get("/members/?no_studio=1").content.decode()
    assert "/members/export/?no_studio=1" in html


def test_member_form_is_two_columns_on_desktop_and_one_on_a_phone(db, office_user, client_for):
    html = client_for(office_user).get("/members/new/").content.decode()
    assert 'class="col-12 col-md-6"' in html
    # The long inputs take the whole row; every field is on the page once.
    assert html.count('name="id_number"') == 1 and html.count('name="wishes"') == 1
    assert "<legend" in html


def test_member_page_shows_the_name_without_pinyin(member_a, office_user, client_for):
    from members import services

    services.update_member(member_a, by=office_user, name=member_a.name)
    member_a.refresh_from_db()
    html = client_for(office_user).get(f"/members/{member_a.pk}/").content.decode()
    assert member_a.name_pinyin and member_a.name_pinyin not in html
