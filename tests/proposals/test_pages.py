"""The office's proposal pages: the list (filters, scoping, export, bulk moves), the proposal
page (its sections and one form per move), the Word downloads and the files."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from cppcc.models import Transition
from proposals import workflow
from proposals.models import (
    AnswerType,
    AssignmentStatus,
    Proposal,
    ProposalFile,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import CommitteeSessionFactory, HandlingUnitFactory, ProposalFactory

from .flow import walk

S = ProposalStatus
LIST = reverse("proposals:list")


def detail(p):
    return reverse("proposals:detail", args=[p.pk])


def move(p, name):
    return reverse("proposals:move", args=[p.pk, name])


def titles(response):
    assert response.status_code == 200, response.content[:500]
    return sorted(p.title for p in response.context["page_obj"].object_list)


@pytest.fixture
def session(term):
    return CommitteeSessionFactory(term=term, name="第十五届第三次会议", ordinal=3)


# --- the list ---------------------------------------------------------------------------------


def test_office_list_filters_by_status_category_and_search(client_for, office_user, term):
    a = walk(
        ProposalFactory(term=term, title="关于乡村旅游的提案", category="economy"),
        S.REGISTERED,
        office_user,
    )
    walk(
        ProposalFactory(term=term, title="关于养老服务的提案", category="society"),
        S.SUBMITTED,
        office_user,
    )
    client = client_for(office_user)
    assert titles(client.get(LIST, {"status": "registered"})) == ["关于乡村旅游的提案"]
    assert titles(client.get(LIST, {"category": "society"})) == ["关于养老服务的提案"]
    assert titles(client.get(LIST, {"q": "养老"})) == ["关于养老服务的提案"]
    assert titles(client.get(LIST, {"q": f"第{a.number}号"})) == ["关于乡村旅游的提案"]


def test_list_filters_by_unit_key_overdue_and_rating(client_for, office_user, term, unit):
    late = walk(ProposalFactory(term=term, title="逾期提案"), S.ASSIGNED, office_user, units=[unit])
    ProposalUnit.objects.filter(proposal=late).update(due_on=datetime.date(2020, 1, 1))
    rated = walk(ProposalFactory(term=term, title="已办结提案"), S.CLOSED, office_user)
    from proposals import services

    services.set_key(rated, is_key=True, supervising_leader="王副主席", by=office_user)
    client = client_for(office_user)
    assert titles(client.get(LIST, {"unit": unit.pk})) == ["逾期提案"]
    assert titles(client.get(LIST, {"overdue": "on"})) == ["逾期提案"]
    assert titles(client.get(LIST, {"key": "on"})) == ["已办结提案"]
    assert titles(client.get(LIST, {"rating": "satisfied"})) == ["已办结提案"]
    assert titles(client.get(LIST, {"rating": "unsatisfied"})) == []


def test_list_filters_by_session_and_between_sessions(client_for, office_user, term, session):
    walk(ProposalFactory(term=term, session=session, title="大会提案"), S.SUBMITTED, office_user)
    walk(ProposalFactory(term=term, title="闭会提案"), S.SUBMITTED, office_user)
    client = client_for(office_user)
    assert titles(client.get(LIST, {"session": session.pk})) == ["大会提案"]
    assert titles(client.get(LIST, {"session": "null"})) == ["闭会提案"]


def test_member_sees_own_and_published_proposals(client_for, member_user, office_user, term):
    ProposalFactory(term=term, title="我的草稿", lead_proposer=member_user.member)
    walk(
        ProposalFactory(term=term, title="公开提案", agrees_to_publish=True),
        S.REGISTERED,
        office_user,
    )
    walk(ProposalFactory(term=term, title="他人提案"), S.REGISTERED, office_user)
    assert titles(client_for(member_user).get(LIST)) == ["公开提案", "我的草稿"]


def test_unit_sees_only_its_assignments(client_for, unit_user, unit, office_user, term):
    walk(ProposalFactory(term=term, title="交给本单位"), S.ASSIGNED, office_user, units=[unit])
    walk(ProposalFactory(term=term, title="交给别的单位"), S.ASSIGNED, office_user)
    assert titles(client_for(unit_user).get(LIST)) == ["交给本单位"]


def test_town_clerk_may_not_open_the_proposal_list(client_for, town_user, office_user, term):
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    client = client_for(town_user)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(p)).status_code == 403


def test_list_export_holds_the_filtered_rows_with_chinese_headers(
    client_for, office_user, term, unit
):
    walk(
        ProposalFactory(term=term, title="关于乡村旅游的提案"),
        S.ASSIGNED,
        office_user,
        units=[unit],
    )
    walk(ProposalFactory(term=term, title="关于养老服务的提案"), S.SUBMITTED, office_user)
    response = client_for(office_user).get(reverse("proposals:list_export"), {"status": "assigned"})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert f"提案-{today}.xlsx" in response["Content-Disposition"].encode("latin-1").decode(
        "utf-8"
    ) or ("filename*=utf-8''%E6%8F%90%E6%A1%88-" + today in response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == (
        "案号",
        "案由",
        "类别",
        "提案人",
        "届次会议",
        "状态",
        "承办单位",
        "办理期限",
        "答复",
        "满意度",
    )
    assert [r[1] for r in rows[1:]] == ["关于乡村旅游的提案"]
    assert rows[1][5] == "已交办" and "区交通局（主办）" in rows[1][6]


def test_list_query_count_does_not_grow_with_rows(
    client_for, office_user, term, django_assert_max_num_queries
):
    for i in range(6):
        walk(ProposalFactory(term=term, title=f"提案{i}"), S.CLOSED, office_user)
    client = client_for(office_user)
    client.get(LIST)
    # session, user, roles, count, rows, held assignments (with units; the page shows no
    # replies or ratings), key count, sessions for the compilation menu, the filter's term,
    # session and unit choices, the nav's notifications (base.html)
    with django_assert_max_num_queries(12) as captured:
        assert client.get(LIST).status_code == 200
    few = len(captured.captured_queries)
    for i in range(6, 14):
        walk(ProposalFactory(term=term, title=f"提案{i}"), S.CLOSED, office_user)
    with django_assert_max_num_queries(few):
        assert client.get(LIST).status_code == 200


# --- bulk moves ---------------------------------------------------------------------------------


def test_bulk_registration_registers_every_ticked_proposal(client_for, office_user, term):
    a = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    b = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    response = client_for(office_user).post(
        reverse("proposals:bulk"), {"action": "register", "ids": [a.pk, b.pk]}, follow=True
    )
    assert "已立案 2 件提案" in response.content.decode()
    assert set(Proposal.objects.values_list("status", flat=True)) == {S.REGISTERED}
    assert sorted(Proposal.objects.values_list("serial", flat=True)) == [1, 2]


def test_bulk_registration_is_all_or_nothing_and_names_the_refused(client_for, office_user, term):
    a = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    b = walk(ProposalFactory(term=term, title="已立案的提案"), S.REGISTERED, office_user)
    response = client_for(office_user).post(
        reverse("proposals:bulk"), {"action": "register", "ids": [a.pk, b.pk]}, follow=True
    )
    page = response.content.decode()
    assert "本次操作全部未执行" in page and "已立案的提案" in page
    a.refresh_from_db()
    assert a.status == S.SUBMITTED and a.serial is None


def test_bulk_assignment_assigns_all_to_the_units_with_the_due_date(
    client_for, office_user, term, unit
):
    a = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    b = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    helper = HandlingUnitFactory(name="区财政局")
    due = timezone.localdate() + datetime.timedelta(days=60)
    client_for(office_user).post(
        reverse("proposals:bulk"),
        {
            "action": "assign",
            "ids": [a.pk, b.pk],
            "lead_unit": unit.pk,
            "assisting_units": [helper.pk],
            "due_on": due.isoformat(),
        },
    )
    held = ProposalUnit.objects.filter(proposal__in=[a, b])
    assert held.count() == 4
    assert set(held.values_list("due_on", flat=True)) == {due}
    assert set(Proposal.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        S.ASSIGNED
    }


def test_bulk_moves_are_for_the_office_only(client_for, leader_user, office_user, term):
    a = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    response = client_for(leader_user).post(
        reverse("proposals:bulk"), {"action": "register", "ids": [a.pk]}
    )
    assert response.status_code == 403


# --- the proposal page --------------------------------------------------------------------------


def test_proposal_page_shows_its_sections(client_for, office_user, term, unit, member_b):
    p = ProposalFactory(term=term, kind="joint", title="关于乡村旅游的提案")
    from proposals import services

    services.set_cosigners(p, [member_b], by=office_user)
    ProposalFile.objects.create(
        proposal=p, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), original_name="调研报告.pdf"
    )
    workflow.proposal_submit(p, by=office_user)
    p.refresh_from_db()
    response = client_for(office_user).get(detail(p))
    page = response.content.decode()
    assert response.status_code == 200
    for testid in ("content", "cosigners", "files", "timeline", "similar", "move-register"):
        assert f'data-testid="{testid}"' in page, testid
    assert "待确认" in page and member_b.name in page
    assert reverse("proposals:file", args=[p.files.get().pk]) in page


def test_proposal_page_colours_due_dates(client_for, office_user, term):
    units = [HandlingUnitFactory(name=n) for n in ("甲局", "乙局", "丙局")]
    p = walk(ProposalFactory(term=term), S.ASSIGNED, office_user, units=units)
    today = timezone.localdate()
    held = {a.unit.name: a for a in ProposalUnit.objects.filter(proposal=p)}
    ProposalUnit.objects.filter(pk=held["甲局"].pk).update(
        due_on=today - datetime.timedelta(days=1)
    )
    ProposalUnit.objects.filter(pk=held["乙局"].pk).update(
        due_on=today + datetime.timedelta(days=3)
    )
    page = client_for(office_user).get(detail(p)).content.decode()
    assert 'data-due="overdue"' in page and 'data-due="soon"' in page and 'data-due="later"' in page


def test_leader_reads_the_page_without_move_forms(client_for, leader_user, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    response = client_for(leader_user).get(detail(p))
    assert response.status_code == 200
    assert 'data-testid="move-register"' not in response.content.decode()
    assert client_for(leader_user).post(move(p, "register")).status_code == 403


def test_proposal_page_shows_the_matter_and_its_step(client_for, office_user, term, gunan):
    from consultations.models import Matter

    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    matter = Matter.objects.create(town=gunan, year=2026, title="古南老街改造", proposal=p)
    page = client_for(office_user).get(detail(p)).content.decode()
    assert "古南老街改造" in page and 'data-testid="matter-step"' in page
    matter_page = client_for(office_user).get(matter.get_absolute_url()).content.decode()
    assert detail(p) in matter_page


def test_member_does_not_see_a_reply_before_the_office_releases_it(
    client_for, office_user, member_user, term, unit
):
    p = walk(
        ProposalFactory(term=term, lead_proposer=member_user.member),
        S.ASSIGNED,
        office_user,
        units=[unit],
    )
    workflow.reply_submit(
        ProposalUnit.objects.get(proposal=p),
        answer_type=AnswerType.SOLVED,
        text="秘密草稿答复",
        by=office_user,
    )
    assert "秘密草稿答复" not in client_for(member_user).get(detail(p)).content.decode()
    assert "秘密草稿答复" in client_for(office_user).get(detail(p)).content.decode()


def test_proposal_page_query_count_does_not_grow_with_units(
    client_for, office_user, term, django_assert_max_num_queries
):
    p = walk(ProposalFactory(term=term), S.CLOSED, office_user)
    many = [HandlingUnitFactory() for _ in range(4)]
    q = walk(ProposalFactory(term=term), S.CLOSED, office_user, units=many)
    client = client_for(office_user)
    client.get(detail(p))
    # session, user, roles, proposal, the counts (with the nav's unread count), assignments,
    # ratings, replies, timeline (also the history's transitions), similar (rows, their
    # assignments with units; the corpus is cached), history: the same for one unit or five
    with django_assert_max_num_queries(12):
        assert client.get(detail(p)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(detail(q)).status_code == 200


# --- one test per office form -------------------------------------------------------------------


def post_move(client, p, name, data):
    return client.post(move(p, name), {f"{name}-{k}": v for k, v in data.items()})


def test_register_form_registers(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    post_move(client_for(office_user), p, "register", {"note": ""})
    p.refresh_from_db()
    assert p.status == S.REGISTERED and p.serial == 1


def test_reject_form_rejects_with_reason_and_conversion(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    post_move(
        client_for(office_user), p, "reject", {"reason": "private_matter", "converted_to": "letter"}
    )
    p.refresh_from_db()
    assert (p.status, p.not_registered_reason, p.converted_to) == (
        S.NOT_REGISTERED,
        "private_matter",
        "letter",
    )


def test_reject_form_without_reason_is_a_form_error(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    response = post_move(client_for(office_user), p, "reject", {"reason": ""})
    assert response.status_code == 400
    p.refresh_from_db()
    assert p.status == S.SUBMITTED


def test_merge_search_finds_the_target_and_the_form_merges(client_for, office_user, term):
    target = walk(
        ProposalFactory(term=term, title="关于古南老街改造的提案"), S.REGISTERED, office_user
    )
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    client = client_for(office_user)
    page = client.get(detail(p), {"merge_q": "老街"}).content.decode()
    assert 'data-testid="merge-candidate"' in page and "关于古南老街改造的提案" in page
    post_move(client, p, "merge", {"into": target.pk})
    p.refresh_from_db()
    assert p.status == S.MERGED and p.merged_into_id == target.pk


def test_assign_form_assigns_lead_and_assisting_units(client_for, office_user, term, unit):
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    helper = HandlingUnitFactory(name="区财政局")
    client = client_for(office_user)
    page = client.get(detail(p)).content.decode()
    assert workflow.default_due_on().isoformat() in page
    post_move(
        client,
        p,
        "assign",
        {
            "lead_unit": unit.pk,
            "assisting_units": helper.pk,
            "due_on": workflow.default_due_on().isoformat(),
        },
    )
    p.refresh_from_db()
    assert p.status == S.ASSIGNED
    assert {(a.unit_id, a.is_lead) for a in p.assignments.all()} == {
        (unit.pk, True),
        (helper.pk, False),
    }


def test_a_refused_move_shows_the_chinese_reason(client_for, office_user, term, unit):
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    response = client_for(office_user).post(
        move(p, "assign"), {"assign-due_on": workflow.default_due_on().isoformat()}, follow=True
    )
    assert "请选择承办单位" in response.content.decode()
    p.refresh_from_db()
    assert p.status == S.REGISTERED


@pytest.fixture
def give_back(office_user, unit_user, unit, term):
    p = walk(ProposalFactory(term=term), S.ASSIGNED, office_user, units=[unit])
    a = ProposalUnit.objects.get(proposal=p)
    workflow.give_back_request(a, reason="不属于本单位职责", by=unit_user)
    return p, a


def test_give_back_grant_form_grants(client_for, office_user, give_back):
    p, a = give_back
    post_move(client_for(office_user), p, "give_back_grant", {"assignment": a.pk})
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.status == AssignmentStatus.GIVEN_BACK and p.status == S.REGISTERED


def test_give_back_refuse_form_refuses_with_reason(client_for, office_user, give_back):
    p, a = give_back
    post_move(
        client_for(office_user),
        p,
        "give_back_refuse",
        {"assignment": a.pk, "reason": "属贵单位职责"},
    )
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED and a.give_back_refused_reason == "属贵单位职责"


@pytest.fixture
def pending_reply(office_user, unit_user, unit, term):
    p = walk(ProposalFactory(term=term), S.ASSIGNED, office_user, units=[unit])
    a = ProposalUnit.objects.get(proposal=p)
    reply = workflow.reply_submit(
        a, answer_type=AnswerType.PLANNED, text="已列入明年计划。", by=unit_user
    )
    return p, reply


def test_release_form_releases_the_reply(client_for, office_user, pending_reply):
    p, reply = pending_reply
    client = client_for(office_user)
    assert 'data-testid="release"' in client.get(detail(p)).content.decode()
    post_move(client, p, "release", {"reply": reply.pk})
    reply.refresh_from_db()
    p.refresh_from_db()
    assert reply.released_at is not None and p.status == S.REPLIED


def test_return_form_returns_the_reply_with_reason(client_for, office_user, pending_reply):
    p, reply = pending_reply
    post_move(client_for(office_user), p, "return", {"reply": reply.pk, "reason": "答复过于简单"})
    reply.refresh_from_db()
    assert reply.returned_reason == "答复过于简单"
    assert ProposalReply.objects.get(pk=reply.pk).assignment.status == AssignmentStatus.ASSIGNED


def test_close_form_closes(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.REPLIED, office_user)
    for a in ProposalUnit.objects.filter(proposal=p):
        workflow.proposal_rate(a, rating="satisfied", communication="phone", by=office_user)
    post_move(client_for(office_user), p, "close", {})
    p.refresh_from_db()
    assert p.status == S.CLOSED


def test_key_form_marks_key_with_leader(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    post_move(client_for(office_user), p, "key", {"is_key": "on", "supervising_leader": "王副主席"})
    p.refresh_from_db()
    assert p.is_key and p.supervising_leader == "王副主席"


def test_excellent_form_marks_excellent(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.CLOSED, office_user)
    post_move(client_for(office_user), p, "excellent", {"is_excellent": "on"})
    p.refresh_from_db()
    assert p.is_excellent


def test_each_move_writes_a_timeline_row_shown_on_the_page(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.ASSIGNED, office_user)
    page = client_for(office_user).get(detail(p)).content.decode()
    assert Transition.objects.filter(object_id=str(p.pk)).count() >= 3
    assert "已提交 → 已立案" in page and "已立案 → 已交办" in page


# --- files and Word -----------------------------------------------------------------------------


def test_proposal_file_is_served_only_within_scope(client_for, office_user, member_b_user, term):
    p = ProposalFactory(term=term)
    f = ProposalFile.objects.create(
        proposal=p, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), original_name="调研报告.pdf"
    )
    url = reverse("proposals:file", args=[f.pk])
    assert client_for(office_user).get(url).status_code == 200
    assert client_for(member_b_user).get(url).status_code == 404


def test_proposal_docx_opens_with_its_chinese_text(client_for, office_user, term, session):
    p = walk(
        ProposalFactory(term=term, session=session, title="关于乡村旅游的提案"),
        S.REGISTERED,
        office_user,
    )
    response = client_for(office_user).get(reverse("proposals:docx", args=[p.pk]))
    assert response.status_code == 200
    assert "%E7%AC%AC1%E5%8F%B7.docx" in response["Content-Disposition"]  # 提案-第1号.docx
    text = "\n".join(par.text for par in Document(io.BytesIO(response.content)).paragraphs)
    tables = "\n".join(
        c.text
        for t in Document(io.BytesIO(response.content)).tables
        for r in t.rows
        for c in r.cells
    )
    assert "关于乡村旅游的提案" in text + tables


def test_session_compilation_docx_holds_its_registered_proposals(
    client_for, office_user, term, session
):
    walk(
        ProposalFactory(term=term, session=session, title="关于乡村旅游的提案"),
        S.REGISTERED,
        office_user,
    )
    walk(
        ProposalFactory(term=term, session=session, title="尚未立案的提案"),
        S.SUBMITTED,
        office_user,
    )
    response = client_for(office_user).get(reverse("proposals:compilation", args=[session.pk]))
    assert response.status_code == 200
    text = "\n".join(par.text for par in Document(io.BytesIO(response.content)).paragraphs)
    assert "提案汇编" in text and "关于乡村旅游的提案" in text and "尚未立案的提案" not in text
