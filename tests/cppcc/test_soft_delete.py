"""Soft delete with undo (issue 12, cppcc.softdelete and cppcc.trash_views): a record that
mattered goes to the 回收站 and leaves every list, detail page, API, figure and the duty ledger
until it is restored; an unused draft is deleted for real; two clicks cannot both win; restoring
into a conflict is refused with a message naming it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from consultations import workflow as consultation_workflow
from consultations.models import ConsultationMeeting, Matter
from cppcc import softdelete
from cppcc.models import AuditEvent
from cppcc.workflow import ConflictError, WorkflowError
from members.models import DutyEntry, DutyKind, Member
from proposals import workflow as proposal_workflow
from proposals.models import Proposal
from reports.figures import page_figures
from reports.periods import Period
from studios import services as studio_services
from studios.models import Activity, ActivityAttendance
from tests.factories import CommitteeSessionFactory, MemberFactory, ProposalFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def ledger(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks (the duty ledger's rebuild) of what happens inside."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def records(office_user, member_a, gunan, gunan_studio, term, ledger):
    """One record of each kind, used (so deleting it goes to the trash), each with a title found
    nowhere else, and member A's duty entries from them."""
    with ledger():
        activity = studio_services.record_activity(
            gunan_studio,
            {"kind": "tea_talk", "title": "回收站茶园夜话", "date": TODAY},
            {member_a.pk: "present"},
            by=office_user,
        )
        meeting = consultation_services.record_meeting(
            {"kind": "regular", "topic": "回收站协商例会", "date": TODAY, "place": "村委会"},
            town=gunan,
            attendance={member_a.pk: "present"},
            by=office_user,
        )
        matter = consultation_services.create_matter(
            gunan, {"title": "回收站荷塘养虾", "year": YEAR}, [member_a], by=office_user
        )
        matter = consultation_workflow.matter_register(matter, by=office_user)
        proposal = ProposalFactory(term=term, title="关于回收站的提案", lead_proposer=member_a)
        proposal_workflow.proposal_submit(proposal, by=office_user)
    return {
        "activities": activity,
        "meetings": meeting,
        "matters": matter,
        "proposals": proposal,
        "members": member_a,
    }


def figures(user) -> dict:
    return page_figures(user, Period.for_year(YEAR))


@dataclass(frozen=True)
class Case:
    title: str
    list_url: str
    api: str
    figure: Callable[[dict], int]
    # The duty kind member A earns from the record (None: the member's whole ledger).
    duty: str | None


CASES = {
    "activities": Case(
        "回收站茶园夜话",
        "studios:activity_list",
        "/api/v1/activities/{}/",
        lambda f: f["activities"]["current"]["count"],
        DutyKind.STUDIO_ACTIVITY,
    ),
    "meetings": Case(
        "回收站协商例会",
        "consultations:meeting_list",
        "/api/v1/meetings/{}/",
        lambda f: f["consultations"]["meetings"]["current"]["regular"],
        DutyKind.CONSULTATION_MEETING,
    ),
    "matters": Case(
        "回收站荷塘养虾",
        "consultations:matter_list",
        "/api/v1/matters/{}/",
        lambda f: sum(row["count"] for row in f["consultations"]["steps"]),
        None,
    ),
    "proposals": Case(
        "关于回收站的提案",
        "proposals:list",
        "/api/v1/proposals/{}/",
        lambda f: f["proposals"]["current"]["filed"],
        DutyKind.PROPOSAL_LEAD,
    ),
    "members": Case(
        "张古南",
        "members:list",
        "/api/v1/members/{}/",
        lambda f: f["members"]["total"],
        None,
    ),
}


def duty_count(member, kind) -> int:
    entries = DutyEntry.objects.filter(member=member)
    return (entries.filter(kind=kind) if kind else entries).count()


@pytest.mark.parametrize("slug", list(CASES))
def test_a_deleted_record_leaves_lists_details_api_figures_and_ledger_until_restored(
    slug, records, office_user, member_a, client_for, ledger
):
    obj, case = records[slug], CASES[slug]
    client = client_for(office_user)

    def state() -> dict:
        return {
            "in_list": case.title in client.get(reverse(case.list_url)).content.decode(),
            "detail": client.get(obj.get_absolute_url()).status_code,
            "api": client.get(case.api.format(obj.pk)).status_code,
            "figure": case.figure(figures(office_user)),
            "duty": duty_count(member_a, case.duty),
        }

    before = state()
    assert before["in_list"] and before["detail"] == before["api"] == 200
    assert before["figure"] >= 1
    if case.duty or slug == "members":
        assert before["duty"] >= 1

    with ledger():
        softdelete.soft_delete(obj, by=office_user)
    gone = state()
    assert not gone["in_list"]
    assert (gone["detail"], gone["api"]) == (404, 404)
    assert gone["figure"] == before["figure"] - 1
    if case.duty or slug == "members":
        assert gone["duty"] == 0

    with ledger():
        softdelete.restore(obj, by=office_user)
    assert state() == before


