"""Placing a member in a studio from the member's page is a studios view (issue 9); members
no longer imports studios."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from studios.models import StudioMembership

from ..factories import MemberFactory


@pytest.fixture
def newcomer(db, term):
    return MemberFactory(name="吴新来")


def _place(member):
    return reverse("studios:member_place", args=[member.pk])


def test_office_places_a_new_member_from_their_page(
    client_for, office_user, newcomer, gunan_studio, term
):
    c = client_for(office_user)
    page = c.get(newcomer.get_absolute_url()).content.decode()
    assert _place(newcomer) in page and "放入工作室" in page

    response = c.post(
        _place(newcomer), {"studio": gunan_studio.pk, "role": "member", "term": term.pk}
    )
    assert response.status_code == 302 and response.url == newcomer.get_absolute_url()
    membership = StudioMembership.objects.get(member=newcomer, end_on__isnull=True)
    assert membership.studio == gunan_studio and membership.is_town_studio


def test_town_clerk_is_offered_only_their_towns_studios(
    client_for, town_user, member_a, gunan_studio, dongxi_studio
):
    form = client_for(town_user).get(_place(member_a)).context["form"]
    assert list(form.fields["studio"].queryset) == [gunan_studio]


def test_town_clerk_cannot_place_into_another_towns_studio(
    client_for, town_user, member_a, gunan_studio, dongxi_studio, term
):
    response = client_for(town_user).post(
        _place(member_a), {"studio": dongxi_studio.pk, "role": "member", "term": term.pk}
    )
    assert response.status_code == 200
    assert "只能放入您所管理镇街的工作室" in response.content.decode()
    assert list(
        StudioMembership.objects.filter(member=member_a, end_on__isnull=True).values_list(
            "studio", flat=True
        )
    ) == [gunan_studio.pk]


def test_town_clerk_cannot_open_a_member_outside_their_town(
    client_for, town_user, member_b, gunan_studio
):
    assert client_for(town_user).get(_place(member_b)).status_code == 404


def test_leader_and_member_may_not_place(client_for, leader_user, member_user, newcomer):
    assert client_for(leader_user).get(_place(newcomer)).status_code == 403
    assert client_for(member_user).get(_place(newcomer)).status_code in (302, 403)


def test_service_refusal_shows_on_the_form(client_for, office_user, newcomer, gunan_studio, term):
    response = client_for(office_user).post(
        _place(newcomer), {"studio": gunan_studio.pk, "role": "core", "term": term.pk}
    )
    assert "镇街委员工作室的成员角色为驻室委员" in response.content.decode()
    assert not StudioMembership.objects.filter(member=newcomer).exists()


def test_member_lists_bulk_placing_is_done_by_the_studios_view(
    client_for, office_user, newcomer, gunan_studio, term
):
    data = {
        "action": "assign",
        "ids": [newcomer.pk],
        "studio": gunan_studio.pk,
        "role": "member",
        "term": term.pk,
        "next": "/members/?sector=3",
    }
    c = client_for(office_user)
    response = c.post(reverse("members:bulk"), data)
    # members hands the same POST on (307 keeps method and body) rather than importing studios.
    assert response.status_code == 307 and response.url == reverse("studios:members_place")
    assert not StudioMembership.objects.filter(member=newcomer).exists()
    done = c.post(reverse("studios:members_place"), data)
    assert done.status_code == 302 and done.url == "/members/?sector=3"
    assert StudioMembership.objects.filter(
        member=newcomer, studio=gunan_studio, end_on__isnull=True
    ).exists()


def test_bulk_placing_is_office_only_and_refuses_an_unsafe_next(
    client_for, town_user, office_user, member_a, gunan_studio, term
):
    data = {"ids": [member_a.pk], "studio": gunan_studio.pk, "role": "member", "term": term.pk}
    assert client_for(town_user).post(reverse("studios:members_place"), data).status_code == 403
    response = client_for(office_user).post(
        reverse("studios:members_place"), {**data, "next": "https://evil.example/"}
    )
    assert response.url == reverse("members:list")


def test_members_app_does_not_import_studios():
    """Arrows point one way: studios imports members, never the reverse."""
    root = Path(settings.BASE_DIR) / "members"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "studios"]
    assert offenders == []
