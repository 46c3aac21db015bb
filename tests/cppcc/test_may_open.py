"""cppcc.views.may_open: a page links another only for who passes that page's gate."""

from django.urls import reverse

from cppcc.views import may_open


def test_a_gate_of_allowed_if_decides(office_user, town_user, unit_user, member_user):
    sessions = reverse("members:session_list")
    matters = reverse("consultations:matter_list")

    assert may_open(office_user, sessions)
    assert not may_open(unit_user, matters)
    assert may_open(town_user, matters)
    # A member opens their portal, not the office's lists.
    assert may_open(member_user, reverse("portal"))
    assert not may_open(member_user, matters)


def test_a_query_string_is_ignored_and_an_unknown_address_is_not_opened(office_user):
    assert may_open(office_user, reverse("consultations:matter_list") + "?step=pre_meeting")
    assert not may_open(office_user, "/no-such-page/")


def test_a_view_of_role_required_mixin_decides_by_its_roles(office_user, town_user, leader_user):
    dashboard = reverse("reports:dashboard")

    assert may_open(leader_user, dashboard) and may_open(office_user, dashboard)
    assert not may_open(town_user, dashboard)
    assert may_open(town_user, reverse("reports:town_home"))