def test_deleted_member_no_longer_counts_in_meeting_participations(
    records, office_user, member_a, ledger
):
    """A statistic reached through a join (attendance → member) leaves deleted members out."""
    before = figures(office_user)["consultations"]["totals"]["current"]["participations_other"]
    softdelete.soft_delete(member_a, by=office_user)
    after = figures(office_user)["consultations"]["totals"]["current"]["participations_other"]
    assert after == before - 1


def test_deleting_a_matter_takes_its_meetings_and_restoring_brings_them_back(records, office_user):
    matter = records["matters"]
    step_meeting = ConsultationMeeting.objects.create(
        town=matter.town, matter=matter, kind="pre_meeting", date=TODAY, place="村委会"
    )
    softdelete.soft_delete(matter, by=office_user)
    assert not ConsultationMeeting.objects.filter(pk=step_meeting.pk).exists()
    assert ConsultationMeeting.all_objects.get(pk=step_meeting.pk).deleted_at == (
        Matter.all_objects.get(pk=matter.pk).deleted_at
    )
    # A meeting cannot come back on its own while its matter is in the trash.
    with pytest.raises(WorkflowError, match="回收站荷塘养虾"):
        softdelete.restore(step_meeting, by=office_user)

    softdelete.restore(matter, by=office_user)
    assert list(matter.meetings.all()) == [step_meeting]


def test_a_meeting_deleted_before_its_matter_stays_deleted_when_the_matter_comes_back(
    records, office_user
):
    matter = records["matters"]
    first = ConsultationMeeting.objects.create(
        town=matter.town, matter=matter, kind="pre_meeting", date=TODAY, place="村委会"
    )
    softdelete.soft_delete(first, by=office_user)
    softdelete.soft_delete(matter, by=office_user)
    softdelete.restore(matter, by=office_user)
    assert list(matter.meetings.all()) == []


def test_a_foreign_key_to_a_deleted_record_still_resolves(records, office_user, member_a):
    activity = records["activities"]
    softdelete.soft_delete(activity, by=office_user)
    attendance = ActivityAttendance.objects.get(member=member_a)
    assert attendance.activity.title == "回收站茶园夜话"


# --- pages: confirm, undo, trash -------------------------------------------------------------


def test_delete_button_confirms_then_moves_to_trash_and_undo_restores(
    records, office_user, client_for
):
    activity = records["activities"]
    client = client_for(office_user)
    detail = client.get(activity.get_absolute_url()).content.decode()
    url = reverse("trash_delete", args=["activities", activity.pk])
    assert url in detail

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "移入回收站" in confirm.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()  # a GET deletes nothing

    response = client.post(url)
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    page = client.get(response["Location"]).content.decode()
    restore_url = reverse("trash_restore", args=["activities", activity.pk])
    assert "撤销" in page and restore_url in page

    response = client.post(restore_url)
    assert response["Location"] == activity.get_absolute_url()
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert "已恢复" in client.get(response["Location"]).content.decode()


def test_delete_and_restore_each_write_one_audit_row_naming_the_record(
    records, office_user, client_for
):
    proposal = records["proposals"]
    client = client_for(office_user)
    client.post(reverse("trash_delete", args=["proposals", proposal.pk]))
    client.post(reverse("trash_restore", args=["proposals", proposal.pk]))
    rows = AuditEvent.objects.filter(object_id=str(proposal.pk), kind="write").order_by("pk")
    assert [(r.action, r.user_id, r.outcome) for r in rows] == [
        ("soft_delete", office_user.pk, "success"),
        ("restore", office_user.pk, "success"),
    ]
    assert rows[0].content_type.model == "proposal"


def test_history_keeps_who_deleted_and_who_restored(records, office_user, admin_user):
    activity = records["activities"]
    softdelete.soft_delete(activity, by=office_user)
    softdelete.restore(activity, by=admin_user)
    latest = list(Activity.history.filter(id=activity.pk).order_by("-history_id")[:2])
    assert [(h.history_user_id, h.deleted_at is None) for h in latest] == [
        (admin_user.pk, True),
        (office_user.pk, False),
    ]
    assert latest[1].deleted_by_id == office_user.pk


