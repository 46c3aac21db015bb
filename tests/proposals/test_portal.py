"""The member's proposal pages on /portal/: filing a draft, submitting it, co-signing, reading
released replies and rating them, the similar-proposals panel and the co-signer search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cppcc.models import Transition
from proposals import workflow
from proposals.models import (
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalCosigner,
    ProposalRating,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import CommitteeSessionFactory, MemberFactory, ProposalFactory

from .flow import walk

S = ProposalStatus
NEW = reverse("proposals:portal_proposal_new")
SIMILAR = reverse("proposals:portal_similar")


def detail(p):
    return reverse("proposals:portal_proposal", args=[p.pk])


def draft_data(**over):
    data = {
        "session": "",
        "category": "economy",
        "title": "关于加快农村电商发展的提案",
        "reasons": "我县农产品销售渠道单一，电商服务站点少。",
        "suggestions": "建议建设镇村电商服务站，培训电商人才。",
        "kind": "individual",
        "then": "save",
    }
    data.update(over)
    return data


@pytest.fixture
def in_term(term, member_a, member_b):
    """Both cast members serve the current term (co-signers are found among them)."""
    member_a.terms.add(term)
    member_b.terms.add(term)
    return term


def test_new_draft_defaults_to_the_session_whose_window_is_open(client_for, member_user, in_term):
    term = in_term
    session = CommitteeSessionFactory(term=term)
    form = client_for(member_user).get(NEW).context["form"]
    assert form.fields["session"].initial == session


def test_new_draft_defaults_to_between_sessions_without_an_open_window(
    client_for, member_user, term
):
    form = client_for(member_user).get(NEW).context["form"]
    assert form.fields["session"].initial is None
    assert "闭会期间" in form.fields["session"].empty_label


def test_member_files_a_draft_and_submits_it(client_for, member_user, member_a, in_term):
    term = in_term
    session = CommitteeSessionFactory(term=term)
    client = client_for(member_user)

    response = client.post(NEW, draft_data(session=session.pk, agrees_to_publish="on"))

    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == detail(proposal)
    assert proposal.status == S.DRAFT and proposal.lead_proposer == member_a
    assert proposal.term == term and proposal.session == session and proposal.agrees_to_publish
    assert proposal.created_by == member_user

    client.post(reverse("proposals:portal_proposal_submit", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert Transition.objects.filter(
        object_id=str(proposal.pk), from_state=S.DRAFT, to_state=S.SUBMITTED, by=member_user
    ).exists()


def test_save_and_submit_of_an_incomplete_draft_keeps_it_a_draft(client_for, member_user, term):
    response = client_for(member_user).post(
        NEW, draft_data(suggestions="", then="submit"), follow=True
    )
    assert Proposal.objects.get().status == S.DRAFT
    assert "请填写建议" in response.content.decode()


def test_member_edits_a_draft_and_attaches_a_file(client_for, member_user, member_a, term):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proposal = ProposalFactory(term=term, lead_proposer=member_a)
    client = client_for(member_user)
    url = reverse("proposals:portal_proposal_edit", args=[proposal.pk])
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    client.post(url, draft_data(title="关于电商的提案（修改）", attachments=upload))

    proposal.refresh_from_db()
    assert proposal.title == "关于电商的提案（修改）"
    assert [f.original_name for f in proposal.files.all()] == ["调研报告.pdf"]


def test_member_cannot_open_or_edit_another_members_draft(client_for, member_b_user, member_a):
    draft = ProposalFactory(lead_proposer=member_a)
    client = client_for(member_b_user)
    assert client.get(detail(draft)).status_code == 404
    assert client.get(reverse("proposals:portal_proposal_edit", args=[draft.pk])).status_code == 404
    submit = client.post(reverse("proposals:portal_proposal_submit", args=[draft.pk]))
    assert submit.status_code == 404
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_a_submitted_proposal_can_no_longer_be_edited(
    client_for, member_user, member_a, office_user
):
    proposal = walk(ProposalFactory(lead_proposer=member_a), S.SUBMITTED, office_user)
    url = reverse("proposals:portal_proposal_edit", args=[proposal.pk])
    assert client_for(member_user).get(url).status_code == 404


def test_individual_proposal_cannot_invite_cosigners(client_for, member_user, member_b, in_term):
    response = client_for(member_user).post(NEW, draft_data(cosigners=[member_b.pk]))
    assert response.status_code == 200
    assert "个人提案不能邀请联名委员" in response.content.decode()
    assert not Proposal.objects.exists()


def test_joint_proposal_invites_and_the_cosigner_confirms(
    client_for, member_user, member_b_user, member_b, in_term
):
    client_for(member_user).post(
        NEW, draft_data(kind="joint", cosigners=[member_b.pk], then="submit")
    )
    proposal = Proposal.objects.get()
    assert proposal.status == S.SUBMITTED

    b = client_for(member_b_user)
    portal = b.get(reverse("portal")).content.decode()
    assert 'data-testid="cosign-invitations"' in portal and proposal.title in portal
    assert "确认联名" in b.get(detail(proposal)).content.decode()

    b.post(reverse("proposals:portal_cosign", args=[proposal.pk]))

    cosigner = ProposalCosigner.objects.get(proposal=proposal)
    assert cosigner.status == CosignStatus.CONFIRMED and cosigner.confirmed_at is not None


def test_member_search_finds_serving_members_by_name_only(
    client_for, member_user, member_b, in_term
):
    MemberFactory(name="李不在任")  # not serving this term: never offered
    client = client_for(member_user)
    url = reverse("proposals:portal_member_search")

    html = client.get(url, {"q": "李"}).content.decode()

    assert "李东溪" in html and "李不在任" not in html and "张古南" not in html
    assert client.get(url, {"q": ""}).content.decode().strip() == ""
    pick = reverse("proposals:portal_member_pick", args=[member_b.pk])
    assert f'value="{member_b.pk}"' in client.get(pick).content.decode()


def test_draft_form_never_renders_a_select_of_all_members(client_for, member_user, in_term):
    html = client_for(member_user).get(NEW).content.decode()
    assert "李东溪" not in html and 'name="cosigners"' not in html


def _replied(office, unit_user, unit, member_a, *, release=True):
    proposal = walk(
        ProposalFactory(lead_proposer=member_a, title="关于修缮村道的提案"), S.REGISTERED, office
    )
    workflow.proposal_assign(proposal, lead_unit=unit, by=office)
    a = ProposalUnit.objects.get(proposal=proposal)
    reply = workflow.reply_submit(
        a, answer_type="solved", text="村道已列入年度修缮。", by=unit_user
    )
    if release:
        workflow.reply_release(reply, by=office)
    return proposal, a


def test_member_does_not_see_a_reply_before_it_is_released(
    client_for, member_user, member_a, office_user, unit, unit_user
):
    proposal, _a = _replied(office_user, unit_user, unit, member_a, release=False)
    html = client_for(member_user).get(detail(proposal)).content.decode()
    assert "村道已列入年度修缮" not in html and 'data-testid="rate-form"' not in html


def test_member_reads_the_released_reply_and_rates_it(
    client_for, member_user, member_a, office_user, unit, unit_user
):
    proposal, a = _replied(office_user, unit_user, unit, member_a)
    client = client_for(member_user)
    html = client.get(detail(proposal)).content.decode()
    assert "村道已列入年度修缮" in html and 'data-testid="rate-form"' in html

    prefix = f"rate{a.pk}"
    client.post(
        detail(proposal),
        {
            "assignment": a.pk,
            f"{prefix}-rating": "satisfied",
            f"{prefix}-communication": "in_person",
        },
    )

    rating = ProposalRating.objects.get(assignment=a)
    assert rating.rating == "satisfied" and rating.rated_by == member_user
    a.refresh_from_db()
    assert a.status == AssignmentStatus.RATED


def test_unsatisfied_without_a_note_is_refused(
    client_for, member_user, member_a, office_user, unit, unit_user
):
    proposal, a = _replied(office_user, unit_user, unit, member_a)
    prefix = f"rate{a.pk}"
    response = client_for(member_user).post(
        detail(proposal),
        {"assignment": a.pk, f"{prefix}-rating": "unsatisfied", f"{prefix}-communication": "none"},
    )
    assert response.status_code == 200
    assert "评为不满意时请写明意见" in response.content.decode()
    assert not ProposalRating.objects.exists()


def test_cosigner_cannot_rate(
    client_for, member_a, member_b, member_b_user, office_user, unit, unit_user, in_term
):
    proposal = ProposalFactory(lead_proposer=member_a, kind="joint")
    ProposalCosigner.objects.create(proposal=proposal, member=member_b)
    workflow.proposal_submit(proposal, by=office_user)
    workflow.cosigner_confirm(ProposalCosigner.objects.get(), by=member_b_user)
    walk(proposal, S.REGISTERED, office_user)
    workflow.proposal_assign(proposal, lead_unit=unit, by=office_user)
    a = ProposalUnit.objects.get(proposal=proposal)
    workflow.reply_release(
        workflow.reply_submit(a, answer_type="solved", text="已办。", by=unit_user), by=office_user
    )
    client = client_for(member_b_user)
    assert 'data-testid="rate-form"' not in client.get(detail(proposal)).content.decode()
    prefix = f"rate{a.pk}"
    response = client.post(
        detail(proposal),
        {"assignment": a.pk, f"{prefix}-rating": "satisfied", f"{prefix}-communication": "phone"},
    )
    assert response.status_code == 403
    assert not ProposalRating.objects.exists()


def test_similar_fragment_is_scoped_to_what_the_member_may_see(
    client_for, member_user, member_a, member_b, office_user, unit, unit_user
):
    text = {
        "title": "关于治理城区黑臭水体的提案",
        "reasons": "城区部分河道水体黑臭，影响居民生活。",
        "suggestions": "建议实施截污纳管和河道清淤。",
    }
    published = walk(
        ProposalFactory(lead_proposer=member_b, agrees_to_publish=True, **text),
        S.REGISTERED,
        office_user,
    )
    workflow.proposal_assign(published, lead_unit=unit, by=office_user)
    a = ProposalUnit.objects.get(proposal=published)
    workflow.reply_release(
        workflow.reply_submit(a, answer_type="solved", text="已完成截污工程。", by=unit_user),
        by=office_user,
    )
    hidden = ProposalFactory(lead_proposer=member_b, **text)  # another member's draft
    unrelated = walk(
        ProposalFactory(
            lead_proposer=member_b,
            agrees_to_publish=True,
            title="关于发展夜间经济的提案",
            reasons="夜市业态单一。",
            suggestions="建议规划夜市街区。",
        ),
        S.REGISTERED,
        office_user,
    )

    response = client_for(member_user).post(SIMILAR, text, HTTP_HX_REQUEST="true")

    pks = [row["proposal"].pk for row in response.context["rows"]]
    html = response.content.decode()
    assert pks[0] == published.pk
    assert hidden.pk not in pks and unrelated.pk not in pks
    assert "已完成截污工程" in html and "区交通局" in html


def test_similar_fragment_hides_unreleased_replies(
    client_for, member_user, member_b, office_user, unit, unit_user
):
    text = {"title": "关于治理城区黑臭水体的提案", "reasons": "河道黑臭。", "suggestions": "清淤。"}
    p = walk(
        ProposalFactory(lead_proposer=member_b, agrees_to_publish=True, **text),
        S.REGISTERED,
        office_user,
    )
    workflow.proposal_assign(p, lead_unit=unit, by=office_user)
    workflow.reply_submit(
        ProposalUnit.objects.get(proposal=p),
        answer_type="solved",
        text="内部草稿答复",
        by=unit_user,
    )
    html = client_for(member_user).post(SIMILAR, text).content.decode()
    assert p.title in html and "内部草稿答复" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_portal_section_query_count_does_not_grow_with_rows(
    client_for, member_user, member_a, office_user, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            p = ProposalFactory(lead_proposer=member_a)
            if i % 2:
                walk(p, S.SUBMITTED, office_user)

    add(2)
    client = client_for(member_user)
    portal = reverse("portal")
    _queries(client, portal)  # the first visit also writes the to-do badges to the session
    few = _queries(client, portal)
    listing = _queries(client, reverse("proposals:portal_proposals"))
    add(10)
    assert _queries(client, portal) == few
    # session, user, roles; the page of proposals (with to-rate counts), its count; the
    # invitations.
    with django_assert_max_num_queries(listing):
        client.get(reverse("proposals:portal_proposals"))
