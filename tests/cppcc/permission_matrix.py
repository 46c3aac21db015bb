"""The permission matrix: every page and every API operation × every role × the answer expected.

One small county serves every row (`build_county`): 古南街道 holds every record, member A (张古南)
proposed and attends them, 区交通局 is the unit assigned to its matter and proposal. The other
town's clerk (东溪镇), member B (李东溪, of 东溪镇) and another unit (区住房城乡建委) are the ones who
must see nothing of it. Each record's title is unique in the county so that a refused answer can be
searched for it (a 403/404 must not name what it refuses).

The expected answers are written as ten columns in ROLES order:

    anon  mem_a  mem_b  town  o_town  office  unit  o_unit  leader  admin

A page is requested with GET; an API write with a body meant to be valid for the office ("@key"
stands for the county record's id, "@version" for the subject's version, "@today" …). Pages
on the admin site are listed by prefix only (ADMIN_PREFIXES): Django's admin has its own rules.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

ROLES = (
    "anon",
    "member_a",
    "member_b",
    "town",
    "other_town",
    "office",
    "unit",
    "other_unit",
    "leader",
    "admin",
)


def codes(spec: str) -> dict[str, int]:
    """'302 200 404 …' (ten columns in ROLES order) -> {role: status}."""
    values = [int(v) for v in spec.split()]
    assert len(values) == len(ROLES), f"{spec!r} has {len(values)} columns, not {len(ROLES)}"
    return dict(zip(ROLES, values, strict=True))


@dataclass(frozen=True)
class Page:
    name: str
    kwargs: dict = field(default_factory=dict)
    expect: str = ""
    # The key of the county record whose title a refused answer must not show.
    subject: str | None = None


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # as in the schema: /api/v1/members/{id}/
    expect: str
    subject: str | None = None  # the county record {id} stands for
    body: dict | None = None


# --- the county --------------------------------------------------------------------------------

# Titles a refused answer must not contain, keyed like the county dict.
SECRETS = {
    "member_a": "张古南",
    "studio": "古南街道委员工作室",
    "activity": "春光村茶园夜话矩阵",
    "problem": "春光村路灯不亮矩阵",
    "matter": "春光村荷塘养虾矩阵",
    "meeting": "春光村议前协商矩阵",
    "project": "荷塘开挖注水矩阵",
    "proposal": "关于古南农村公路养护的提案矩阵",
    "opinion": "古南菜市场噪声扰民矩阵",
    "session": "第十五届第九次会议矩阵",
    "summary": None,
}


def matrix_users(cast: dict, member_b_user, other_town_user) -> tuple[dict, object]:
    """The ten roles' logins (anonymous has none) from the shared cast, plus another unit."""
    from cppcc.roles import Role
    from tests.factories import HandlingUnitFactory, UserFactory

    other_unit = HandlingUnitFactory(name="区住房城乡建委")
    users = {
        "member_a": cast[Role.MEMBER],
        "member_b": member_b_user,
        "town": cast[Role.TOWN],
        "other_town": other_town_user,
        "office": cast[Role.OFFICE],
        "unit": cast[Role.UNIT],
        "other_unit": UserFactory(username="t-unit2", roles=[Role.UNIT], handling_unit=other_unit),
        "leader": cast[Role.LEADER],
        "admin": cast[Role.ADMIN],
    }
    return users, other_unit


