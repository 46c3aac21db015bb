"""The member's proposal pages on /portal/ (phone first): "我的提案", the draft form with its
similar-proposals panel and co-signer search, the proposal page (submit, confirm co-signing,
released replies, rating), and the attachment downloads.

Every view starts from Proposal.objects.visible_to(user); writes go through proposals.workflow
(a draft's own fields through the draft form). A refusal is shown with its Chinese reason.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cppcc.navigation import expire_badges
from cppcc.roles import Role, has_role
from cppcc.views import allowed_if
from cppcc.workflow import WorkflowError

from . import workflow
from .models import (
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalCosigner,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from .portal_forms import ProposalDraftForm, RateForm, cosigner_candidates

SECTION_SHOWN = 5
SIMILAR_SHOWN = 5
SEARCH_SHOWN = 10
# Shorter than this, a draft says too little for "similar" to mean anything.
SIMILAR_MIN_CHARS = 6


def _is_member(user) -> bool:
    return has_role(user, Role.MEMBER) and getattr(user, "member_id", None) is not None


member_required = allowed_if(_is_member)


def my_proposals(user) -> QuerySet:
    """The member's own proposals (lead proposer, or co-signer still on it), newest first, with
    how many released replies wait for their rating."""
    signed = ProposalCosigner.objects.filter(member_id=user.member_id).exclude(
        status=CosignStatus.DROPPED
    )
    # The member's ids as one UNION the planner reads through the two member indexes; an OR of
    # "lead is me" and "id in my co-signings" filtered every proposal of the county (30,000 at
    # ten counties' scale, issue 13).
    mine = (
        Proposal.objects.filter(lead_proposer_id=user.member_id)
        .values("pk")
        .union(signed.values("proposal_id"))
    )
    released = (
        ProposalUnit.objects.filter(proposal=OuterRef("pk"), status=AssignmentStatus.RELEASED)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Proposal.objects.visible_to(user)
        .filter(pk__in=mine)
        .select_related("session", "lead_proposer")
        # A subquery per shown row: counting through a join grouped the whole assignment table.
        .annotate(to_rate=Coalesce(Subquery(released), 0))
        .order_by("-created_at", "-id")
    )


def pending_invitations(user) -> QuerySet:
    """Joint proposals the member was invited to co-sign and may still confirm."""
    return ProposalCosigner.objects.filter(
        member_id=user.member_id,
        status=CosignStatus.INVITED,
        proposal__status=ProposalStatus.SUBMITTED,
    ).select_related("proposal__lead_proposer")


def portal_section(request, member) -> dict:
    """ "我的提案" on /portal/: the latest proposals with their status, and invitations. One
    query: the latest rows and the ones that wait for the member's co-signing come together (an
    invitation is one of the member's proposals: a co-signer not dropped)."""
    user = request.user
    mine = my_proposals(user)
    latest = mine.values("pk")[: SECTION_SHOWN + 1]
    invited = pending_invitations(user).values("proposal_id")
    # One UNION of ids (an OR of the two filtered every proposal of the county).
    shown = Proposal.objects.filter(pk__in=latest).values("pk").union(invited)
    rows = list(
        mine.filter(pk__in=shown).annotate(
            invitation=ExpressionWrapper(Q(pk__in=invited), output_field=BooleanField()),
        )
    )
    # The latest rows come first in the list's order: any invitation among the rest sorts after
    # them, so the first rows are the latest whatever invitations join them.
    latest = rows[: SECTION_SHOWN + 1]
    # Shaped as pending_invitations' rows, in their order, for the shared template.
    invitations = [
        SimpleNamespace(proposal_id=p.pk, proposal=p)
        for p in sorted(rows, key=lambda p: p.pk)
        if p.invitation
    ]
    return {
        "proposals": latest[:SECTION_SHOWN],
        "more": len(latest) > SECTION_SHOWN,
        "invitations": invitations,
    }


