"""A handling unit's proposal pages: the block on its home, the proposal page with the reply
(from a template) and give-back forms, the bulk reply and the history."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import workflow
from proposals.models import (
    AnswerType,
    AssignmentStatus,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import HandlingUnitFactory, ProposalFactory
from tests.pages import block_context

from .flow import walk

S = ProposalStatus
A = AssignmentStatus
HOME = reverse("proposals:unit_home")
BULK = reverse("proposals:unit_bulk_reply")


def page(proposal):
    return reverse("proposals:unit_proposal", args=[proposal.pk])


def assigned(office, unit, *, title=None, due_in=None, member=None, **kw):
    """A proposal walked to 已交办 with `unit` leading, due in `due_in` days (default 3 months)."""
    extra = {"title": title} if title else {}
    if member is not None:
        extra["lead_proposer"] = member
    proposal = walk(ProposalFactory(**extra, **kw), S.REGISTERED, office)
    due_on = timezone.localdate() + datetime.timedelta(days=due_in) if due_in is not None else None
    workflow.proposal_assign(proposal, lead_unit=unit, due_on=due_on, by=office)
    return proposal


def assignment_of(proposal, unit):
    return ProposalUnit.objects.get(proposal=proposal, unit=unit)


def test_unit_home_lists_its_proposals_with_due_colours(client_for, office_user, unit, unit_user):
    soon = assigned(office_user, unit, title="关于整治县城停车难的提案", due_in=3)
    later = assigned(office_user, unit, title="关于建设城市绿道的提案", due_in=60)
    overdue = assigned(office_user, unit, title="关于改造老旧小区的提案", due_in=1)
    ProposalUnit.objects.filter(proposal=overdue).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    other = assigned(office_user, HandlingUnitFactory(name="区教育局"), title="关于校车的提案")

    response = client_for(unit_user).get(HOME)

    html = response.content.decode()
    block = block_context(response, "proposals/unit_section.html")
    states = {a.proposal_id: a.due_state for a in block["active"]}
    assert states == {soon.pk: "soon", later.pk: "later", overdue.pk: "overdue"}
    assert page(soon) in html and "due-soon" in html and "due-overdue" in html
    assert other.title not in html


def test_unit_cannot_open_another_units_proposal(client_for, office_user, unit, unit_user):
    other = assigned(office_user, HandlingUnitFactory(name="区教育局"))
    assert client_for(unit_user).get(page(other)).status_code == 404


def test_unit_no_longer_opens_a_proposal_it_gave_back(client_for, office_user, unit, unit_user):
    proposal = assigned(office_user, unit)
    a = workflow.give_back_request(
        assignment_of(proposal, unit), reason="不属本单位职责", by=unit_user
    )
    workflow.give_back_grant(a, by=office_user)
    assert client_for(unit_user).get(page(proposal)).status_code == 404


def test_member_cannot_open_the_unit_page(client_for, office_user, unit, member_user):
    proposal = assigned(office_user, unit)
    assert client_for(member_user).get(page(proposal)).status_code == 403


def test_reply_form_is_filled_from_the_template_with_placeholders(
    client_for, office_user, unit, unit_user, member_a
):
    proposal = assigned(office_user, unit, title="关于加强农村饮水安全的提案", member=member_a)

    response = client_for(unit_user).get(page(proposal), {"template": AnswerType.PLANNED})

    form = response.context["reply_form"]
    text = form.initial["text"]
    assert form.initial["answer_type"] == AnswerType.PLANNED
    assert "张古南委员" in text and "《关于加强农村饮水安全的提案》" in text
    assert proposal.display_number in text and "区交通局" in text and "列入工作计划" in text
    assert "{" not in text
    # Rendered server-side into the textarea for the unit to edit.
    assert "关于加强农村饮水安全的提案" in response.content.decode().split("<textarea")[1]


def test_unit_reply_goes_through_the_workflow_with_placeholders_filled(
    client_for, office_user, unit, unit_user
):
    proposal = assigned(office_user, unit, title="关于治理噪音扰民的提案")

    response = client_for(unit_user).post(
        page(proposal),
        {"action": "reply", "answer_type": AnswerType.SOLVED, "text": "关于{案由}：已落实。"},
    )

    assert response.status_code == 302
    reply = ProposalReply.objects.get(assignment__proposal=proposal)
    assert reply.text == "关于关于治理噪音扰民的提案：已落实。"
    assert reply.submitted_by == unit_user
    assert assignment_of(proposal, unit).status == A.REPLIED


def test_empty_reply_is_refused_and_changes_nothing(client_for, office_user, unit, unit_user):
    proposal = assigned(office_user, unit)
    response = client_for(unit_user).post(
        page(proposal), {"action": "reply", "answer_type": AnswerType.SOLVED, "text": "  "}
    )
    assert response.status_code == 200
    assert "请填写答复内容" in response.content.decode()
    assert not ProposalReply.objects.exists()


def test_returned_reply_shows_its_reason_and_the_unit_replies_again(
    client_for, office_user, unit, unit_user
):
    proposal = assigned(office_user, unit)
    a = assignment_of(proposal, unit)
    reply = workflow.reply_submit(a, answer_type="solved", text="第一稿答复。", by=unit_user)
    workflow.reply_return(reply, reason="未写明资金来源", by=office_user)
    client = client_for(unit_user)

    home = client.get(HOME).content.decode()
    assert 'data-testid="returned"' in home
    response = client.get(page(proposal))
    html = response.content.decode()
    assert "未写明资金来源" in html and 'data-review="returned"' in html
    # The returned text is offered for revision, not a fresh template.
    assert response.context["reply_form"].initial["text"] == "第一稿答复。"

    client.post(
        page(proposal),
        {"action": "reply", "answer_type": "planned", "text": "第二稿：资金由县财政安排。"},
    )
    assert ProposalReply.objects.filter(assignment=a).count() == 2
    assert assignment_of(proposal, unit).status == A.REPLIED


def test_page_shows_other_units_and_ratings(client_for, office_user, unit, unit_user):
    helper = HandlingUnitFactory(name="区财政局")
    proposal = walk(ProposalFactory(), S.REGISTERED, office_user)
    workflow.proposal_assign(proposal, lead_unit=unit, assisting_units=[helper], by=office_user)
    a = assignment_of(proposal, unit)
    reply = workflow.reply_submit(a, answer_type="solved", text="已办理。", by=unit_user)
    workflow.reply_release(reply, by=office_user)
    workflow.proposal_rate(a, rating="basically", communication="phone", by=office_user)

    html = client_for(unit_user).get(page(proposal)).content.decode()

    assert "区财政局" in html.split('data-testid="other-units"')[1][:200]
    assert 'data-testid="unit-rating"' in html and "基本满意" in html and "电话沟通" in html


def test_give_back_request_needs_a_reason(client_for, office_user, unit, unit_user):
    proposal = assigned(office_user, unit)
    client = client_for(unit_user)

    refused = client.post(page(proposal), {"action": "give_back", "reason": ""})
    assert "请填写申请退回的理由" in refused.content.decode()
    assert assignment_of(proposal, unit).status == A.ASSIGNED

    client.post(page(proposal), {"action": "give_back", "reason": "属于区住建委职责"})
    a = assignment_of(proposal, unit)
    assert a.status == A.GIVE_BACK_REQUESTED and a.give_back_reason == "属于区住建委职责"


def test_stale_post_after_the_state_moved_is_refused(client_for, office_user, unit, unit_user):
    proposal = assigned(office_user, unit)
    workflow.give_back_request(assignment_of(proposal, unit), reason="不属本单位", by=unit_user)
    response = client_for(unit_user).post(
        page(proposal), {"action": "reply", "answer_type": "solved", "text": "答复"}, follow=True
    )
    assert "不能再提交" in response.content.decode()
    assert not ProposalReply.objects.exists()


def test_bulk_reply_creates_one_reply_per_proposal(client_for, office_user, unit, unit_user):
    first = assigned(office_user, unit, title="关于A路段修缮的提案")
    second = assigned(office_user, unit, title="关于B路段修缮的提案")
    ids = [assignment_of(p, unit).pk for p in (first, second)]
    client = client_for(unit_user)

    form = client.get(BULK, {"ids": ids}).context["form"]
    assert sorted(form.initial["assignments"]) == sorted(ids)
    assert "{案由}" in form.initial["text"]
    response = client.post(
        BULK, {"assignments": ids, "answer_type": "planned", "text": "《{案由}》已列入明年计划。"}
    )

    assert response.status_code == 302
    texts = sorted(ProposalReply.objects.values_list("text", flat=True))
    assert texts == [
        "《关于A路段修缮的提案》已列入明年计划。",
        "《关于B路段修缮的提案》已列入明年计划。",
    ]
    assert set(ProposalUnit.objects.values_list("status", flat=True)) == {A.REPLIED}


def test_bulk_reply_refuses_all_when_one_is_refused(
    client_for, office_user, unit, unit_user, monkeypatch
):
    first = assigned(office_user, unit, title="关于A路段修缮的提案")
    second = assigned(office_user, unit, title="关于B路段修缮的提案")
    ids = [assignment_of(p, unit).pk for p in (first, second)]
    real = workflow.reply_submit

    def racing(assignment, **kwargs):
        # Another login of the unit asks to give the second one back between the form's check
        # and the write: the workflow refuses it on the locked row.
        if assignment.proposal_id == second.pk:
            workflow.give_back_request(assignment, reason="并发申请退回", by=unit_user)
        return real(assignment, **kwargs)

    monkeypatch.setattr(workflow, "reply_submit", racing)
    response = client_for(unit_user).post(
        BULK, {"assignments": ids, "answer_type": "solved", "text": "已办理。"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "关于B路段修缮的提案" in html and "本次未答复任何提案" in html
    assert not ProposalReply.objects.exists()
    assert set(ProposalUnit.objects.values_list("status", flat=True)) == {A.ASSIGNED}


def test_bulk_reply_cannot_pick_another_units_assignment(client_for, office_user, unit, unit_user):
    mine = assigned(office_user, unit)
    theirs = assigned(office_user, HandlingUnitFactory(name="区教育局"))
    other = ProposalUnit.objects.get(proposal=theirs)
    response = client_for(unit_user).post(
        BULK,
        {
            "assignments": [assignment_of(mine, unit).pk, other.pk],
            "answer_type": "solved",
            "text": "已办理。",
        },
    )
    assert response.status_code == 200
    assert "已不在本单位待答复之列" in response.content.decode()
    assert not ProposalReply.objects.exists()


def test_unit_history_lists_the_moves_of_its_assignments(client_for, office_user, unit, unit_user):
    proposal = assigned(office_user, unit, title="关于停车场建设的提案")
    workflow.reply_submit(
        assignment_of(proposal, unit), answer_type="solved", text="x", by=unit_user
    )
    theirs = assigned(office_user, HandlingUnitFactory(name="区教育局"), title="关于校车的提案")
    workflow.reply_submit(
        ProposalUnit.objects.get(proposal=theirs), answer_type="solved", text="y", by=office_user
    )

    html = client_for(unit_user).get(reverse("proposals:unit_history")).content.decode()

    assert "关于停车场建设的提案" in html and "办理中 → 答复待审" in html
    assert "关于校车的提案" not in html


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx)


def test_unit_home_query_count_does_not_grow_with_rows(
    client_for, office_user, unit, unit_user, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            p = assigned(office_user, unit)
            if _ % 2:
                workflow.reply_submit(
                    assignment_of(p, unit), answer_type="solved", text="x", by=unit_user
                )

    add(2)
    client = client_for(unit_user)
    _home_queries(client)  # the first visit also writes the to-do badges to the session
    few = _home_queries(client)
    add(8)
    _home_queries(client)  # the to-do counts changed: this visit rewrites the kept badges
    assert _home_queries(client) == few
    # session, user, roles, the unit; proposals' active and answered assignments (one query
    # each, proposals, sessions and proposers joined); consultations' matters, open and done
    # tasks; the unit's three to-do counts (matters, tasks, proposals owed a reply); unread
    # notifications.
    with django_assert_max_num_queries(13):
        client.get(HOME)


def test_unit_home_shows_the_last_ten_answered_newest_reply_first_trash_left_out(
    client_for, office_user, unit, unit_user
):
    from cppcc.softdelete import soft_delete

    proposals = [assigned(office_user, unit, title=f"答复次序{i:02d}") for i in range(12)]
    start = timezone.now() - datetime.timedelta(days=30)
    for i, proposal in enumerate(proposals):
        workflow.reply_submit(
            assignment_of(proposal, unit), answer_type="solved", text="x", by=unit_user
        )
        # Submitted one day apart, the last one newest.
        ProposalReply.objects.filter(assignment__proposal=proposal).update(
            submitted_at=start + datetime.timedelta(days=i)
        )
    soft_delete(proposals[-1], by=office_user)

    response = client_for(unit_user).get(HOME)
    recent = block_context(response, "proposals/unit_section.html")["recent"]
    # The ten newest of those not in the trash: ten, not nine, though the newest was trashed.
    assert [a.proposal.title for a in recent] == [f"答复次序{i:02d}" for i in range(10, 0, -1)]
    assert [a.last_submitted_at for a in recent] == sorted(
        (a.last_submitted_at for a in recent), reverse=True
    )
