"""Pickers whose choices grow with the county render as searches (cppcc.widgets), not as a
<select> or a checkbox per record: the page stays the same size however many towns, studios,
members or proposals the county holds, and a chosen id still saves."""

import pytest
from django.urls import reverse

from consultations.models import Matter
from studios import views as studio_views
from studios.models import Studio, StudioMembership

from ..factories import (
    HandlingUnitFactory,
    MemberFactory,
    ProposalFactory,
    StudioFactory,
    TownFactory,
)


def _grow(n: int) -> None:
    """`n` more towns, each with its studio and a serving member."""
    for i in range(n):
        town = TownFactory(name=f"增长{i:02d}镇", order=50 + i)
        StudioFactory(town=town, name=f"增长{i:02d}室")
        MemberFactory(name=f"增长{i:02d}")


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("more", [0, 6])
def test_studio_form_lists_no_town(client_for, office_user, gunan, more):
    _grow(more)
    html = _html(client_for(office_user).get(reverse("studios:create")))
    assert 'data-url="/search/towns/"' in html
    # The only selects left are the studio's own short choice lists (kind, level …).
    assert "增长" not in html


def test_studio_form_saves_a_town_chosen_by_id(client_for, office_user, gunan, dongxi):
    response = client_for(office_user).post(
        reverse("studios:create"),
        {"name": "东溪镇第二工作室", "kind": "town", "town": dongxi.pk, "level": "district"},
    )
    studio = Studio.objects.get(name="东溪镇第二工作室")
    assert response.status_code == 302 and studio.town == dongxi


@pytest.mark.parametrize("more", [0, 6])
def test_member_place_page_lists_no_studio(client_for, office_user, member_a, more):
    _grow(more)
    html = _html(client_for(office_user).get(reverse("studios:member_place", args=[member_a.pk])))
    assert 'data-url="/search/studios/"' in html
    assert "增长" not in html


def test_member_place_saves_a_studio_chosen_by_id(
    client_for, office_user, member_a, dongxi_studio, term
):
    response = client_for(office_user).post(
        reverse("studios:member_place", args=[member_a.pk]),
        {"studio": dongxi_studio.pk, "role": "member", "term": term.pk},
    )
    assert response.status_code == 302
    assert (
        StudioMembership.objects.get(member=member_a, end_on__isnull=True).studio == dongxi_studio
    )


@pytest.mark.parametrize("more", [0, 12])
def test_assign_page_shows_one_page_of_members_and_no_studio_option(
    client_for, office_user, member_a, member_b, monkeypatch, more
):
    monkeypatch.setattr(studio_views, "ASSIGN_PER_PAGE", 5)
    _grow(more)
    html = _html(client_for(office_user).get(reverse("studios:assign")))
    assert html.count('name="members"') == min(2 + more, 5)
    assert "<option" not in html.split('name="role"')[0]  # the studio picker lists nothing
    assert 'data-url="/search/studios/"' in html
    # The second page has the rest.
    if more:
        second = _html(client_for(office_user).get(reverse("studios:assign"), {"page": 2}))
        assert second.count('name="members"') == 5


def test_assign_page_keeps_ticked_members_and_the_chosen_studio_after_an_error(
    client_for, office_user, member_a, member_b, gunan_studio
):
    response = client_for(office_user).post(
        reverse("studios:assign"),
        {"studio": gunan_studio.pk, "role": "member", "members": [member_b.pk]},
    )
    html = _html(response)  # no term: the page comes back
    assert f'value="{member_b.pk}" id="id_members_{member_b.pk}" checked' in html
    assert f'value="{member_a.pk}" id="id_members_{member_a.pk}">' in html
    assert "古南街道委员工作室" in html.split('name="role"')[0]


def test_assign_saves_members_into_a_studio_chosen_by_id(
    client_for, office_user, member_b, gunan_studio, term
):
    response = client_for(office_user).post(
        reverse("studios:assign"),
        {"studio": gunan_studio.pk, "role": "member", "term": term.pk, "members": [member_b.pk]},
    )
    assert response.status_code == 302
    assert StudioMembership.objects.get(member=member_b, end_on__isnull=True).studio == gunan_studio


# --- the matter form's source proposal (consultations.forms.MatterForm) ---------------------------


@pytest.mark.parametrize("more", [0, 6])
def test_matter_form_lists_no_proposal(client_for, office_user, gunan, more):
    for i in range(more):
        ProposalFactory(title=f"关于增长{i:02d}的提案")
    html = _html(client_for(office_user).get(reverse("consultations:matter_create")))
    assert 'data-url="/search/proposals/"' in html
    assert "关于增长" not in html
    assert "<option" not in html.split('name="proposal"')[1].split("</div>")[0]


