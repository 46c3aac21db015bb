"""Key proposals (重点提案) and their supervision meetings (督办会): recorded by the office with
the day they were held, only for key proposals and with the proposal's own units."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cppcc.workflow import WorkflowError
from proposals import services
from proposals.models import ProposalStatus, SupervisionMeeting
from tests.factories import HandlingUnitFactory, ProposalFactory

from .flow import walk

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def key(term, office_user, unit):
    proposal = walk(ProposalFactory(term=term), ProposalStatus.ASSIGNED, office_user, units=[unit])
    return services.set_key(
        proposal, is_key=True, supervising_leader="区政协副主席王强", by=office_user
    )


def data(**extra):
    return {"held_on": TODAY, "place": "区交通局会议室", "summary": "听取办理进展。", **extra}


def test_the_office_records_a_meeting_of_a_key_proposal(key, office_user, unit):
    meeting = services.record_supervision_meeting(key, data(units=[unit]), by=office_user)
    assert meeting.leader == "区政协副主席王强"  # the supervising leader by default
    assert list(meeting.units.all()) == [unit]
    assert meeting.history.first().history_user == office_user


def test_only_key_proposals_have_supervision_meetings(term, office_user):
    plain = walk(ProposalFactory(term=term), ProposalStatus.REGISTERED, office_user)
    with pytest.raises(WorkflowError, match="只有重点提案"):
        services.record_supervision_meeting(plain, data(), by=office_user)
    assert not SupervisionMeeting.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"held_on": TODAY + DAY}, "不能晚于今天"),
        ({"held_on": TODAY - datetime.timedelta(days=400)}, "不能早于立案日期"),
        ({"summary": "  "}, "请填写督办情况"),
    ],
    ids=["future", "before-registration", "no-summary"],
)
def test_a_bad_meeting_is_refused_and_writes_nothing(key, office_user, extra, message):
    with pytest.raises(WorkflowError, match=message):
        services.record_supervision_meeting(key, data(**extra), by=office_user)
    assert not SupervisionMeeting.objects.exists()


def test_a_unit_not_handling_the_proposal_cannot_be_listed(key, office_user):
    stranger = HandlingUnitFactory(name="区教委")
    with pytest.raises(WorkflowError, match="区教委不是该提案的承办单位"):
        services.record_supervision_meeting(key, data(units=[stranger]), by=office_user)


def test_leaders_and_units_cannot_record_one(key, leader_user, unit_user):
    for user in (leader_user, unit_user):
        with pytest.raises(PermissionDenied):
            services.record_supervision_meeting(key, data(), by=user)


def test_the_proposal_page_records_and_lists_the_meetings(key, client_for, office_user, unit):
    c = client_for(office_user)
    page = c.get(reverse("proposals:detail", args=[key.pk])).content.decode()
    assert 'data-testid="move-supervise"' in page and "尚未记录督办会" in page
    response = c.post(
        reverse("proposals:move", args=[key.pk, "supervise"]),
        {
            "supervise-held_on": TODAY.isoformat(),
            "supervise-place": "区交通局会议室",
            "supervise-units": [unit.pk],
            "supervise-summary": "现场查看道路整治进度。",
        },
    )
    assert response.status_code == 302
    page = c.get(reverse("proposals:detail", args=[key.pk])).content.decode()
    assert "现场查看道路整治进度。" in page and "区交通局会议室" in page


def test_the_form_offers_only_the_proposals_units(key, client_for, office_user, unit):
    HandlingUnitFactory(name="区教委")
    response = client_for(office_user).get(reverse("proposals:detail", args=[key.pk]))
    offered = list(response.context["forms"]["supervise"].fields["units"].queryset)
    assert offered == [unit]