def build_county(users: dict, unit, other_unit) -> dict:
    """Creates the records every row refers to and returns them keyed by name."""
    from consultations import services as consultation_services
    from consultations import workflow as consultation_workflow
    from consultations.models import (
        ConsultationMeeting,
        FollowUpTask,
        LivelihoodProject,
        MeetingFile,
    )
    from cppcc.models import Notification
    from members.models import (
        LeaveRequest,
        MemberChangeRequest,
        PointsRule,
        SessionAttendance,
        SpecialCommittee,
    )
    from proposals import workflow as proposal_workflow
    from proposals.models import OpinionReport, ProposalFile, ProposalUnit
    from reports.models import YearlySummary
    from studios.models import (
        Activity,
        ActivityFile,
        DutyShift,
        HonoraryVillageHead,
        PartyGroup,
        Problem,
        StudioMembership,
        Village,
    )
    from tests.factories import CommitteeSessionFactory, ProposalFactory

    office = users["office"]
    member_a = users["member_a"].member
    studio = StudioMembership.objects.get(member=member_a).studio
    town = studio.town
    today = timezone.localdate()
    county = {"member_a": member_a, "member_b": users["member_b"].member, "studio": studio}
    county["town"] = town
    county["village"] = Village.objects.create(town=town, name="春光村")
    county["membership"] = StudioMembership.objects.get(member=member_a)
    county["activity"] = Activity.objects.create(
        studio=studio, kind="tea_talk", title=SECRETS["activity"], date=today, created_by=office
    )
    county["activity_file"] = ActivityFile.objects.create(
        activity=county["activity"], file=ContentFile(b"%PDF-1.4\n", name="a.pdf")
    )
    county["problem"] = Problem.objects.create(
        studio=studio, title=SECRETS["problem"], raised_by="村民", raised_on=today
    )
    county["duty_shift"] = DutyShift.objects.create(studio=studio, member=member_a, date=today)
    county["head"] = HonoraryVillageHead.objects.create(
        member=member_a, village=county["village"], start_on=today
    )
    county["party_group"] = PartyGroup.objects.create(
        studio=studio, name="古南街道委员工作室党小组", leader=member_a
    )
    session = CommitteeSessionFactory(
        term=county["membership"].term, name=SECRETS["session"], ordinal=9
    )
    county["session"] = session
    SessionAttendance.objects.create(session=session, member=member_a)
    county["leave_request"] = LeaveRequest.objects.create(
        session=session, member=member_a, reason="出差"
    )
    county["change_request"] = MemberChangeRequest.objects.create(
        member=member_a, changes={"employer": "古南街道卫生院"}, submitted_by=users["member_a"]
    )
    county["points_rule"] = PointsRule.objects.create(
        kind="plenary_present", points=5, effective_from=datetime.date(2021, 1, 1)
    )

    matter = consultation_services.create_matter(
        town, {"title": SECRETS["matter"], "year": today.year}, [member_a], by=office
    )
    consultation_workflow.matter_register(matter, by=office)
    consultation_services.set_assignment(
        matter,
        lead_unit=unit,
        task="完成荷塘开挖和道路硬化",
        deadline=today + datetime.timedelta(days=90),
        assigned_on=today,
        by=office,
    )
    matter = consultation_workflow.matter_advance(matter, by=office, note="")
    county["matter"] = matter
    # Recorded directly: the workflow takes 民生实事 only from 督办协商 on, and the matrix is
    # about who may see and change one, not when it may be recorded.
    county["project"] = LivelihoodProject.objects.create(
        matter=matter, title=SECRETS["project"], recorded_on=today, funds_wan=12
    )
    meeting = ConsultationMeeting.objects.create(
        town=town,
        matter=matter,
        kind="pre_meeting",
        topic=SECRETS["meeting"],
        date=today,
        place="春光村村委会",
        created_by=office,
    )
    county["meeting"] = meeting
    county["task"] = FollowUpTask.objects.create(
        meeting=meeting, description="硬化便道", unit=unit, due_on=today
    )
    county["meeting_file"] = MeetingFile.objects.create(
        meeting=meeting, file=ContentFile(b"%PDF-1.4\n", name="m.pdf")
    )

    proposal = ProposalFactory(
        term=county["membership"].term,
        session=session,
        title=SECRETS["proposal"],
        lead_proposer=member_a,
        created_by=users["member_a"],
    )
    proposal_workflow.proposal_submit(proposal, by=office)
    proposal_workflow.proposal_register(proposal, by=office)
    proposal_workflow.proposal_assign(proposal, lead_unit=unit, assisting_units=[], by=office)
    county["proposal"] = proposal
    county["proposal_file"] = ProposalFile.objects.create(
        proposal=proposal, file=ContentFile(b"%PDF-1.4\n", name="p.pdf"), original_name="p.pdf"
    )
    assignment = ProposalUnit.objects.get(proposal=proposal)
    reply = proposal_workflow.reply_submit(
        assignment, answer_type="solved", text="已落实养护资金。", by=office
    )
    reply.file.save("r.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    county["reply"] = reply

    opinion = OpinionReport.objects.create(
        title=SECRETS["opinion"],
        situation="夜间噪声大",
        suggestion="限定营业时间",
        studio=studio,
        submitted_on=today,
        created_by=users["member_a"],
    )
    opinion.members.add(member_a)
    county["opinion"] = opinion
    county["notification"] = Notification.objects.create(
        recipient=users["member_a"], title="古南通知矩阵"
    )
    county["summary"] = YearlySummary.objects.create(
        year=today.year - 1, scope="county", scope_key="county", requested_by=office
    )
    county["account"] = users["member_a"]
    county["term"] = county["membership"].term
    county["sector"] = member_a.sector
    county["committee"] = SpecialCommittee.objects.create(name="矩阵专委会")
    county["other_unit"] = other_unit
    county["unit"] = unit
    return county


# fmt: off
PAGES = [
    Page("account_activate", {'pk': 'account'}, "302 403 403 403 403 403 403 403 403 405", None),
    Page("account_create", {}, "302 403 403 403 403 403 403 403 403 200", None),
    Page("account_deactivate", {'pk': 'account'}, "302 403 403 403 403 403 403 403 403 405", None),
    Page("account_edit", {'pk': 'account'}, "302 403 403 403 403 403 403 403 403 200", None),
    Page("account_list", {}, "302 403 403 403 403 403 403 403 403 200", None),
    Page("account_reset_password", {'pk': 'account'}, "302 403 403 403 403 403 403 403 403 405", None),
    Page("account_reset_two_factor", {'pk': 'account'}, "302 403 403 403 403 403 403 403 403 405", None),
    Page("audit_export", {}, "302 403 403 403 403 403 403 403 403 200", None),
    Page("audit_list", {}, "302 403 403 403 403 403 403 403 403 200", None),
    Page("health", {}, "200 200 200 200 200 200 200 200 200 200", None),
    Page("home", {}, "302 302 302 302 302 302 302 302 302 302", None),
    Page("inbox", {}, "302 200 200 200 200 200 200 200 200 200", None),
    Page("inbox_read", {}, "405 405 405 405 405 405 405 405 405 405", None),
    Page("login", {}, "200 302 302 302 302 302 302 302 302 302", None),
    Page("login_otp", {}, "302 302 302 302 302 302 302 302 302 302", None),
    Page("logout", {}, "405 405 405 405 405 405 405 405 405 405", None),
    Page("no_role", {}, "403 403 403 403 403 403 403 403 403 403", None),
    Page("notification_open", {'pk': 'notification'}, "302 302 404 404 404 404 404 404 404 404", None),
    Page("portal", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("two_factor", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("trash", {}, "302 403 403 200 200 200 403 403 403 200", None),
    Page("trash_export", {}, "302 403 403 200 200 200 403 403 403 200", None),
    Page("search", {'kind': 'towns'}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("search", {'kind': 'studios'}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("search", {'kind': 'members'}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("search", {'kind': 'units'}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("search", {'kind': 'proposals'}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("trash_delete", {'kind': 'activities', 'pk': 'activity'}, "302 403 404 200 404 200 404 404 403 200", 'activity'),
    Page("trash_delete", {'kind': 'matters', 'pk': 'matter'}, "302 403 404 200 404 200 403 404 403 200", 'matter'),
    Page("trash_delete", {'kind': 'meetings', 'pk': 'meeting'}, "302 404 404 200 404 200 403 404 403 200", 'meeting'),
    Page("trash_delete", {'kind': 'members', 'pk': 'member_a'}, "302 403 404 403 404 200 404 404 403 200", 'member_a'),
    Page("trash_delete", {'kind': 'proposals', 'pk': 'proposal'}, "302 403 404 404 404 200 403 404 403 200", 'proposal'),
    Page("trash_restore", {'kind': 'activities', 'pk': 'activity'}, "302 405 405 405 405 405 405 405 405 405", 'activity'),
    Page("consultations:board", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("consultations:matter_advance", {'pk': 'matter'}, "302 405 405 405 405 405 405 405 405 405", 'matter'),
    Page("consultations:matter_assignment", {'pk': 'matter'}, "302 403 403 200 404 200 403 403 403 200", 'matter'),
    Page("consultations:matter_create", {}, "302 403 403 200 200 200 403 403 403 200", None),
    Page("consultations:matter_detail", {'pk': 'matter'}, "302 403 403 200 404 200 200 404 200 200", 'matter'),
    Page("consultations:matter_edit", {'pk': 'matter'}, "302 403 403 200 404 200 403 403 403 200", 'matter'),
    Page("consultations:matter_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("consultations:matter_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("consultations:matter_meeting_create", {'pk': 'matter'}, "302 403 403 200 404 200 403 403 403 200", 'matter'),
    Page("consultations:matter_outcome", {'pk': 'matter'}, "302 403 403 302 404 302 403 403 403 302", 'matter'),
    Page("consultations:matter_register", {'pk': 'matter'}, "302 403 403 302 404 302 403 403 403 302", 'matter'),
    Page("consultations:matter_send_back", {'pk': 'matter'}, "302 405 405 405 405 405 405 405 405 405", 'matter'),
    Page("consultations:meeting_create", {}, "302 403 403 200 200 200 403 403 403 200", None),
    Page("consultations:meeting_detail", {'pk': 'meeting'}, "302 403 403 200 404 200 200 404 200 200", 'meeting'),
    Page("consultations:meeting_edit", {'pk': 'meeting'}, "302 403 403 200 404 200 403 403 403 200", 'meeting'),
    Page("consultations:meeting_file", {'pk': 'meeting_file'}, "302 404 404 200 404 200 200 404 200 200", None),
    Page("consultations:meeting_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("consultations:meeting_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("consultations:progress_create", {'pk': 'matter'}, "302 405 405 405 405 405 405 405 405 405", 'matter'),
    Page("consultations:project_create", {'pk': 'matter'}, "302 403 403 302 404 302 403 403 403 302", 'matter'),
    Page("consultations:project_delete", {'pk': 'matter', 'project_pk': 'project'}, "302 403 403 200 404 200 403 403 403 200", 'matter'),
    Page("consultations:project_edit", {'pk': 'matter', 'project_pk': 'project'}, "302 403 403 302 404 302 403 403 403 302", 'matter'),
    Page("consultations:task_done", {'pk': 'task'}, "302 403 403 405 405 405 405 405 405 405", None),
    Page("consultations:task_list", {}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("consultations:task_list_export", {}, "302 403 403 200 200 200 200 200 200 200", None),
    Page("members:bulk", {}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:change_request_approve", {'pk': 'change_request'}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:change_request_reject", {'pk': 'change_request'}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:change_requests", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:create", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:create_login", {'pk': 'member_a'}, "302 403 403 403 403 405 403 403 403 405", 'member_a'),
    Page("members:detail", {'pk': 'member_a'}, "302 200 404 200 404 200 404 404 200 200", 'member_a'),
    Page("members:duty_rule_delete", {'pk': 'points_rule'}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:duty_rule_edit", {'pk': 'points_rule'}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:duty_rules", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:edit", {'pk': 'member_a'}, "302 403 403 403 403 200 403 403 403 200", 'member_a'),
    Page("members:export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("members:import", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:import_confirm", {}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:import_template", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:leave", {'pk': 'member_a'}, "302 403 403 403 403 200 403 403 403 200", 'member_a'),
    Page("members:leave_request_approve", {'pk': 'leave_request'}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:leave_request_refuse", {'pk': 'leave_request'}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("members:leave_requests", {}, "302 403 403 403 403 200 403 403 200 200", None),
    Page("members:list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("members:my_change_request", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("members:my_leave_request", {'pk': 'session'}, "302 404 404 403 403 403 403 403 403 403", 'session'),
    Page("members:photo", {'pk': 'member_a'}, "302 404 404 404 404 404 404 404 404 404", 'member_a'),
    Page("members:reset_password", {'pk': 'member_a'}, "302 403 403 403 403 405 403 403 403 405", 'member_a'),
    Page("members:return", {'pk': 'member_a'}, "302 403 403 403 403 405 403 403 403 405", 'member_a'),
    Page("members:reveal", {'pk': 'member_a'}, "302 405 405 405 405 405 405 405 405 405", 'member_a'),
    Page("members:session_attendance", {'pk': 'session'}, "302 403 403 403 403 302 403 403 403 302", 'session'),
    Page("members:session_create", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("members:session_detail", {'pk': 'session'}, "302 403 403 403 403 200 403 403 200 200", 'session'),
    Page("members:session_edit", {'pk': 'session'}, "302 403 403 403 403 200 403 403 403 200", 'session'),
    Page("members:session_export", {}, "302 403 403 403 403 200 403 403 200 200", None),
    Page("members:session_list", {}, "302 403 403 403 403 200 403 403 200 200", None),
    Page("proposals:bulk", {}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("proposals:compilation", {'session_pk': 'session'}, "302 403 403 403 403 200 403 403 200 200", 'session'),
    Page("proposals:detail", {'pk': 'proposal'}, "302 200 404 403 403 200 200 404 200 200", 'proposal'),
    Page("proposals:docx", {'pk': 'proposal'}, "302 200 404 403 403 200 200 404 200 200", 'proposal'),
    Page("proposals:file", {'pk': 'proposal_file'}, "302 200 404 404 404 200 200 404 200 200", None),
    Page("proposals:list", {}, "302 200 200 403 403 200 200 200 200 200", None),
    Page("proposals:list_export", {}, "302 200 200 403 403 200 200 200 200 200", None),
    Page("proposals:move", {'pk': 'proposal', 'move': 'register'}, "302 405 405 405 405 405 405 405 405 405", 'proposal'),
    Page("proposals:opinion_create", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("proposals:opinion_detail", {'pk': 'opinion'}, "302 403 403 200 404 200 403 403 200 200", 'opinion'),
    Page("proposals:opinion_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("proposals:opinion_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("proposals:opinion_move", {'pk': 'opinion', 'move': 'forward'}, "302 405 405 405 405 405 405 405 405 405", 'opinion'),
    Page("proposals:portal_cosign", {'pk': 'proposal'}, "302 405 405 403 403 403 403 403 403 403", 'proposal'),
    Page("proposals:portal_member_pick", {'pk': 'member_a'}, "302 404 404 403 403 403 403 403 403 403", 'member_a'),
    Page("proposals:portal_member_search", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("proposals:portal_opinion_submit", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("proposals:portal_opinions", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("proposals:portal_proposal", {'pk': 'proposal'}, "302 200 404 403 403 403 403 403 403 403", 'proposal'),
    Page("proposals:portal_proposal_edit", {'pk': 'proposal'}, "302 404 404 403 403 403 403 403 403 403", 'proposal'),
    Page("proposals:portal_proposal_new", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("proposals:portal_proposal_submit", {'pk': 'proposal'}, "302 405 405 403 403 403 403 403 403 403", 'proposal'),
    Page("proposals:portal_proposals", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("proposals:portal_similar", {}, "302 405 405 403 403 403 403 403 403 403", None),
    Page("proposals:reply_file", {'pk': 'reply'}, "302 404 404 404 404 200 200 404 200 200", None),
    Page("proposals:unit_bulk_reply", {}, "302 403 403 403 403 403 200 200 403 403", None),
    Page("proposals:unit_history", {}, "302 403 403 403 403 403 200 200 403 403", None),
    Page("proposals:unit_home", {}, "302 403 403 403 403 403 200 200 403 403", None),
    Page("proposals:unit_proposal", {'pk': 'proposal'}, "302 403 403 403 403 403 200 404 403 403", 'proposal'),
    Page("reports:dashboard", {}, "302 403 403 403 403 200 403 403 200 200", None),
    Page("reports:duty_member", {'pk': 'member_a'}, "302 403 403 200 404 200 403 403 200 200", 'member_a'),
    Page("reports:duty_ranking", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("reports:duty_ranking_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("reports:duty_report", {'pk': 'member_a', 'fmt': 'docx'}, "302 200 404 200 404 200 403 403 200 200", 'member_a'),
    Page("reports:office_home", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("reports:portal_duty", {}, "302 200 200 403 403 403 403 403 403 403", None),
    Page("reports:summary_detail", {'pk': 'summary'}, "302 403 403 404 404 200 403 403 200 200", None),
    Page("reports:summary_file", {'pk': 'summary', 'kind': 'docx'}, "302 403 403 404 404 404 403 403 404 404", None),
    Page("reports:summary_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("reports:summary_progress", {'pk': 'summary'}, "302 403 403 404 404 200 403 403 200 200", None),
    Page("reports:summary_start", {}, "405 405 405 405 405 405 405 405 405 405", None),
    Page("reports:town_home", {}, "302 403 403 200 200 403 403 403 403 403", None),
    Page("studios:activity_create", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:activity_detail", {'pk': 'activity'}, "302 403 403 200 404 200 403 403 200 200", 'activity'),
    Page("studios:activity_edit", {'pk': 'activity'}, "302 403 403 200 404 200 403 403 403 200", 'activity'),
    Page("studios:activity_file", {'pk': 'activity_file'}, "302 200 404 200 404 200 404 404 200 200", None),
    Page("studios:activity_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:activity_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:assign", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("studios:contacts", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:contacts_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:create", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("studios:detail", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 200 200", 'studio'),
    Page("studios:duty", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:duty_remove", {'pk': 'duty_shift'}, "302 403 403 405 405 405 403 403 405 405", None),
    Page("studios:edit", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:head_create", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:head_edit", {'pk': 'studio', 'head_pk': 'head'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:member_place", {'member_pk': 'member_a'}, "302 403 403 200 404 200 403 403 403 200", 'member_a'),
    Page("studios:members_place", {}, "302 403 403 403 403 405 403 403 403 405", None),
    Page("studios:membership_end", {'pk': 'membership'}, "302 403 403 405 405 405 403 403 405 405", None),
    Page("studios:party_group", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:party_group_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:party_group_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:problem_create", {'pk': 'studio'}, "302 403 403 200 404 200 403 403 403 200", 'studio'),
    Page("studios:problem_detail", {'pk': 'problem'}, "302 403 403 200 404 200 403 403 200 200", 'problem'),
    Page("studios:problem_edit", {'pk': 'problem'}, "302 403 403 200 404 200 403 403 403 200", 'problem'),
    Page("studios:problem_list", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:problem_list_export", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:problem_reopen", {'pk': 'problem'}, "302 403 403 405 405 405 403 403 405 405", 'problem'),
    Page("studios:problem_solve", {'pk': 'problem'}, "302 403 403 405 405 405 403 403 405 405", 'problem'),
    Page("studios:problem_take", {'pk': 'problem'}, "302 403 403 405 405 405 403 403 405 405", 'problem'),
    Page("studios:town_create", {}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("studios:town_edit", {'pk': 'town'}, "302 403 403 403 403 200 403 403 403 200", None),
    Page("studios:town_officer", {'pk': 'town'}, "302 403 403 200 404 200 403 403 403 200", None),
    Page("studios:towns", {}, "302 403 403 200 200 200 403 403 200 200", None),
    Page("studios:village_create", {'pk': 'town'}, "302 403 403 200 404 200 403 403 403 200", None),
]

OPS = [
    Op("GET", "/api/v1/activities/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/activities/", "401 403 403 201 400 201 403 403 403 201", None, {'studio': '@studio', 'kind': 'tea_talk', 'date': '@today', 'title': '矩阵新活动'}),
    Op("GET", "/api/v1/activities/{id}/", "401 200 404 200 404 200 404 404 200 200", 'activity'),
    Op("PUT", "/api/v1/activities/{id}/", "401 403 403 200 404 200 403 403 403 200", 'activity', {'version': '@version', 'studio': '@studio', 'kind': 'tea_talk', 'date': '@today', 'title': '春光村茶园夜话矩阵'}),
    Op("PATCH", "/api/v1/activities/{id}/", "401 403 403 200 404 200 403 403 403 200", 'activity', {'version': '@version', 'place': '春光村'}),
    Op("DELETE", "/api/v1/activities/{id}/", "401 403 403 204 404 204 403 403 403 204", 'activity', {}),
    Op("POST", "/api/v1/auth/token/", "200 200 200 200 200 200 200 200 200 200", None, {'username': 't-office', 'password': 'cppcc-test-pass'}),
    Op("DELETE", "/api/v1/auth/token/", "401 204 204 204 204 204 204 204 204 204", None, {}),
    Op("GET", "/api/v1/committee-sessions/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/committee-sessions/", "401 403 403 403 403 201 403 403 403 201", None, {'term': '@term', 'kind': 'standing', 'name': '矩阵常委会议', 'ordinal': 3, 'starts_on': '@today', 'ends_on': '@today'}),
    Op("GET", "/api/v1/committee-sessions/{id}/", "401 404 404 404 404 200 404 404 200 200", 'session'),
    Op("PUT", "/api/v1/committee-sessions/{id}/", "401 403 403 403 403 400 403 403 403 400", 'session', {'term': '@term', 'kind': 'plenary', 'name': '第十五届第九次会议矩阵', 'ordinal': 9, 'starts_on': '@today', 'ends_on': '@today'}),
    Op("PATCH", "/api/v1/committee-sessions/{id}/", "401 403 403 403 403 200 403 403 403 200", 'session', {'ordinal': 9}),
    Op("GET", "/api/v1/committee-sessions/{id}/attendance/", "401 404 404 404 404 200 404 404 200 200", 'session'),
    Op("POST", "/api/v1/committee-sessions/{id}/attendance/", "401 403 403 403 403 400 403 403 403 400", 'session', {'attendance': [{'member': '@member_a', 'status': 'present'}]}),
    Op("GET", "/api/v1/handling-units/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/handling-units/", "401 403 403 403 403 201 403 403 403 201", None, {'name': '矩阵新单位'}),
    Op("GET", "/api/v1/handling-units/{id}/", "401 404 404 200 200 200 200 404 200 200", 'unit'),
    Op("PATCH", "/api/v1/handling-units/{id}/", "401 403 403 403 403 200 403 403 403 200", 'unit', {'contact_person': '王敏'}),
    Op("GET", "/api/v1/livelihood-projects/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/livelihood-projects/", "401 403 403 400 400 400 403 403 403 400", None, {'matter': '@matter', 'title': '矩阵新实事'}),
    Op("GET", "/api/v1/livelihood-projects/{id}/", "401 200 404 200 404 200 200 404 200 200", 'project'),
    Op("PATCH", "/api/v1/livelihood-projects/{id}/", "401 403 404 400 404 400 403 404 403 400", 'project', {'funds_wan': '13'}),
    Op("DELETE", "/api/v1/livelihood-projects/{id}/", "401 403 404 400 404 400 403 404 403 400", 'project', {}),
    Op("GET", "/api/v1/matters/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/matters/", "401 403 403 201 400 201 403 403 403 201", None, {'town': '@town', 'title': '矩阵新事项', 'year': '@year'}),
    Op("GET", "/api/v1/matters/{id}/", "401 200 404 200 404 200 200 404 200 200", 'matter'),
    Op("PATCH", "/api/v1/matters/{id}/", "401 403 404 200 404 200 403 404 403 200", 'matter', {'version': '@version', 'background': '群众呼声高'}),
    Op("DELETE", "/api/v1/matters/{id}/", "401 403 404 204 404 204 403 404 403 204", 'matter', {}),
    Op("POST", "/api/v1/matters/{id}/advance/", "401 403 404 200 404 200 403 404 403 200", 'matter', {}),
    Op("POST", "/api/v1/matters/{id}/assignment/", "401 403 404 200 404 200 403 404 403 200", 'matter', {'lead_unit': '@unit', 'deadline': '@future'}),
    Op("GET", "/api/v1/matters/{id}/history/", "401 200 404 200 404 200 200 404 200 200", 'matter'),
    Op("POST", "/api/v1/matters/{id}/outcome/", "401 403 404 400 404 400 403 404 403 400", 'matter', {}),
    Op("GET", "/api/v1/matters/{id}/progress/", "401 200 404 200 404 200 200 404 200 200", 'matter'),
    Op("POST", "/api/v1/matters/{id}/progress/", "401 403 404 403 404 403 201 404 403 403", 'matter', {'body': '已开工'}),
    Op("POST", "/api/v1/matters/{id}/send-back/", "401 403 404 200 404 200 403 404 403 200", 'matter', {'reason': '材料不全'}),
    Op("GET", "/api/v1/meetings/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/meetings/", "401 403 403 201 400 201 403 403 403 201", None, {'kind': 'regular', 'date': '@today', 'place': '村委会', 'town': '@town'}),
    Op("GET", "/api/v1/meetings/{id}/", "401 404 404 200 404 200 200 404 200 200", 'meeting'),
    Op("DELETE", "/api/v1/meetings/{id}/", "401 404 404 204 404 204 403 404 403 204", 'meeting', {}),
    Op("PATCH", "/api/v1/meetings/{id}/", "401 404 404 400 404 400 403 404 403 400", 'meeting', {'version': '@version', 'agreed': '同意硬化便道'}),
    Op("GET", "/api/v1/members/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/members/", "401 403 403 403 403 400 403 403 403 400", None, {'name': '矩阵新委员', 'gender': 'male', 'sector': '@sector', 'party': 'non_party'}),
    Op("GET", "/api/v1/members/{id}/", "401 200 404 200 404 200 404 404 200 200", 'member_a'),
    Op("PUT", "/api/v1/members/{id}/", "401 403 403 403 403 400 403 403 403 400", 'member_a', {'version': '@version', 'name': '张古南', 'gender': 'male', 'sector': '@sector', 'party': 'non_party'}),
    Op("PATCH", "/api/v1/members/{id}/", "401 403 403 403 403 200 403 403 403 200", 'member_a', {'version': '@version', 'employer': '古南街道卫生院'}),
    Op("DELETE", "/api/v1/members/{id}/", "401 403 403 403 403 204 403 403 403 204", 'member_a', {}),
    Op("POST", "/api/v1/members/{id}/leave/", "401 403 403 403 403 200 403 403 403 200", 'member_a', {'left_on': '@today', 'left_reason': '调离'}),
    Op("POST", "/api/v1/members/{id}/return/", "401 403 403 403 403 409 403 403 403 409", 'member_a', {}),
    Op("POST", "/api/v1/members/{id}/sensitive/", "401 403 403 403 403 200 403 403 403 200", 'member_a', {}),
    Op("GET", "/api/v1/opinion-reports/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/opinion-reports/submit/", "401 201 201 403 403 400 403 403 403 400", None, {'title': '矩阵新信息', 'situation': '夜间噪声', 'suggestion': '限时'}),
    Op("GET", "/api/v1/opinion-reports/{id}/", "401 200 404 200 404 200 404 404 200 200", 'opinion'),
    Op("POST", "/api/v1/opinion-reports/{id}/adopt/", "401 403 404 403 404 409 404 404 403 409", 'opinion', {'level': 'city', 'source': '市政协采用'}),
    Op("POST", "/api/v1/opinion-reports/{id}/edit/", "401 403 404 403 404 200 404 404 403 200", 'opinion', {'edited_title': '古南菜市场噪声', 'edited_text': '夜间噪声大'}),
    Op("POST", "/api/v1/opinion-reports/{id}/forward/", "401 403 404 403 404 409 404 404 403 409", 'opinion', {'forwarded_to': '市政协'}),
    Op("POST", "/api/v1/opinion-reports/{id}/instruct/", "401 403 404 403 404 400 404 404 403 400", 'opinion', {'level': 'county', 'leader': '区长', 'text': '请办理'}),
    Op("POST", "/api/v1/opinion-reports/{id}/reject/", "401 403 404 403 404 409 404 404 403 409", 'opinion', {'reason': '重复反映'}),
    Op("GET", "/api/v1/party-groups/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/party-groups/", "401 403 403 400 400 400 403 403 403 400", None, {'studio': '@studio', 'leader': '@member_a'}),
    Op("GET", "/api/v1/party-groups/{id}/", "401 200 404 200 404 200 404 404 200 200", 'party_group'),
    Op("PATCH", "/api/v1/party-groups/{id}/", "401 403 403 200 404 200 403 403 403 200", 'party_group', {'leader': '@member_a'}),
    Op("GET", "/api/v1/problems/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/problems/", "401 403 403 201 400 201 403 403 403 201", None, {'studio': '@studio', 'title': '矩阵新问题', 'raised_by': '村民', 'raised_on': '@today'}),
    Op("GET", "/api/v1/problems/{id}/", "401 200 404 200 404 200 404 404 200 200", 'problem'),
    Op("PUT", "/api/v1/problems/{id}/", "401 403 403 200 404 200 403 403 403 200", 'problem', {'studio': '@studio', 'title': '春光村路灯不亮矩阵', 'raised_by': '村民', 'raised_on': '@today'}),
    Op("PATCH", "/api/v1/problems/{id}/", "401 403 403 200 404 200 403 403 403 200", 'problem', {'description': '路灯坏了三盏'}),
    Op("POST", "/api/v1/problems/{id}/reopen/", "401 403 403 409 404 409 403 403 403 409", 'problem', {'reason': '又坏了'}),
    Op("POST", "/api/v1/problems/{id}/solve/", "401 403 403 200 404 200 403 403 403 200", 'problem', {'solved_on': '@today', 'resolution': '已修好'}),
    Op("POST", "/api/v1/problems/{id}/take/", "401 403 403 200 404 200 403 403 403 200", 'problem', {}),
    Op("GET", "/api/v1/proposals/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/proposals/", "401 201 201 403 403 201 403 403 403 201", None, {'term': '@term', 'title': '矩阵新提案'}),
    Op("GET", "/api/v1/proposals/{id}/", "401 200 404 404 404 200 200 404 200 200", 'proposal'),
    Op("DELETE", "/api/v1/proposals/{id}/", "401 403 404 404 404 204 403 404 403 204", 'proposal', {}),
    Op("POST", "/api/v1/proposals/{id}/assign/", "401 403 404 404 404 409 403 404 403 409", 'proposal', {'lead_unit': '@unit'}),
    Op("POST", "/api/v1/proposals/{id}/close/", "401 403 404 404 404 409 403 404 403 409", 'proposal', {}),
    Op("POST", "/api/v1/proposals/{id}/cosign/", "401 403 404 404 404 403 403 404 403 403", 'proposal', {}),
    Op("POST", "/api/v1/proposals/{id}/give-back-grant/", "401 403 404 404 404 400 403 404 403 400", 'proposal', {}),
    Op("POST", "/api/v1/proposals/{id}/give-back-refuse/", "401 403 404 404 404 400 403 404 403 400", 'proposal', {'reason': '属本单位职责'}),
    Op("POST", "/api/v1/proposals/{id}/give-back/", "401 403 404 404 404 400 409 404 403 400", 'proposal', {'reason': '不属本单位职责'}),
    Op("POST", "/api/v1/proposals/{id}/merge/", "401 403 404 404 404 400 403 404 403 400", 'proposal', {'into': '@proposal'}),
    Op("POST", "/api/v1/proposals/{id}/rate/", "401 400 404 404 404 400 403 404 403 400", 'proposal', {'rating': 'satisfied', 'communication': 'in_person'}),
    Op("POST", "/api/v1/proposals/{id}/register/", "401 403 404 404 404 409 403 404 403 409", 'proposal', {}),
    Op("POST", "/api/v1/proposals/{id}/reject/", "401 403 404 404 404 409 403 404 403 409", 'proposal', {'reason': 'out_of_scope'}),
    Op("POST", "/api/v1/proposals/{id}/release-reply/", "401 403 404 404 404 200 403 404 403 200", 'proposal', {'reply': '@reply'}),
    Op("POST", "/api/v1/proposals/{id}/reply/", "401 403 404 404 404 400 409 404 403 400", 'proposal', {'answer_type': 'solved', 'text': '已办理'}),
    Op("POST", "/api/v1/proposals/{id}/return-reply/", "401 403 404 404 404 200 403 404 403 200", 'proposal', {'reply': '@reply', 'reason': '答复不具体'}),
    Op("POST", "/api/v1/proposals/{id}/submit/", "401 409 404 404 404 409 403 404 403 409", 'proposal', {}),
    Op("GET", "/api/v1/sectors/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/sectors/", "401 403 403 403 403 201 403 403 403 201", None, {'name': '矩阵界别'}),
    Op("GET", "/api/v1/sectors/{id}/", "401 200 200 200 200 200 200 200 200 200", 'sector'),
    Op("PUT", "/api/v1/sectors/{id}/", "401 403 403 403 403 200 403 403 403 200", 'sector', {'name': '矩阵界别改'}),
    Op("PATCH", "/api/v1/sectors/{id}/", "401 403 403 403 403 200 403 403 403 200", 'sector', {'order': 3}),
    Op("DELETE", "/api/v1/sectors/{id}/", "401 403 403 403 403 400 403 403 403 400", 'sector', {}),
    Op("GET", "/api/v1/session-leave-requests/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/session-leave-requests/", "401 400 400 403 403 403 403 403 403 403", None, {'session': '@session', 'reason': '出差'}),
    Op("GET", "/api/v1/session-leave-requests/{id}/", "401 200 404 404 404 200 404 404 200 200", 'leave_request'),
    Op("POST", "/api/v1/session-leave-requests/{id}/approve/", "401 403 403 403 403 200 403 403 403 200", 'leave_request', {}),
    Op("POST", "/api/v1/session-leave-requests/{id}/refuse/", "401 403 403 403 403 400 403 403 403 400", 'leave_request', {}),
    Op("GET", "/api/v1/special-committees/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/special-committees/", "401 403 403 403 403 400 403 403 403 400", None, {'name': '矩阵专委会'}),
    Op("GET", "/api/v1/special-committees/{id}/", "401 200 200 200 200 200 200 200 200 200", 'committee'),
    Op("PUT", "/api/v1/special-committees/{id}/", "401 403 403 403 403 200 403 403 403 200", 'committee', {'name': '矩阵专委会改'}),
    Op("PATCH", "/api/v1/special-committees/{id}/", "401 403 403 403 403 200 403 403 403 200", 'committee', {'order': 3}),
    Op("DELETE", "/api/v1/special-committees/{id}/", "401 403 403 403 403 204 403 403 403 204", 'committee', {}),
    Op("GET", "/api/v1/stats/", "401 403 403 200 200 200 403 403 200 200"),
    Op("GET", "/api/v1/studios/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/studios/", "401 403 403 403 403 400 403 403 403 400", None, {'name': '矩阵新工作室'}),
    Op("GET", "/api/v1/studios/{id}/", "401 200 404 200 404 200 404 404 200 200", 'studio'),
    Op("PUT", "/api/v1/studios/{id}/", "401 403 403 200 404 200 403 403 403 200", 'studio', {'name': '古南街道委员工作室'}),
    Op("PATCH", "/api/v1/studios/{id}/", "401 403 403 200 404 200 403 403 403 200", 'studio', {'address': '古南街道1号'}),
    Op("POST", "/api/v1/studios/{id}/assign-members/", "401 403 403 403 404 200 403 403 403 200", 'studio', {'members': ['@member_b'], 'role': 'member', 'term': '@term'}),
    Op("GET", "/api/v1/summaries/", "401 403 403 200 200 200 403 403 200 200"),
    Op("POST", "/api/v1/summaries/", "401 403 403 400 400 202 403 403 403 202", None, {'year': '@last_year', 'scope': 'county'}),
    Op("GET", "/api/v1/summaries/{id}/", "401 403 403 404 404 200 403 403 200 200", 'summary'),
    Op("GET", "/api/v1/terms/", "401 200 200 200 200 200 200 200 200 200"),
    Op("POST", "/api/v1/terms/", "401 403 403 403 403 201 403 403 403 201", None, {'name': '第十六届', 'start_year': 2026, 'end_year': 2031}),
    Op("GET", "/api/v1/terms/{id}/", "401 200 200 200 200 200 200 200 200 200", 'term'),
    Op("PUT", "/api/v1/terms/{id}/", "401 403 403 403 403 200 403 403 403 200", 'term', {'name': '第十五届', 'start_year': 2021, 'end_year': 2026}),
    Op("PATCH", "/api/v1/terms/{id}/", "401 403 403 403 403 200 403 403 403 200", 'term', {'is_current': True}),
    Op("DELETE", "/api/v1/terms/{id}/", "401 403 403 403 403 400 403 403 403 400", 'term', {}),
    Op("GET", "/api/v1/towns/", "401 200 200 200 200 200 200 200 200 200"),
    Op("GET", "/api/v1/towns/{id}/", "401 200 404 200 404 200 404 404 200 200", 'town'),
]
# fmt: on