def test_matter_form_saves_a_proposal_chosen_by_id(client_for, office_user, gunan, member_a):
    source = ProposalFactory(title="关于场镇停车的提案")
    response = client_for(office_user).post(
        reverse("consultations:matter_create"),
        {
            "town": gunan.pk,
            "year": source.year,
            "title": "场镇停车难",
            "proposers": [member_a.pk],
            "proposal": source.pk,
        },
    )
    matter = Matter.objects.get(title="场镇停车难")
    assert response.status_code == 302 and matter.proposal == source
    edit = _html(
        client_for(office_user).get(reverse("consultations:matter_edit", args=[matter.pk]))
    )
    assert "关于场镇停车的提案" in edit  # the chosen proposal is named, by the one query


# --- handling units (consultations.forms, proposals.forms) ------------------------------------


def _more_units(n: int) -> None:
    for i in range(n):
        HandlingUnitFactory(name=f"区增长{i:02d}局")


@pytest.mark.parametrize("more", [0, 6])
def test_matter_assignment_page_lists_no_unit(client_for, office_user, gunan, member_a, more):
    from consultations import services as matter_services
    from consultations import workflow as matter_workflow

    _more_units(more)
    matter = matter_services.create_matter(
        gunan, {"title": "场镇停车难"}, [member_a], by=office_user
    )
    matter_workflow.matter_register(matter, by=office_user)
    url = reverse("consultations:matter_assignment", args=[matter.pk])
    html = _html(client_for(office_user).get(url))
    assert 'data-url="/search/units/?active=1"' in html
    assert "区增长" not in html and "<option" not in html


@pytest.mark.parametrize("more", [0, 6])
def test_proposal_assign_form_lists_no_unit(client_for, office_user, term, unit, more):
    from proposals.models import ProposalStatus

    from ..proposals.flow import walk

    _more_units(more)
    proposal = walk(ProposalFactory(term=term), ProposalStatus.REGISTERED, office_user)
    html = _html(client_for(office_user).get(proposal.get_absolute_url()))
    form = html.split('data-testid="move-assign"')[1].split("</form>")[0]
    assert 'data-url="/search/units/?active=1"' in form
    assert "区增长" not in form and "<option" not in form


def test_proposal_assign_saves_units_chosen_by_id(client_for, office_user, term, unit):
    from proposals import workflow
    from proposals.models import ProposalStatus, ProposalUnit

    from ..proposals.flow import walk

    helper = HandlingUnitFactory(name="区教育局")
    proposal = walk(ProposalFactory(term=term), ProposalStatus.REGISTERED, office_user)
    response = client_for(office_user).post(
        reverse("proposals:move", args=[proposal.pk, "assign"]),
        {
            "assign-lead_unit": unit.pk,
            "assign-assisting_units": f"{helper.pk}",
            "assign-due_on": workflow.default_due_on().isoformat(),
        },
    )
    assert response.status_code == 302
    assert set(
        ProposalUnit.objects.filter(proposal=proposal).values_list("unit__name", "is_lead")
    ) == {("区交通局", True), ("区教育局", False)}


# --- contact pairs (党员委员联系党外委员) ------------------------------------------------------


@pytest.mark.parametrize("more", [0, 6])
def test_contact_page_lists_no_member_to_pair(client_for, office_user, member_a, term, more):
    from .factories import PartyMemberFactory

    for i in range(more):
        PartyMemberFactory(name=f"增长党员{i:02d}")
        MemberFactory(name=f"增长党外{i:02d}")
    html = _html(client_for(office_user).get(reverse("studios:contacts")))
    assert 'data-url="/search/members/?active=1&amp;party=cpc"' in html
    assert 'data-url="/search/members/?active=1&amp;party=other"' in html
    assert "增长" not in html


def test_member_search_offers_each_side_of_a_pair_only_its_party(client_for, office_user, term):
    from .factories import PartyMemberFactory

    PartyMemberFactory(name="赵党员")
    MemberFactory(name="赵党外")
    url = reverse("search", kwargs={"kind": "members"})
    c = client_for(office_user)
    for party, name in (("cpc", "赵党员"), ("other", "赵党外")):
        found = c.get(url, {"q": "赵", "active": "1", "party": party}).json()["results"]
        assert [r["label"] for r in found] == [name]


def test_contact_pair_saves_members_chosen_by_id(client_for, office_user, member_a, term):
    from studios.models import ContactPair

    from .factories import PartyMemberFactory

    cpc = PartyMemberFactory(name="赵党员")
    response = client_for(office_user).post(
        reverse("studios:contacts"),
        {
            "form": "pair",
            "party_member": cpc.pk,
            "non_party_member": member_a.pk,
            "since": "2026-01-01",
        },
    )
    assert response.status_code == 302
    pair = ContactPair.objects.get()
    assert (pair.party_member, pair.non_party_member) == (cpc, member_a)