@member_required
def portal_proposals(request):
    page = Paginator(my_proposals(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/proposal_list.html",
        {"page_obj": page, "invitations": list(pending_invitations(request.user))},
    )


def _my_draft_or_404(user, pk: int) -> Proposal:
    """Only the lead proposer's own draft: anyone else's, or one already submitted, is 404."""
    return get_object_or_404(
        Proposal.objects.visible_to(user).filter(
            lead_proposer_id=user.member_id, status=ProposalStatus.DRAFT
        ),
        pk=pk,
    )


def _draft_page(request, proposal: Proposal | None):
    member = request.user.member
    form = ProposalDraftForm(
        request.POST or None,
        request.FILES or None,
        instance=proposal,
        user=request.user,
        member=member,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save_draft(by=request.user)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            if request.POST.get("then") == "submit":
                return _submit(request, saved)
            messages.success(request, _("草稿已保存。"))
            return redirect("proposals:portal_proposal", pk=saved.pk)
    return render(
        request,
        "portal/proposal_form.html",
        {
            "form": form,
            "proposal": proposal,
            "chosen": form.chosen_cosigners(),
            "files": list(proposal.files.all()) if proposal else [],
        },
    )


@member_required
def portal_proposal_new(request):
    return _draft_page(request, None)


@member_required
def portal_proposal_edit(request, pk: int):
    return _draft_page(request, _my_draft_or_404(request.user, pk))


def _submit(request, proposal: Proposal):
    try:
        workflow.proposal_submit(proposal, by=request.user)
    except WorkflowError as exc:
        messages.error(request, _("未能提交：%(reason)s") % {"reason": exc.message})
    else:
        expire_badges(request)
        messages.success(request, _("提案已提交，政协机关审查立案后会通知您。"))
    return redirect("proposals:portal_proposal", pk=proposal.pk)


@member_required
@require_POST
def portal_proposal_submit(request, pk: int):
    return _submit(request, _my_draft_or_404(request.user, pk))


@member_required
@require_POST
def portal_cosign_confirm(request, pk: int):
    cosigner = get_object_or_404(
        ProposalCosigner.objects.filter(
            proposal__in=Proposal.objects.visible_to(request.user).values("pk"),
            member_id=request.user.member_id,
        ),
        proposal_id=pk,
    )
    try:
        workflow.cosigner_confirm(cosigner, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        expire_badges(request)
        messages.success(request, _("已确认联名。"))
    return redirect("proposals:portal_proposal", pk=pk)


def _released_only(proposal: Proposal) -> list[ProposalUnit]:
    """The units still holding the proposal, each with only its released replies (a member
    never sees a reply the office has not reviewed) and the ratings given."""
    released = ProposalReply.objects.filter(released_at__isnull=False).select_related("rating")
    return list(
        ProposalUnit.objects.active()
        .filter(proposal=proposal)
        .select_related("unit")
        .prefetch_related(Prefetch("replies", queryset=released, to_attr="released"))
    )


@member_required
def portal_proposal(request, pk: int):
    """One proposal as a member sees it; the proposer also submits, and rates each unit."""
    user = request.user
    proposal = get_object_or_404(
        Proposal.objects.visible_to(user).select_related("term", "session", "lead_proposer"),
        pk=pk,
    )
    is_proposer = workflow.is_proposer(proposal, user)
    assignments = _released_only(proposal)
    rate_forms: dict[int, RateForm] = {}
    if request.method == "POST":
        if not is_proposer:
            raise PermissionDenied
        target = next(
            (a for a in assignments if str(a.pk) == request.POST.get("assignment", "")), None
        )
        if target is None or target.status != AssignmentStatus.RELEASED:
            messages.error(request, _("该答复已评价或尚未发布，请刷新后查看。"))
            return redirect("proposals:portal_proposal", pk=pk)
        form = RateForm(request.POST, prefix=f"rate{target.pk}")
        if form.is_valid():
            try:
                workflow.proposal_rate(target, **form.cleaned_data, by=user)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                expire_badges(request)
                messages.success(
                    request, _("已评价%(unit)s的答复，谢谢！") % {"unit": target.unit.name}
                )
                return redirect("proposals:portal_proposal", pk=pk)
        rate_forms[target.pk] = form
    for a in assignments:
        if is_proposer and a.status == AssignmentStatus.RELEASED and a.pk not in rate_forms:
            rate_forms[a.pk] = RateForm(prefix=f"rate{a.pk}")
        a.rate_form = rate_forms.get(a.pk)
    invitation = (
        ProposalCosigner.objects.filter(
            proposal=proposal, member_id=user.member_id, status=CosignStatus.INVITED
        ).first()
        if proposal.status == ProposalStatus.SUBMITTED
        else None
    )
    is_draft = proposal.status == ProposalStatus.DRAFT
    return render(
        request,
        "portal/proposal_detail.html",
        {
            "proposal": proposal,
            "is_proposer": is_proposer,
            "can_edit": is_draft and proposal.lead_proposer_id == user.member_id,
            "problems": workflow.submit_problems(proposal) if is_draft else [],
            "cosigners": proposal.cosigners.select_related("member"),
            "files": proposal.files.all(),
            "assignments": assignments,
            "invitation": invitation,
        },
    )


@member_required
@require_POST
def portal_similar(request):
    """The similar-proposals panel of the draft form (an htmx fragment): the most similar
    proposals the member may see, with their status, units and released replies."""
    text = "\n".join(request.POST.get(k, "") for k in ("title", "reasons", "suggestions"))
    exclude = request.GET.get("exclude", "")
    found = []
    if len(text.strip()) >= SIMILAR_MIN_CHARS:
        from .similarity import similar_proposals

        found = similar_proposals(
            text,
            queryset=Proposal.objects.visible_to(request.user),
            exclude_pk=int(exclude) if exclude.isdigit() and len(exclude) < 12 else None,
            limit=SIMILAR_SHOWN,
        )
    rows = []
    for proposal, score in found:
        units = [a for a in proposal.assignments.all() if a.status != AssignmentStatus.GIVEN_BACK]
        for a in units:
            a.released = [r for r in a.replies.all() if r.released_at is not None]
        rows.append({"proposal": proposal, "score": score, "units": units})
    return render(
        request, "portal/proposal_similar.html", {"rows": rows, "asked": bool(text.strip())}
    )


@member_required
@require_GET
def portal_member_search(request):
    """Co-signer search (an htmx fragment): serving members by name or pinyin initials."""
    q = request.GET.get("q", "").strip()[:20]
    members = []
    if q:
        members = list(
            cosigner_candidates(request.user.member)
            .filter(
                Q(name__contains=q)
                | Q(name_initials__istartswith=q)
                | Q(name_pinyin__istartswith=q)
            )
            .order_by("name_pinyin", "pk")[:SEARCH_SHOWN]
        )
    return render(request, "portal/proposal_member_results.html", {"members": members, "q": q})


@member_required
@require_GET
def portal_member_pick(request, pk: int):
    """One chosen co-signer as a ticked box, appended to the form by the search results."""
    member = get_object_or_404(cosigner_candidates(request.user.member), pk=pk)
    return render(request, "portal/proposal_member_pick.html", {"m": member, "checked": True})
