"""The demo's proposals: every plenary session of the term so far and this year's between
sessions, walked through proposals.workflow and dated back. The county is loaded once for the
module (members and sessions, studios, units, logins, consultations, then the proposals) and
rolled back at its end; each test runs in its own savepoint inside it."""

import datetime
import time

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cppcc.models import Transition
from members.models import CommitteeSession, SessionKind
from proposals import demo
from proposals.models import (
    AssignmentStatus,
    CosignStatus,
    HandlingUnit,
    Proposal,
    ProposalCosigner,
    ProposalKind,
    ProposalRating,
    ProposalStatus,
    ProposalUnit,
    Rating,
)

TODAY = timezone.localdate()
LOAD_SECONDS: dict[str, float] = {}


def quiet(line: str) -> None:
    pass


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    from consultations import demo as consultations_demo
    from cppcc import demo as cppcc_demo
    from members import demo as members_demo
    from studios import demo as studios_demo

    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        members_demo.load(quiet)
        studios_demo.load(quiet)
        demo.load(quiet)
        cppcc_demo.load_users(quiet)
        studios_demo.load_logins(quiet)
        demo.load_logins(quiet)
        consultations_demo.load(quiet)
        started, cpu = time.monotonic(), time.process_time()
        demo.load_proposals(quiet)
        LOAD_SECONDS["proposals"] = time.monotonic() - started
        LOAD_SECONDS["cpu"] = time.process_time() - cpu
        yield
        transaction.set_rollback(True)


def test_a_few_hundred_proposals_at_every_status(county, db):
    print(
        f"load_proposals took {LOAD_SECONDS['proposals']:.1f} s ({LOAD_SECONDS['cpu']:.1f} s CPU)"
    )
    assert Proposal.objects.count() >= 200
    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)
    assert set(Proposal.objects.values_list("kind", flat=True)) == set(ProposalKind.values)
    assert set(ProposalUnit.objects.values_list("status", flat=True)) == set(
        AssignmentStatus.values
    )


def test_every_plenary_session_so_far_has_proposals_numbered_from_one_without_gaps(county, db):
    sessions = CommitteeSession.objects.filter(
        term__is_current=True, kind=SessionKind.PLENARY, starts_on__lte=TODAY
    )
    assert sessions.count() >= 2
    for session in list(sessions) + [None]:
        registered = Proposal.objects.filter(session=session, serial__isnull=False)
        serials = sorted(registered.values_list("serial", flat=True))
        assert serials == list(range(1, len(serials) + 1)), session
        assert len(serials) >= 10
        if session is not None:
            first = registered.get(serial=1)
            # 1号提案: the key one, with its supervising leader.
            assert first.is_first and first.is_key and first.supervising_leader
            assert first.number == "1"
            # Numbers follow the order of registration.
            days = list(registered.order_by("serial").values_list("registered_at", flat=True))
            assert days == sorted(days)


def test_not_registered_ones_are_turned_into_opinions_or_letters(county, db):
    rejected = Proposal.objects.filter(status=ProposalStatus.NOT_REGISTERED)
    assert rejected.exclude(not_registered_reason="").count() == rejected.count()
    assert {"opinion", "letter"} <= set(rejected.values_list("converted_to", flat=True))
    merged = Proposal.objects.filter(status=ProposalStatus.MERGED)
    assert merged.exists()
    for proposal in merged.select_related("merged_into"):
        assert proposal.merged_into.session_id == proposal.session_id
        assert proposal.merged_into.serial is not None


def test_the_transport_bureau_has_overdue_and_due_soon_proposals(county, db):
    unit = HandlingUnit.objects.get(name="区交通局")
    waiting = ProposalUnit.objects.filter(unit=unit, status__in=AssignmentStatus.values).filter(
        status__in=["assigned", "give_back_requested", "rehandling"]
    )
    overdue = [a for a in waiting if a.due_on < TODAY]
    soon = [a for a in waiting if TODAY <= a.due_on <= TODAY + datetime.timedelta(days=7)]
    assert len(overdue) >= 3 and len(soon) >= 3
    assert waiting.filter(due_on__gt=TODAY + datetime.timedelta(days=7)).exists()
    assert ProposalUnit.objects.filter(unit=unit, status="give_back_requested").exists()


def test_unsatisfied_ratings_sent_the_unit_back_and_were_rated_again(county, db):
    counts = {r: ProposalRating.objects.filter(rating=r).count() for r in Rating.values}
    assert counts["satisfied"] > counts["basically"] > counts["unsatisfied"] > 0
    unsatisfied = ProposalRating.objects.filter(rating=Rating.UNSATISFIED)
    rehandled = ProposalUnit.objects.filter(pk__in=unsatisfied.values("assignment_id"))
    assert all(a.rehandle_count >= 1 for a in rehandled)
    # Most were answered again and rated 满意 / 基本满意; a few are still being re-handled.
    assert rehandled.filter(status=AssignmentStatus.RATED).exists()
    assert rehandled.filter(status=AssignmentStatus.REHANDLING).exists()
    for a in rehandled.filter(status=AssignmentStatus.RATED):
        last = a.ratings.order_by("-rated_at").first()
        assert last.rating != Rating.UNSATISFIED
        assert a.replies.filter(released_at__isnull=False).count() >= 2


