"""Choices scoped to what the person may see (cppcc.scoping): every related field, filter choice
and picker offers only rows of the model's visible_to; an id outside it is a plain "无效的选择。"
that never names the record; refusals name people only to whoever may see them; the browsable
API is off in production."""

import datetime
import inspect

import pytest
from django.urls import reverse
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from consultations import api as consultations_api
from consultations import services as consultation_services
from consultations.forms import MatterForm, MeetingAttendanceForm
from cppcc.scoping import INVALID_CHOICE, visible
from cppcc.urls import router
from cppcc.workflow import WorkflowError
from members import api as members_api
from members.models import PartyAffiliation
from proposals import api as proposals_api
from proposals import opinion_api, proposal_api
from studios import api as studios_api
from studios import services as studio_services
from studios.models import Town

from ..factories import HandlingUnitFactory, ProposalFactory
from ..studios.factories import VillageFactory

pytestmark = pytest.mark.django_db

# Names of the other town's records: none may appear in a page or answer given to 古南's people.
HIDDEN = ("东溪镇", "李东溪", "东溪老街排水改造", "东溪村")


@pytest.fixture
def county(gunan, dongxi, member_a, member_b, office_user, unit, term):
    """Both towns with a village, a matter and a member each; a proposal of 东溪's member."""
    VillageFactory(town=gunan, name="春光村")
    VillageFactory(town=dongxi, name="东溪村")
    ours = consultation_services.create_matter(
        gunan, {"title": "春光村荷塘养虾基地建设", "year": 2026}, [member_a], by=office_user
    )
    theirs = consultation_services.create_matter(
        dongxi, {"title": "东溪老街排水改造", "year": 2026}, [member_b], by=office_user
    )
    HandlingUnitFactory(name="区交通局")
    proposal = ProposalFactory(lead_proposer=member_b, term=term)
    return {"ours": ours, "theirs": theirs, "proposal": proposal}


def _patch(client, matter, data):
    version = getattr(matter, "version", None)
    if version is not None:
        data = {"version": version, **data}
    return client.patch(f"/api/v1/matters/{matter.pk}/", data, content_type="application/json")


# --- the browsable API's dropdowns -----------------------------------------------------------


@pytest.mark.parametrize("who", ["town_user", "member_user", "unit_user"])
def test_browsable_meeting_list_offers_no_other_towns_records(who, county, client_for, request):
    html = client_for(request.getfixturevalue(who)).get("/api/v1/meetings/?format=api")
    assert html.status_code == 200
    body = html.content.decode()
    assert "<select" in body  # the filter form is there, with its dropdowns
    for name in HIDDEN:
        assert name not in body


def test_browsable_matter_form_lists_only_the_clerks_members(county, client_for, town_user):
    body = client_for(town_user).get("/api/v1/matters/?format=api").content.decode()
    assert "张古南" in body  # the clerk's own member is offered as a proposer
    for name in HIDDEN:
        assert name not in body


# --- every related field and filter choice, walked -------------------------------------------


def _drf_request(user):
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return request


