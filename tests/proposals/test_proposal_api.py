"""/api/v1/proposals/: scoped lists with the page's filters, drafts, and one action per move
(409 with the Chinese reason and the status when refused, 403 visible but not allowed, 404
out of scope)."""

from proposals import workflow
from proposals.models import (
    AnswerType,
    AssignmentStatus,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import HandlingUnitFactory, ProposalFactory

from .flow import proposer_of, walk

S = ProposalStatus
URL = "/api/v1/proposals/"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def act(p, name):
    return f"{URL}{p.pk}/{name}/"


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


def test_member_lists_own_and_published(client_for, member_user, office_user, term):
    ProposalFactory(term=term, title="我的草稿", lead_proposer=member_user.member)
    walk(
        ProposalFactory(term=term, title="公开", agrees_to_publish=True), S.REGISTERED, office_user
    )
    walk(ProposalFactory(term=term, title="他人"), S.REGISTERED, office_user)
    assert titles(client_for(member_user).get(URL)) == ["公开", "我的草稿"]


def test_unit_lists_its_assignments_and_town_clerk_none(
    client_for, unit_user, unit, town_user, office_user, term
):
    walk(ProposalFactory(term=term, title="本单位"), S.ASSIGNED, office_user, units=[unit])
    walk(ProposalFactory(term=term, title="别的单位"), S.ASSIGNED, office_user)
    assert titles(client_for(unit_user).get(URL)) == ["本单位"]
    assert titles(client_for(town_user).get(URL)) == []


def test_api_list_takes_the_page_filters(client_for, office_user, term, unit):
    walk(ProposalFactory(term=term, title="交办"), S.ASSIGNED, office_user, units=[unit])
    walk(ProposalFactory(term=term, title="提交"), S.SUBMITTED, office_user)
    client = client_for(office_user)
    assert titles(client.get(URL, {"status": "assigned"})) == ["交办"]
    assert titles(client.get(URL, {"unit": unit.pk})) == ["交办"]
    assert titles(client.get(URL, {"key": "false"})) == ["交办", "提交"]
    assert titles(client.get(URL, {"key": "true"})) == []


def test_member_creates_a_draft_as_lead_proposer(client_for, member_user, term):
    response = post(
        client_for(member_user),
        URL,
        {"term": term.pk, "title": "关于社区养老的提案", "category": "society"},
    )
    assert response.status_code == 201, response.content
    p = Proposal.objects.get(pk=response.json()["id"])
    assert (p.status, p.lead_proposer_id) == (S.DRAFT, member_user.member_id)


def test_town_clerk_may_not_create_a_draft(client_for, town_user, term):
    assert post(client_for(town_user), URL, {"term": term.pk, "title": "x"}).status_code == 403


def test_proposer_submits_and_office_registers(client_for, member_user, office_user, term):
    p = ProposalFactory(term=term, lead_proposer=member_user.member)
    assert post(client_for(member_user), act(p, "submit")).json()["status"] == "submitted"
    response = post(client_for(office_user), act(p, "register"))
    assert response.status_code == 200 and response.json()["display_number"] == "闭会期间第1号"


def test_a_refused_move_is_409_with_reason_and_status(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    response = post(client_for(office_user), act(p, "register"))
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "registered" and "不能立案" in body["detail"]
    assert body["proposal"]["id"] == p.pk


def test_visible_but_not_allowed_is_403(client_for, leader_user, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    assert post(client_for(leader_user), act(p, "register")).status_code == 403


def test_out_of_scope_is_404(client_for, member_b_user, office_user, term):
    p = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    assert post(client_for(member_b_user), act(p, "register")).status_code == 404
    assert client_for(member_b_user).get(f"{URL}{p.pk}/").status_code == 404


def test_cosigner_confirms_through_cosign(
    client_for, member_user, member_b_user, office_user, term
):
    from proposals import services

    p = ProposalFactory(term=term, kind="joint", lead_proposer=member_b_user.member)
    services.set_cosigners(p, [member_user.member], by=office_user)
    workflow.proposal_submit(p, by=office_user)
    response = post(client_for(member_user), act(p, "cosign"))
    assert response.status_code == 200, response.content
    assert ProposalCosigner.objects.get(proposal=p).status == "confirmed"


def test_reject_and_merge(client_for, office_user, term):
    client = client_for(office_user)
    a = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    assert (
        post(
            client, act(a, "reject"), {"reason": "out_of_scope", "converted_to": "opinion"}
        ).json()["status"]
        == "not_registered"
    )
    target = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    b = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    body = post(client, act(b, "merge"), {"into": target.pk}).json()
    assert body["status"] == "merged" and body["merged_into"] == target.pk


def test_the_unit_flow_assign_give_back_reply_release_rate_close(
    client_for, office_user, unit_user, unit, term
):
    office, unit_client = client_for(office_user), client_for(unit_user)
    p = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    other = HandlingUnitFactory(name="区民政局")
    assert (
        post(
            office, act(p, "assign"), {"lead_unit": other.pk, "assisting_units": [unit.pk]}
        ).status_code
        == 200
    )
    held = ProposalUnit.objects.get(proposal=p, unit=unit)
    assert post(unit_client, act(p, "give-back"), {"reason": "非本单位职责"}).status_code == 200
    assert (
        post(
            office, act(p, "give-back-refuse"), {"assignment": held.pk, "reason": "请协办"}
        ).status_code
        == 200
    )
    assert post(unit_client, act(p, "give-back"), {"reason": "确非职责"}).status_code == 200
    assert post(office, act(p, "give-back-grant"), {"assignment": held.pk}).status_code == 200
    held.refresh_from_db()
    assert held.status == AssignmentStatus.GIVEN_BACK
    lead = ProposalUnit.objects.get(proposal=p, unit=other)
    response = post(
        office,
        act(p, "reply"),
        {"assignment": lead.pk, "answer_type": AnswerType.SOLVED, "text": "已解决"},
    )
    assert response.status_code == 200, response.content
    reply = lead.replies.get()
    assert (
        post(office, act(p, "return-reply"), {"reply": reply.pk, "reason": "过简"}).status_code
        == 200
    )
    post(
        office,
        act(p, "reply"),
        {"assignment": lead.pk, "answer_type": AnswerType.SOLVED, "text": "已解决，附资金安排"},
    )
    second = lead.replies.order_by("-pk").first()
    assert post(office, act(p, "release-reply"), {"reply": second.pk}).json()["status"] == "replied"
    proposer = client_for(proposer_of(p))
    rated = post(
        proposer,
        act(p, "rate"),
        {"assignment": lead.pk, "rating": "satisfied", "communication": "phone"},
    )
    assert rated.status_code == 200, rated.content
    assert post(office, act(p, "close")).json()["status"] == "closed"


def test_proposer_sees_only_released_replies(client_for, office_user, unit_user, unit, term):
    p = walk(ProposalFactory(term=term), S.ASSIGNED, office_user, units=[unit])
    post(client_for(unit_user), act(p, "reply"), {"answer_type": "planned", "text": "待审核答复"})
    proposer = client_for(proposer_of(p))
    assert proposer.get(f"{URL}{p.pk}/").json()["replies"] == []
    assert len(client_for(office_user).get(f"{URL}{p.pk}/").json()["replies"]) == 1


def test_unsatisfied_rating_without_note_is_400(client_for, office_user, term):
    p = walk(ProposalFactory(term=term), S.REPLIED, office_user)
    lead = ProposalUnit.objects.get(proposal=p)
    response = post(
        client_for(proposer_of(p)),
        act(p, "rate"),
        {"assignment": lead.pk, "rating": "unsatisfied", "communication": "none"},
    )
    assert response.status_code == 400 and "不满意" in response.json()["detail"]


def test_api_list_query_count_does_not_grow_with_rows(
    client_for, office_user, term, django_assert_max_num_queries
):
    for i in range(3):
        walk(ProposalFactory(term=term, title=f"提案{i}"), S.CLOSED, office_user)
    client = client_for(office_user)
    # session, user, roles, count, rows, held assignments, released replies, ratings, and
    # the session's save (savepoint, update, release)
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200
    for i in range(3, 10):
        walk(ProposalFactory(term=term, title=f"提案{i}"), S.CLOSED, office_user)
    with django_assert_max_num_queries(11):
        assert len(client.get(URL).json()["results"]) == 10