def test_given_back_returned_replies_joint_and_excellent_are_there(county, db):
    assert ProposalUnit.objects.filter(status=AssignmentStatus.GIVEN_BACK).exists()
    assert ProposalUnit.objects.exclude(give_back_refused_reason="").exists()
    assert apps.get_model("proposals", "ProposalReply").objects.exclude(returned_reason="").exists()
    assert ProposalCosigner.objects.filter(status=CosignStatus.DROPPED).exists()
    pending = ProposalCosigner.objects.filter(
        status=CosignStatus.INVITED, proposal__status=ProposalStatus.SUBMITTED
    )
    assert pending.exists()
    assert all(c.proposal.cosign_deadline >= TODAY for c in pending)
    assert Proposal.objects.filter(is_excellent=True, status=ProposalStatus.CLOSED).exists()
    assert Proposal.objects.filter(is_key=True).exclude(supervising_leader="").count() >= 6


def test_moves_are_dated_back_in_order_and_before_today(county, db):
    ct = ContentType.objects.get_for_model(Proposal)
    moves = Transition.objects.filter(content_type=ct)
    assert moves.count() > 600
    assert not moves.filter(at__date__gte=TODAY).exists()
    for proposal in Proposal.objects.filter(status=ProposalStatus.CLOSED)[:40]:
        times = list(
            moves.filter(object_id=str(proposal.pk)).order_by("id").values_list("at", flat=True)
        )
        assert times == sorted(times)
        assert proposal.submitted_at <= proposal.registered_at <= proposal.closed_at
        if proposal.session_id:
            assert proposal.session.proposals_open_on <= proposal.submitted_on
            assert proposal.submitted_on <= proposal.session.proposals_close_on


def test_two_of_this_years_matters_came_from_a_proposal(county, db):
    Matter = apps.get_model("consultations", "Matter")
    linked = Matter.objects.filter(proposal__isnull=False, year=TODAY.year)
    assert linked.count() == 2
    for matter in linked.select_related("proposal"):
        assert matter.proposal.status == ProposalStatus.REPLIED
        assert matter.title in matter.proposal.title


def test_the_member_login_has_a_draft_a_reply_to_rate_and_an_invitation(county, db):
    from cppcc.models import User

    member = User.objects.get(username="member").member
    mine = Proposal.objects.filter(lead_proposer=member)
    assert {"draft", "replied", "closed"} <= set(mine.values_list("status", flat=True))
    assert ProposalCosigner.objects.filter(member=member, status=CosignStatus.INVITED).exists()


def test_no_notification_prints_none(county, db):
    from cppcc.models import Notification

    notices = Notification.objects.filter(url__contains="/proposals/")
    for notice in Notification.objects.all():
        assert "None" not in notice.title and "None" not in notice.body, notice.body
    # The demo's old news was read long ago; this week's is still unread.
    assert notices.filter(read_at__isnull=True).exists()
    assert not Notification.objects.filter(
        read_at__isnull=True, created_at__date__lt=TODAY - datetime.timedelta(days=14)
    ).exists()


def test_a_second_load_writes_nothing(county, db):
    from cppcc.models import Notification

    models = [
        Proposal,
        ProposalUnit,
        ProposalRating,
        ProposalCosigner,
        Transition,
        Notification,
        apps.get_model("proposals", "ProposalReply"),
    ]
    before = [m.objects.count() for m in models]
    demo.load_proposals(quiet)
    assert [m.objects.count() for m in models] == before


def test_key_proposals_assigned_long_enough_ago_have_a_supervision_meeting(county, db):
    from proposals.models import SupervisionMeeting

    meetings = SupervisionMeeting.objects.select_related("proposal")
    assert meetings.count() >= 3
    for meeting in meetings:
        assert meeting.proposal.is_key and meeting.leader == meeting.proposal.supervising_leader
        assert meeting.held_on < timezone.localdate()
        assert meeting.held_on >= timezone.localdate(meeting.proposal.registered_at)


def test_proposals_turned_into_opinion_information_have_their_report(county, db):
    from proposals.models import OpinionReport

    converted = Proposal.objects.filter(converted_to="opinion")
    assert converted.exists()
    for proposal in converted:
        assert OpinionReport.objects.filter(source_proposal=proposal).count() == 1


def test_a_lightly_edited_demo_proposal_finds_its_original_first(county, db):
    from proposals.similarity import similar_proposals

    original = Proposal.objects.exclude(status="draft").order_by("pk")[10]
    edited = (
        original.title.replace("关于", "").replace("的建议", "的几点意见")
        + "。"
        + original.reasons[: len(original.reasons) * 2 // 3]
        + "建议："
        + original.suggestions
    )
    found = similar_proposals(edited, queryset=Proposal.objects.all(), limit=5)
    assert found and found[0][0] == original
    unrelated = "关于加强全区中小学校园足球联赛组织和裁判员培训的建议。足球场地少，教练员缺乏。"
    assert original not in [
        p for p, _score in similar_proposals(unrelated, queryset=Proposal.objects.all())
    ]