def test_delete_refuses_a_get_that_would_delete_and_a_person_who_may_not_edit(
    records, client_for, member_user, leader_user, town_user, other_town_user, unit_user
):
    activity, member = records["activities"], records["members"]
    activity_url = reverse("trash_delete", args=["activities", activity.pk])
    # Town clerks delete their own town's activities; leaders and members only read.
    assert client_for(town_user).get(activity_url).status_code == 200
    assert client_for(other_town_user).get(activity_url).status_code == 404
    assert client_for(leader_user).post(activity_url).status_code == 403
    assert client_for(member_user).post(activity_url).status_code == 403
    assert client_for(unit_user).post(activity_url).status_code == 404
    # Members are the office's register: a town clerk who sees one may not delete it.
    member_url = reverse("trash_delete", args=["members", member.pk])
    assert client_for(town_user).post(member_url).status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert Member.objects.filter(pk=member.pk).exists()


def test_restore_is_post_only_and_scoped(
    records, office_user, town_user, other_town_user, client_for
):
    activity = records["activities"]
    softdelete.soft_delete(activity, by=office_user)
    url = reverse("trash_restore", args=["activities", activity.pk])
    assert client_for(town_user).get(url).status_code == 405
    assert client_for(other_town_user).post(url).status_code == 404
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert client_for(town_user).post(url).status_code == 302
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_unknown_kind_is_404(office_user, client_for):
    assert client_for(office_user).get("/trash/users/1/delete/").status_code == 404


def test_trash_lists_what_the_person_may_see_with_search_and_paging(
    records,
    office_user,
    town_user,
    other_town_user,
    member_b_user,
    client_for,
    dongxi_studio,
    monkeypatch,
    django_assert_max_num_queries,
):
    other = Activity.objects.create(
        studio=dongxi_studio, kind="lecture", title="东溪回收站讲座", date=TODAY
    )
    for obj in (*records.values(), other):
        softdelete.soft_delete(obj, by=office_user)

    office = client_for(office_user)
    # session, user, roles, COUNT of the five-kind UNION, its page, who deleted, inbox badge,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        page = office.get(reverse("trash")).content.decode()
    for title in (
        "回收站茶园夜话",
        "回收站协商例会",
        "回收站荷塘养虾",
        "关于回收站的提案",
        "张古南",
        "东溪回收站讲座",
    ):
        assert title in page
    assert "机关干部" in page  # who deleted

    town = client_for(town_user).get(reverse("trash")).content.decode()
    assert "回收站茶园夜话" in town and "东溪回收站讲座" not in town
    assert "关于回收站的提案" not in town  # proposals are the county office's
    other_town = client_for(other_town_user).get(reverse("trash")).content.decode()
    assert "东溪回收站讲座" in other_town and "回收站茶园夜话" not in other_town
    # (Member A is in the trash, so their login is off: member B asks.)
    assert client_for(member_b_user).get(reverse("trash")).status_code == 403

    found = office.get(reverse("trash"), {"q": "讲座"}).content.decode()
    assert "东溪回收站讲座" in found and "回收站茶园夜话" not in found
    kind = office.get(reverse("trash"), {"kind": "members"}).content.decode()
    assert "张古南" in kind and "东溪回收站讲座" not in kind

    monkeypatch.setattr("cppcc.trash_views.PAGE_SIZE", 4)
    first = office.get(reverse("trash")).content.decode()
    second = office.get(reverse("trash"), {"page": 2}).content.decode()
    assert "1 / 2" in first
    titles = (
        "回收站茶园夜话",
        "回收站协商例会",
        "回收站荷塘养虾",
        "关于回收站的提案",
        "张古南",
        "东溪回收站讲座",
    )
    assert sorted(t for t in titles if t in first or t in second) == sorted(titles)
    assert not any(t in first and t in second for t in titles)


def test_trash_query_count_does_not_grow_with_rows(
    office_user, gunan_studio, client_for, django_assert_max_num_queries
):
    client = client_for(office_user)
    for i in range(3):
        softdelete.soft_delete(
            Activity.objects.create(
                studio=gunan_studio, kind="lecture", title=f"讲座{i}", date=TODAY
            ),
            by=office_user,
        )
    with django_assert_max_num_queries(10) as few:  # as above
        client.get(reverse("trash"))
    for i in range(12):
        softdelete.soft_delete(
            Activity.objects.create(
                studio=gunan_studio, kind="lecture", title=f"再讲{i}", date=TODAY
            ),
            by=office_user,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("trash"))


