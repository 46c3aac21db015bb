"""A handling unit's proposal pages: the proposals block of its home, one proposal with the
reply and give-back forms, the bulk reply and the unit's history.

Every view starts from ProposalUnit.objects.visible_to(user) narrowed to the login's own unit,
so another unit's proposal (or one this unit gave back) is a 404. Writes go through
proposals.workflow; a refusal becomes a form error with its Chinese reason.
"""

import datetime

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import CharField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.models import Transition
from cppcc.roles import Role, has_role
from cppcc.views import allowed_if
from cppcc.workflow import WorkflowError

from . import selectors, workflow
from .models import (
    AWAITING_REPLY,
    AnswerType,
    AssignmentStatus,
    HandlingUnit,
    ProposalReply,
    ProposalUnit,
)
from .reminders import warn_days
from .reply_templates import TEMPLATES, fill, values_for
from .reply_templates import render as render_template
from .unit_forms import BulkReplyForm, GiveBackForm, ReplyForm

A = AssignmentStatus

# What the unit still has to act on, shown first on its home.
# Still owing a reply (the overdue job and the to-do count read the same set).
ACTIVE = AWAITING_REPLY
# Answered: waiting for the office's review, released, rated.
ANSWERED = (A.REPLIED, A.RELEASED, A.RATED)
# Where a (new) reply may be written.
REPLYABLE = (A.ASSIGNED, A.REHANDLING)
RECENT_SHOWN = 10


def _is_unit(user) -> bool:
    return has_role(user, Role.UNIT) and getattr(user, "handling_unit_id", None) is not None


unit_required = allowed_if(_is_unit)


def unit_assignments(user) -> QuerySet:
    """The login's own unit's assignments (a given-back one excluded by visible_to), with what
    a row shows, and when its last reply was returned and released (for "退回，请重新答复")."""
    return (
        ProposalUnit.objects.visible_to(user)
        .filter(unit_id=user.handling_unit_id)
        .select_related("proposal__lead_proposer", "proposal__session", "proposal__term")
        .annotate(
            last_returned_at=Max("replies__returned_at"),
            last_released_at=Max("replies__released_at"),
            last_submitted_at=Max("replies__submitted_at"),
        )
    )


def _answered_first(user) -> QuerySet:
    """The ids of the unit's last answered assignments, newest reply first, cut to the few
    shown. Ordered over the assignments alone, each one's newest reply read through the
    reply's index: grouping every answered assignment (hundreds per unit) with its proposal's
    long row to keep ten was most of the unit home's time."""
    newest = ProposalReply.objects.filter(assignment=OuterRef("pk")).order_by("-submitted_at")
    return (
        ProposalUnit.objects.visible_to(user)
        .filter(unit_id=user.handling_unit_id, status__in=ANSWERED)
        .annotate(last_submitted_at=Subquery(newest.values("submitted_at")[:1]))
        .order_by("-last_submitted_at", "-id")
        .values("pk")[:RECENT_SHOWN]
    )


def _decorate(assignments, today: datetime.date) -> list[ProposalUnit]:
    for a in assignments:
        a.due_state = selectors.due_state(a, today)
        a.was_returned = (
            a.status in REPLYABLE
            and a.last_returned_at is not None
            and (a.last_released_at is None or a.last_returned_at > a.last_released_at)
        )
    return assignments


def unit_section(request, unit: HandlingUnit) -> dict:
    """The proposals block of the unit's home (cppcc.navigation.register_unit_section): what
    it must still answer, soonest due first, and what it answered last."""
    user = request.user
    today = timezone.localdate()
    qs = unit_assignments(user)
    active = _decorate(list(qs.filter(status__in=ACTIVE).order_by("due_on", "id")), today)
    recent = _decorate(
        list(qs.filter(pk__in=_answered_first(user)).order_by("-last_submitted_at", "-id")),
        today,
    )
    return {
        "active": active,
        "recent": recent,
        "warn_days": warn_days(),
        "can_bulk": sum(1 for a in active if a.status in REPLYABLE) > 1,
        "replyable": REPLYABLE,
    }


