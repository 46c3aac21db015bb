"""No lost updates: edits carry the version they were based on (cppcc/versioning.py)."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import ConsultationMeeting, Matter, MeetingKind
from cppcc.versioning import StaleVersion
from members import services as member_services
from members.models import Member
from proposals.models import Proposal
from studios import services as studio_services
from studios.models import Activity, ActivityKind
from tests.factories import ProposalFactory

STALE = "该记录已被他人修改，请刷新后再改。"
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def activity(gunan_studio, office_user):
    return studio_services.record_activity(
        gunan_studio,
        {"kind": ActivityKind.TEA_TALK, "title": "古南夜话", "date": YESTERDAY, "place": "茶园"},
        {},
        by=office_user,
    )


@pytest.fixture
def matter(gunan, member_a, office_user):
    return consultation_services.create_matter(
        gunan, {"title": "春光村荷塘养虾", "year": YESTERDAY.year}, [member_a], by=office_user
    )


@pytest.fixture
def meeting(gunan, office_user):
    return consultation_services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": YESTERDAY, "place": "街道会议室"},
        town=gunan,
        by=office_user,
    )


# --- the page: a stale save shows the message, keeps the form and changes nothing -------------


@pytest.fixture
def registered(member_a, office_user):
    """member_a with the ID number the edit form requires (version 2 after this)."""
    from tests.members.conftest import make_id

    return member_services.update_member(
        member_a, by=office_user, id_number=make_id(datetime.date(1975, 5, 1)), version=1
    )


def member_post(member: Member, **over) -> dict:
    # The masked ID number and mobile are left empty: an empty input keeps the stored value.
    return {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "sector": member.sector_id,
        "party": member.party,
        "post": member.post,
        "level": member.level,
        **over,
    }


def test_stale_member_form_is_refused_and_keeps_the_other_clerks_change(
    client_for, office_user, registered
):
    c = client_for(office_user)
    url = reverse("members:edit", args=[registered.pk])
    assert 'name="version" value="2"' in c.get(url).content.decode()
    # Meanwhile another clerk corrects the employer.
    member_services.update_member(registered, by=office_user, employer="区人民医院", version=2)

    response = c.post(url, member_post(registered, employer="区卫健委", version=2))

    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [STALE]}
    assert 'value="区卫健委"' in response.content.decode()  # what was typed is kept
    registered.refresh_from_db()
    assert (registered.employer, registered.version) == ("区人民医院", 3)


def test_current_member_form_saves_and_bumps_the_version(client_for, office_user, registered):
    response = client_for(office_user).post(
        reverse("members:edit", args=[registered.pk]),
        member_post(registered, employer="区卫健委", version=2),
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.employer, registered.version) == ("区卫健委", 3)


def test_stale_activity_form_is_refused(client_for, office_user, activity):
    studio_services.update_activity(activity, {"place": "村委会"}, by=office_user, version=1)
    response = client_for(office_user).post(
        reverse("studios:activity_edit", args=[activity.pk]),
        {
            "kind": ActivityKind.TEA_TALK,
            "title": "古南夜话（改）",
            "date": YESTERDAY.isoformat(),
            "place": "茶园",
            "residents_reached": 0,
            "other_participants": 0,
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert response.context["attendance"].errors == {}
    assert response.context["form"].errors == {"__all__": [STALE]}
    activity.refresh_from_db()
    assert (activity.title, activity.place, activity.version) == ("古南夜话", "村委会", 2)


def test_stale_matter_form_is_refused(client_for, office_user, matter, member_a):
    url = reverse("consultations:matter_edit", args=[matter.pk])
    c = client_for(office_user)
    assert 'name="version" value="1"' in c.get(url).content.decode()
    consultation_services.update_matter(matter, {"background": "先到"}, by=office_user, version=1)
    response = c.post(url, {"title": "后到的标题", "proposers": [member_a.pk], "version": 1})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    matter.refresh_from_db()
    assert (matter.title, matter.background, matter.version) == ("春光村荷塘养虾", "先到", 2)


def test_stale_meeting_form_is_refused(client_for, office_user, meeting):
    url = reverse("consultations:meeting_edit", args=[meeting.pk])
    c = client_for(office_user)
    assert 'name="version" value="1"' in c.get(url).content.decode()
    consultation_services.update_meeting(meeting, {"place": "先到"}, by=office_user, version=1)
    response = c.post(
        url,
        {
            "kind": MeetingKind.REGULAR,
            "date": YESTERDAY.isoformat(),
            "place": "后到",
            "officials_count": 1,
            "residents_count": 1,
            "version": 1,
            "t-TOTAL_FORMS": 0,
            "t-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.place, meeting.version) == ("先到", 2)


def test_stale_proposal_draft_is_refused(client_for, member_user, member_a, term):
    proposal = ProposalFactory(term=term, lead_proposer=member_a, title="初稿")
    url = reverse("proposals:portal_proposal_edit", args=[proposal.pk])
    c = client_for(member_user)
    assert 'name="version" value="1"' in c.get(url).content.decode()
    data = {
        "session": "",
        "category": "economy",
        "reasons": "理由",
        "suggestions": "建议",
        "kind": "individual",
        "then": "save",
    }
    assert c.post(url, {**data, "title": "手机上改的", "version": 1}).status_code == 302

    response = c.post(url, {**data, "title": "电脑上改的", "version": 1})

    assert response.status_code == 200
    assert STALE in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.title, proposal.version) == ("手机上改的", 2)


# --- the API: version is returned, required on PATCH, and a stale one answers 409 ------------


def test_member_api_requires_the_version_and_refuses_a_stale_one(client_for, office_user, member_a):
    c = client_for(office_user)
    url = f"/api/v1/members/{member_a.pk}/"
    assert c.get(url).json()["version"] == 1

    missing = patch(c, url, {"employer": "甲"})
    assert missing.status_code == 400 and "version" in missing.json()

    ok = patch(c, url, {"employer": "甲", "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2

    stale = patch(c, url, {"employer": "乙", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"] == STALE
    member_a.refresh_from_db()
    assert (member_a.employer, member_a.version) == ("甲", 2)


@pytest.mark.parametrize(
    ("fixture", "url", "field"),
    [
        ("activity", "/api/v1/activities/{}/", "place"),
        ("matter", "/api/v1/matters/{}/", "background"),
        ("meeting", "/api/v1/meetings/{}/", "place"),
    ],
)
def test_stale_api_patch_answers_409_and_changes_nothing(
    request, client_for, office_user, fixture, url, field
):
    record = request.getfixturevalue(fixture)
    c = client_for(office_user)
    url = url.format(record.pk)
    assert patch(c, url, {field: "先到", "version": 1}).status_code == 200

    stale = patch(c, url, {field: "后到", "version": 1})

    assert stale.status_code == 409, stale.content
    assert stale.json()["detail"] == STALE
    assert patch(c, url, {field: "后到"}).status_code == 400
    record.refresh_from_db()
    assert (getattr(record, field), record.version) == ("先到", 2)


def test_internal_callers_without_a_version_still_bump_it(office_user, matter):
    consultation_services.update_matter(matter, {"background": "演示数据"}, by=office_user)
    consultation_services.update_matter(matter, {"background": "再改"}, by=office_user)
    assert Matter.objects.get(pk=matter.pk).version == 3
    with pytest.raises(StaleVersion):
        consultation_services.update_matter(
            matter, {"background": "旧页"}, by=office_user, version=2
        )


# --- two saves based on the same version at the same moment: exactly one wins ----------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_one_wins(require_postgres, office_user, gunan):
    meeting = consultation_services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": YESTERDAY, "place": "原地"},
        town=gunan,
        by=office_user,
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(place):
        try:
            start.wait()
            consultation_services.update_meeting(
                meeting, {"place": place}, by=office_user, version=1
            )
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(p,)) for p in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["saved", "stale"]
    stored = ConsultationMeeting.objects.get(pk=meeting.pk)
    assert stored.version == 2 and stored.place in {"甲", "乙"}


def test_the_two_saves_meet_at_the_conditional_update(office_user, activity):
    """On any database: the loser read version 1 before the winner wrote, so only the
    conditional UPDATE can refuse it (the row lock of select_for_update is not what decides)."""
    first = Activity.objects.get(pk=activity.pk)
    second = Activity.objects.get(pk=activity.pk)
    studio_services.update_activity(first, {"place": "甲"}, by=office_user, version=first.version)
    with pytest.raises(StaleVersion):
        studio_services.update_activity(
            second, {"place": "乙"}, by=office_user, version=second.version
        )
    assert Activity.objects.get(pk=activity.pk).place == "甲"


def test_proposal_version_starts_at_one(term, member_a):
    assert ProposalFactory(term=term, lead_proposer=member_a).version == 1
    assert Proposal._meta.get_field("version").editable is False