# --- unused drafts are deleted for real ------------------------------------------------------


def test_unused_drafts_and_used_records(records, office_user, term, gunan, gunan_studio, member_a):
    draft_proposal = ProposalFactory(term=term, lead_proposer=member_a)
    draft_matter = consultation_services.create_matter(
        gunan, {"title": "草稿议题", "year": YEAR}, [member_a], by=office_user
    )
    empty_activity = Activity.objects.create(
        studio=gunan_studio, kind="lecture", title="空活动", date=TODAY
    )
    planned = ConsultationMeeting.objects.create(
        town=gunan, kind="regular", date=TODAY + datetime.timedelta(days=7), place="村委会"
    )
    held = ConsultationMeeting.objects.create(
        town=gunan, kind="regular", date=TODAY, place="村委会"
    )
    fresh_member = MemberFactory(name="误录委员")

    for draft in (draft_proposal, draft_matter, empty_activity, planned, fresh_member):
        assert softdelete.is_unused_draft(draft), draft
    for used in (*records.values(), held):
        assert not softdelete.is_unused_draft(used), used


def test_deleting_an_unused_draft_is_real_and_recorded(office_user, term, member_a, client_for):
    draft = ProposalFactory(term=term, title="草稿提案回收站", lead_proposer=member_a)
    client = client_for(office_user)
    url = reverse("trash_delete", args=["proposals", draft.pk])
    assert "不能撤销" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("proposals:list")
    assert not Proposal.all_objects.filter(pk=draft.pk).exists()
    assert Proposal.history.filter(id=draft.pk, history_type="-").get().history_user == office_user
    assert AuditEvent.objects.get(object_id=str(draft.pk), action="delete").user == office_user


def test_a_draft_used_after_the_confirm_page_goes_to_the_trash_instead(
    office_user, gunan_studio, member_a
):
    activity = Activity.objects.create(
        studio=gunan_studio, kind="lecture", title="空活动", date=TODAY
    )
    assert softdelete.is_unused_draft(activity)
    ActivityAttendance.objects.create(activity=activity, member=member_a)
    with pytest.raises(ConflictError):
        softdelete.delete_draft(activity, by=office_user)
    assert softdelete.delete(activity, by=office_user) is True
    assert Activity.all_objects.filter(pk=activity.pk, deleted_at__isnull=False).exists()


# --- races and conflicts ---------------------------------------------------------------------


def test_second_click_loses(records, office_user):
    meeting = records["meetings"]
    stale = ConsultationMeeting.objects.get(pk=meeting.pk)
    softdelete.soft_delete(meeting, by=office_user)
    with pytest.raises(ConflictError):
        softdelete.soft_delete(stale, by=office_user)
    softdelete.restore(meeting, by=office_user)
    with pytest.raises(ConflictError):
        softdelete.restore(stale, by=office_user)


def test_reentering_a_deleted_member_works_and_restoring_the_old_record_is_refused(
    office_user, client_for
):
    from tests.members.conftest import make_id

    number = make_id()
    old = MemberFactory(name="旧录入", id_number=number)
    softdelete.soft_delete(old, by=office_user)
    new = MemberFactory(name="重新录入", id_number=number)
    new.full_clean()  # the unique rule ignores the record in the trash

    response = client_for(office_user).post(reverse("trash_restore", args=["members", old.pk]))
    assert response.status_code == 409
    assert "重新录入" in response.content.decode()
    assert Member.all_objects.get(pk=old.pk).deleted_at is not None


def test_restoring_a_matter_into_a_taken_annual_topic_is_refused(office_user, gunan, member_a):
    first = consultation_services.create_matter(
        gunan,
        {"title": "第一个年度议题", "year": YEAR, "is_annual_topic": True},
        [member_a],
        by=office_user,
    )
    consultation_workflow.matter_register(first, by=office_user)
    softdelete.soft_delete(first, by=office_user)
    consultation_services.create_matter(
        gunan,
        {"title": "第二个年度议题", "year": YEAR, "is_annual_topic": True},
        [member_a],
        by=office_user,
    )
    with pytest.raises(WorkflowError, match="第二个年度议题"):
        softdelete.restore(first, by=office_user)