def _assignment_or_404(user, proposal_pk: int) -> ProposalUnit:
    return get_object_or_404(
        ProposalUnit.objects.visible_to(user)
        .filter(unit_id=user.handling_unit_id)
        .select_related("proposal__lead_proposer", "proposal__session", "proposal__term", "unit"),
        proposal_id=proposal_pk,
    )


def assignment_history(assignment_ids) -> QuerySet:
    """The Transition rows (who, when, from, to, note) of these assignments, newest first."""
    return (
        Transition.objects.filter(
            content_type=ContentType.objects.get_for_model(ProposalUnit),
            object_id__in=assignment_ids,
        )
        .select_related("by")
        .order_by("-at", "-id")
    )


def labelled(transitions) -> list[Transition]:
    """Transition rows with the assignment states' Chinese names (from_label, to_label)."""
    names = dict(AssignmentStatus.choices)
    rows = list(transitions)
    for t in rows:
        t.from_label = names.get(t.from_state, t.from_state)
        t.to_label = names.get(t.to_state, t.to_state)
    return rows


def _reply_initial(assignment: ProposalUnit, replies: list[ProposalReply], choice: str) -> dict:
    """The reply form's starting text: the chosen template filled in; after the office
    returned a reply, that reply's own text, to be revised rather than rewritten."""
    proposal, unit = assignment.proposal, assignment.unit
    if choice not in AnswerType.values:
        last = replies[-1] if replies else None
        if last is not None and last.returned_at is not None:
            return {"answer_type": last.answer_type, "text": last.text}
        choice = AnswerType.SOLVED
    return {"answer_type": choice, "text": render_template(choice, proposal, unit)}


@unit_required
def unit_proposal(request, pk: int):
    """One proposal as the unit sees it: the text, the other units, its replies with their
    review and rating, its history, and the reply and give-back forms."""
    user = request.user
    assignment = _assignment_or_404(user, pk)
    proposal = assignment.proposal
    replies = list(assignment.replies.select_related("rating", "submitted_by").order_by("id"))
    reply_form = give_back_form = None
    action = request.POST.get("action") if request.method == "POST" else None

    if assignment.status in REPLYABLE:
        if action == "reply":
            reply_form = ReplyForm(request.POST, request.FILES)
            if reply_form.is_valid():
                data = reply_form.cleaned_data
                upload = data.get("file")
                try:
                    workflow.reply_submit(
                        assignment,
                        answer_type=data["answer_type"],
                        text=fill(data["text"], values_for(proposal, assignment.unit)),
                        file=upload,
                        original_name=upload.name if upload else "",
                        by=user,
                    )
                except WorkflowError as exc:
                    reply_form.add_error(None, exc.message)
                else:
                    messages.success(request, _("答复已提交，政协机关审核后将发布给提案人。"))
                    return redirect("proposals:unit_proposal", pk=proposal.pk)
        else:
            reply_form = ReplyForm(
                initial=_reply_initial(assignment, replies, request.GET.get("template", ""))
            )
    if assignment.status == A.ASSIGNED:
        if action == "give_back":
            give_back_form = GiveBackForm(request.POST)
            if give_back_form.is_valid():
                try:
                    workflow.give_back_request(
                        assignment, reason=give_back_form.cleaned_data["reason"], by=user
                    )
                except WorkflowError as exc:
                    give_back_form.add_error(None, exc.message)
                else:
                    messages.success(request, _("退回申请已提交，请等待政协机关处理。"))
                    return redirect("proposals:unit_proposal", pk=proposal.pk)
        else:
            give_back_form = GiveBackForm()
    if action and reply_form is None and give_back_form is None:
        # A stale page (the state moved on): say so instead of silently ignoring the POST.
        messages.error(
            request,
            _("办理状态已变为“%(state)s”，不能再提交。")
            % {"state": assignment.get_status_display()},
        )
        return redirect("proposals:unit_proposal", pk=proposal.pk)

    today = timezone.localdate()
    assignment.due_state = selectors.due_state(assignment, today)
    context = {
        "assignment": assignment,
        "proposal": proposal,
        "others": ProposalUnit.objects.active()
        .filter(proposal=proposal)
        .exclude(pk=assignment.pk)
        .select_related("unit"),
        "files": proposal.files.all(),
        "replies": replies,
        "history": labelled(assignment_history([str(assignment.pk)])[:50]),
        "reply_form": reply_form,
        "give_back_form": give_back_form,
        "templates": AnswerType.choices,
        "warn_days": warn_days(),
    }
    return render(request, "proposals/unit_proposal.html", context)