def _relations(serializer):
    """(serializer, field name, relation) for every writable related field of a serializer and
    of the serializers nested in it."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _relations(field)
            continue
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(relation, RelatedField) and not field.read_only:
            yield type(serializer).__name__, name, relation


# Wider than visible_to on purpose, and for whom: a member invites any serving member to
# co-sign a proposal (the portal's picker offers the same), seeing only name and sector.
WIDER_BY_DESIGN = {("member_user", "ProposalDraftSerializer", "cosigners")}


def _api_serializers():
    for module in (
        consultations_api,
        studios_api,
        members_api,
        proposals_api,
        proposal_api,
        opinion_api,
    ):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.Serializer) and cls.__module__ == module.__name__:
                yield cls


def _out_of_scope(queryset, user) -> list:
    scope = visible(queryset.model, user)
    if scope is None:
        return []
    return sorted(
        set(queryset.values_list("pk", flat=True)) - set(scope.values_list("pk", flat=True))
    )


@pytest.mark.parametrize("who", ["town_user", "member_user", "unit_user"])
def test_every_api_related_field_offers_only_what_the_person_sees(who, county, request):
    user = request.getfixturevalue(who)
    context = {"request": _drf_request(user)}
    checked = 0
    for cls in _api_serializers():
        for owner, name, relation in _relations(cls(context=context)):
            if (who, owner, name) in WIDER_BY_DESIGN:
                continue
            assert _out_of_scope(relation.get_queryset(), user) == [], (owner, name)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("who", ["town_user", "member_user", "unit_user"])
def test_every_api_filter_choice_offers_only_what_the_person_sees(who, county, request):
    user = request.getfixturevalue(who)
    drf_request = _drf_request(user)
    checked = 0
    for _prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is None:
            assert not getattr(viewset, "filterset_fields", None), viewset  # unscoped auto filters
            continue
        view = viewset(request=drf_request, action="list", format_kwarg=None, kwargs={})
        rows = view.get_queryset().none()
        filterset = filterset_class({}, queryset=rows, request=drf_request)
        for name, flt in filterset.filters.items():
            if not hasattr(flt, "get_queryset"):
                continue
            choices = filterset.form.fields[name].queryset
            assert _out_of_scope(choices, user) == [], (viewset.__name__, name)
            checked += 1
    assert checked >= 8


# --- writes: no echo, one refusal for hidden and missing ids ---------------------------------


def test_town_clerk_cannot_make_another_towns_member_a_proposer(county, client_for, town_user):
    c = client_for(town_user)
    hidden = _patch(c, county["ours"], {"proposers": [county["theirs"].proposers.get().pk]})
    missing = _patch(c, county["ours"], {"proposers": [987654]})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["proposers"] == missing.json()["proposers"] == [str(INVALID_CHOICE)]
    assert "李东溪" not in hidden.content.decode()
    assert list(county["ours"].proposers.values_list("name", flat=True)) == ["张古南"]


def test_matter_accepts_only_a_proposal_the_person_sees(county, client_for, town_user, office_user):
    refused = _patch(client_for(town_user), county["ours"], {"proposal": county["proposal"].pk})
    assert refused.status_code == 400
    assert refused.json()["proposal"] == [str(INVALID_CHOICE)]
    assert county["proposal"].title not in refused.content.decode()
    county["ours"].refresh_from_db()
    assert county["ours"].proposal_id is None
    accepted = _patch(client_for(office_user), county["ours"], {"proposal": county["proposal"].pk})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["proposal"] == county["proposal"].pk


def test_meeting_filter_by_another_towns_matter_is_refused_without_its_title(
    county, client_for, town_user
):
    response = client_for(town_user).get("/api/v1/meetings/", {"matter": county["theirs"].pk})
    assert response.status_code == 400
    assert "东溪老街排水改造" not in response.content.decode()


# --- refusals that name people ---------------------------------------------------------------


def test_party_leader_refusal_names_the_member_only_to_who_may_see_them(
    county, gunan_studio, member_b, town_user, office_user
):
    assert member_b.party != PartyAffiliation.CPC
    with pytest.raises(WorkflowError) as clerk:
        studio_services.create_party_group(gunan_studio, member_b, by=town_user)
    assert str(clerk.value.message) == str(INVALID_CHOICE)
    with pytest.raises(WorkflowError) as office:
        studio_services.create_party_group(gunan_studio, member_b, by=office_user)
    assert "李东溪不是中共党员" in str(office.value.message)


def test_attendance_refusal_names_the_member_only_to_who_may_see_them(
    county, gunan_studio, member_b, town_user, office_user
):
    data = {"kind": "lecture", "title": "政策宣讲", "date": datetime.date(2026, 1, 5)}
    with pytest.raises(WorkflowError) as clerk:
        studio_services.record_activity(gunan_studio, data, {member_b.pk: "present"}, by=town_user)
    assert str(clerk.value.message) == str(INVALID_CHOICE)
    with pytest.raises(WorkflowError) as missing:
        studio_services.record_activity(gunan_studio, data, {987654: "present"}, by=office_user)
    assert str(missing.value.message) == str(INVALID_CHOICE)
    with pytest.raises(WorkflowError) as office:
        studio_services.record_activity(
            gunan_studio, data, {member_b.pk: "present"}, by=office_user
        )
    assert "不能登记出勤：李东溪" in str(office.value.message)


# --- the HTML pickers ------------------------------------------------------------------------


def test_matter_form_offers_a_town_clerk_only_their_towns_members(county, gunan, town_user):
    form = MatterForm(towns=Town.objects.filter(pk=gunan.pk), user=town_user)
    assert [m.name for m in form.fields["proposers"].queryset] == ["张古南"]
    assert list(form.fields["proposal"].queryset) == []


def test_meeting_attendance_form_offers_a_town_clerk_only_their_towns_members(
    county, town_user, office_user
):
    clerk = MeetingAttendanceForm(members=[], user=town_user)
    assert [m.name for m in clerk.fields["others"].queryset] == ["张古南"]
    office = MeetingAttendanceForm(members=[], user=office_user)
    assert {m.name for m in office.fields["others"].queryset} == {"张古南", "李东溪"}


# --- production ------------------------------------------------------------------------------


def test_production_answers_the_api_in_json_only():
    from .test_settings import PRODUCTION, run

    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    production = run(code, **PRODUCTION)
    assert production.returncode == 0, production.stderr
    assert "JSONRenderer" in production.stdout
    assert "BrowsableAPIRenderer" not in production.stdout
    assert "BrowsableAPIRenderer" in run(code).stdout


def test_browsable_api_still_serves_development(client_for, office_user):
    assert (
        "text/html"
        in client_for(office_user).get(reverse("api-root") + "?format=api").headers["Content-Type"]
    )