def test_a_deleted_proposal_keeps_its_number(office_user, term, member_a):
    session = CommitteeSessionFactory(term=term)
    first = ProposalFactory(term=term, session=session, lead_proposer=member_a)
    proposal_workflow.proposal_submit(first, by=office_user)
    proposal_workflow.proposal_register(first, by=office_user)
    softdelete.soft_delete(first, by=office_user)
    second = ProposalFactory(term=term, session=session, lead_proposer=member_a)
    proposal_workflow.proposal_submit(second, by=office_user)
    proposal_workflow.proposal_register(second, by=office_user)
    assert (first.serial, Proposal.objects.get(pk=second.pk).serial) == (1, 2)


def test_a_deleted_member_can_no_longer_sign_in_and_stays_off_after_restore(
    member_user, office_user, client
):
    member = member_user.member
    softdelete.soft_delete(member, by=office_user)
    member_user.refresh_from_db()
    assert member_user.is_active is False
    answer = client.post(
        reverse("login"), {"username": member_user.username, "password": "cppcc-test-pass"}
    )
    assert answer.status_code == 200 and "_auth_user_id" not in client.session
    softdelete.restore(member, by=office_user)
    member_user.refresh_from_db()
    # Turned back on deliberately in 账号管理, not by the undo.
    assert member_user.is_active is False


API_DELETE = {
    "activities": "/api/v1/activities/{}/",
    "meetings": "/api/v1/meetings/{}/",
    "matters": "/api/v1/matters/{}/",
    "members": "/api/v1/members/{}/",
    "proposals": "/api/v1/proposals/{}/",
}


@pytest.mark.parametrize("kind", sorted(API_DELETE))
def test_api_delete_goes_to_the_trash_through_the_same_workflow(
    kind, records, office_user, client_for
):
    record = records[kind]
    url = API_DELETE[kind].format(record.pk)
    office = client_for(office_user)
    assert office.delete(url).status_code == 204
    assert office.get(url).status_code == 404
    assert type(record).all_objects.get(pk=record.pk).deleted_by_id == office_user.pk
    assert AuditEvent.objects.filter(action="soft_delete", object_id=str(record.pk)).count() == 1
    # A second DELETE finds nothing to delete; the undo is the trash page's.
    assert office.delete(url).status_code == 404
    office.post(reverse("trash_restore", args=[kind, record.pk]))
    assert office.get(url).status_code == 200


def test_api_delete_refuses_who_may_not_edit_and_hides_what_they_cannot_see(
    records, client_for, member_user, leader_user, town_user, other_town_user
):
    activity, member, proposal = records["activities"], records["members"], records["proposals"]
    assert (
        client_for(leader_user).delete(API_DELETE["activities"].format(activity.pk)).status_code
        == 403
    )
    assert (
        client_for(other_town_user).delete(API_DELETE["activities"].format(activity.pk)).status_code
        == 404
    )
    assert client_for(town_user).delete(API_DELETE["members"].format(member.pk)).status_code == 403
    assert (
        client_for(member_user).delete(API_DELETE["proposals"].format(proposal.pk)).status_code
        == 403
    )
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert Member.objects.filter(pk=member.pk).exists()
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    # A town clerk deletes their own town's activity.
    assert (
        client_for(town_user).delete(API_DELETE["activities"].format(activity.pk)).status_code
        == 204
    )


def test_trash_exports_what_the_page_shows_with_its_filters(
    records, office_user, town_user, client_for, dongxi_studio
):
    from tests.members.conftest import read_xlsx

    other = Activity.objects.create(
        studio=dongxi_studio, kind="lecture", title="东溪回收站讲座", date=TODAY
    )
    for obj in (records["activities"], records["proposals"], other):
        softdelete.soft_delete(obj, by=office_user)

    town = client_for(town_user).get(reverse("trash_export"))
    assert town.status_code == 200
    rows = read_xlsx(town.content)
    assert rows[0] == ["类别", "名称或标题", "删除时间", "删除人"]
    # The clerk's own town only: no other town's activity, no proposal.
    assert [row[1] for row in rows[1:]] == ["回收站茶园夜话"]
    assert rows[1][3] == "机关干部"

    office = client_for(office_user)
    titles = [r[1] for r in read_xlsx(office.get(reverse("trash_export")).content)[1:]]
    assert sorted(titles) == sorted(["回收站茶园夜话", "关于回收站的提案", "东溪回收站讲座"])
    searched = office.get(reverse("trash_export"), {"kind": "activities", "q": "东溪"})
    assert [r[1] for r in read_xlsx(searched.content)[1:]] == ["东溪回收站讲座"]