class BulkRefused(Exception):
    def __init__(self, assignment: ProposalUnit, error: WorkflowError):
        self.assignment, self.error = assignment, error


@unit_required
def unit_bulk_reply(request):
    """答复 several proposals at once with one text: each gets its own reply record through
    workflow.reply_submit, placeholders filled for each. All or nothing: when one is refused,
    none is answered and the form says which and why."""
    user = request.user
    unit = user.handling_unit
    candidates = (
        ProposalUnit.objects.visible_to(user)
        .filter(unit_id=user.handling_unit_id, status__in=REPLYABLE)
        .select_related("proposal__lead_proposer", "proposal__session")
        .order_by("due_on", "id")
    )
    choice = request.GET.get("template", "")
    if choice not in AnswerType.values:
        choice = AnswerType.SOLVED
    ids = [int(i) for i in request.GET.getlist("ids") if i.isdigit() and len(i) < 12]
    form = BulkReplyForm(
        request.POST or None,
        assignments=candidates,
        initial={
            "answer_type": choice,
            # Placeholders stay in: they are filled per proposal when sent.
            "text": str(TEMPLATES[choice]),
            "assignments": ids,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["assignments"])
        try:
            with transaction.atomic():
                for assignment in chosen:
                    try:
                        workflow.reply_submit(
                            assignment,
                            answer_type=data["answer_type"],
                            text=fill(data["text"], values_for(assignment.proposal, unit)),
                            by=user,
                        )
                    except WorkflowError as exc:
                        raise BulkRefused(assignment, exc) from exc
        except BulkRefused as refused:
            proposal = refused.assignment.proposal
            form.add_error(
                None,
                _("“%(title)s”（%(number)s）不能答复：%(reason)s 本次未答复任何提案。")
                % {
                    "title": proposal.title,
                    "number": proposal.display_number or "—",
                    "reason": refused.error.message,
                },
            )
        else:
            messages.success(
                request,
                _("已答复 %(n)d 件提案，每件各存一份答复，待政协机关审核后发布。")
                % {"n": len(chosen)},
            )
            return redirect("proposals:unit_home")
    return render(
        request,
        "proposals/unit_bulk_reply.html",
        {
            "form": form,
            "templates": AnswerType.choices,
            "ids": ids,
            "has_candidates": candidates.exists(),
        },
    )


@unit_required
def unit_history(request):
    """The unit's history: every move of its assignments (who, when), newest first, paged."""
    user = request.user
    # Given-back assignments included: the history keeps them.
    own = ProposalUnit.objects.filter(unit_id=user.handling_unit_id)
    page = Paginator(
        assignment_history(own.annotate(key=Cast("pk", CharField())).values("key")), 30
    ).get_page(request.GET.get("page"))
    by_pk = {
        str(a.pk): a
        for a in own.filter(pk__in=[int(t.object_id) for t in page]).select_related("proposal")
    }
    rows = [(t, by_pk.get(t.object_id)) for t in labelled(page)]
    return render(request, "proposals/unit_history.html", {"page_obj": page, "rows": rows})
