import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc import deadlines
from cppcc.models import Transition
from cppcc.roles import Role, has_role, is_countywide

from .models import (
    AWAITING_REPLY,
    AssignmentStatus,
    CosignStatus,
    HandlingUnit,
    Proposal,
    ProposalCosigner,
    ProposalRating,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from .reminders import warn_days


def units_visible_to(user) -> QuerySet:
    """County roles and town clerks see the list of units (they assign to them); a unit's
    login sees only its own unit; members see none."""
    qs = HandlingUnit.objects.all()
    if is_countywide(user) or has_role(user, Role.TOWN):
        return qs
    if has_role(user, Role.UNIT) and user.handling_unit_id:
        return qs.filter(pk=user.handling_unit_id)
    return qs.none()


# --- proposals: the office list, the proposal page and the API read these -----------------------


def proposal_list_queryset(user, *, answers: bool = True) -> QuerySet:
    """The proposals `user` may see, with what a list row shows loaded in a fixed number of
    queries (rows, held assignments with their units, released replies, ratings).
    `answers=False` leaves the replies and ratings out, for the page, which does not show them
    (the export and the API do)."""
    held = ProposalUnit.objects.active().select_related("unit").order_by("-is_lead", "pk")
    if answers:
        held = held.prefetch_related(
            Prefetch(
                "replies",
                queryset=ProposalReply.objects.filter(released_at__isnull=False).order_by(
                    "released_at", "pk"
                ),
                to_attr="released",
            ),
            Prefetch(
                "ratings",
                queryset=ProposalRating.objects.order_by("rated_at", "pk"),
                to_attr="rated",
            ),
        )
    return (
        Proposal.objects.visible_to(user)
        .select_related("term", "session", "lead_proposer")
        .prefetch_related(Prefetch("assignments", queryset=held, to_attr="held"))
        .order_by("-year", "session_id", "serial", "-pk")
    )


def overdue_proposals(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Proposals with a held assignment past its due date that still owes a reply (the same
    rule as ProposalUnit.is_overdue and the overdue reminder: a reply waiting for the office's
    review is not the unit's delay)."""
    today = today or timezone.localdate()
    late = ProposalUnit.objects.filter(status__in=AWAITING_REPLY, due_on__lt=today)
    return qs.filter(pk__in=late.values("proposal_id"))


# What waits for the office on a proposal (the list's 待办 filter and the office's to-dos).
AWAITING_OFFICE = [
    ("review", _("待审查的提案")),
    ("reply", _("待审核的提案答复")),
    ("give_back", _("承办单位申请退回的提案")),
]


def awaiting_office(qs: QuerySet, what: str) -> QuerySet:
    if what == "review":
        return qs.filter(status=ProposalStatus.SUBMITTED)
    status = {"reply": AssignmentStatus.REPLIED, "give_back": AssignmentStatus.GIVE_BACK_REQUESTED}
    if what in status:
        held = ProposalUnit.objects.filter(status=status[what])
        return qs.filter(pk__in=held.values("proposal_id"))
    return qs


def due_state(assignment, today: datetime.date | None = None) -> str:
    """How an assignment's due date is coloured: "overdue" (red), "soon" (yellow: within
    CPPCC_PROPOSAL_DUE_WARN_DAYS, the reminder's threshold), "later" (green) while a reply is
    owed; "done" once the unit has replied."""
    return deadlines.due_state(
        assignment.due_on,
        warn_days=warn_days(),
        done=assignment.status not in AWAITING_REPLY,
        today=today,
    )


def proposal_moves(proposal, assignment_ids: list[int]) -> QuerySet:
    """The proposal's timeline: its own status moves and its assignments' (give-back, reply,
    release, rating), oldest first, in one query."""
    types = ContentType.objects.get_for_models(Proposal, ProposalUnit)
    rule = Q(content_type=types[Proposal], object_id=str(proposal.pk))
    if assignment_ids:
        rule |= Q(
            content_type=types[ProposalUnit], object_id__in=[str(pk) for pk in assignment_ids]
        )
    return Transition.objects.filter(rule).select_related("by").order_by("at", "id")


def replies_for(user, proposal) -> list:
    """The replies `user` may read, newest last: office and leaders all of them; a unit's login
    its own unit's (pending and returned ones too) and the released ones of other units; the
    proposer and other members only released replies (the office reviews them first)."""
    qs = (
        ProposalReply.objects.filter(assignment__proposal=proposal)
        .select_related("assignment__unit", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    if is_countywide(user):
        return list(qs)
    rule = Q(released_at__isnull=False)
    if has_role(user, Role.UNIT) and user.handling_unit_id:
        rule |= Q(assignment__unit_id=user.handling_unit_id)
    return list(qs.filter(rule))


# --- to-dos (cppcc.navigation.register_todos, in proposals.apps) ---------------------------


def todo_office(user) -> list:
    """What waits for the office: proposals to review, replies to check, give-back requests,
    and proposals whose reply is overdue; one aggregate query."""
    from cppcc.navigation import TodoItem, todo_url

    today = timezone.localdate()
    qs = Proposal.objects.visible_to(user)
    # Counted with the page's other to-dos (cppcc.navigation reads a QuerySet's count).
    counts = {what: awaiting_office(qs, what) for what, _label in AWAITING_OFFICE}
    counts["overdue"] = overdue_proposals(qs, today)
    labels = dict(AWAITING_OFFICE)
    items = [
        TodoItem(labels[what], counts[what], todo_url("proposals:list", {"awaiting": what}))
        for what, _label in AWAITING_OFFICE
    ]
    items.append(
        TodoItem(
            _("答复逾期的提案"),
            counts["overdue"],
            todo_url("proposals:list", {"overdue": "true"}),
            level="danger",
        )
    )
    return items


def todo_unit(user) -> list:
    """The proposals a unit owes a reply on, coloured by the nearest due date."""
    from django.db.models import Count, Min

    from cppcc.navigation import TodoItem, todo_url

    if not user.handling_unit_id:
        return []
    owed = ProposalUnit.objects.filter(
        unit_id=user.handling_unit_id, status__in=AWAITING_REPLY
    ).aggregate(n=Count("pk"), due=Min("due_on"))
    state = deadlines.due_state(owed["due"], warn_days=warn_days())
    level = deadlines.TODO_LEVEL.get(state, "info")
    return [
        TodoItem(
            _("待答复的提案"),
            owed["n"],
            todo_url("proposals:unit_home", anchor="unit-proposals"),
            level=level,
            due=owed["due"],
        )
    ]


def todo_member(user) -> list:
    """A member's co-signing invitations still open and released replies waiting for their
    rating (as lead proposer)."""
    from cppcc.navigation import TodoItem, todo_url

    if not user.member_id:
        return []
    today = timezone.localdate()
    invited = ProposalCosigner.objects.filter(
        member_id=user.member_id,
        status=CosignStatus.INVITED,
        proposal__status=ProposalStatus.SUBMITTED,
    ).filter(Q(proposal__cosign_deadline__isnull=True) | Q(proposal__cosign_deadline__gte=today))
    to_rate = ProposalUnit.objects.filter(
        proposal__lead_proposer_id=user.member_id, status=AssignmentStatus.RELEASED
    )
    return [
        TodoItem(_("待确认的联名邀请"), invited, todo_url("proposals:portal_proposals")),
        TodoItem(_("待评价的提案答复"), to_rate, todo_url("proposals:portal_proposals")),
    ]


# --- the proposal page ---------------------------------------------------------------------


def merged_into(user, proposal) -> QuerySet:
    """The proposals merged into `proposal` that the person may see."""
    return Proposal.objects.visible_to(user).filter(merged_into=proposal)


def detail_page_counts(user, proposal) -> dict:
    """The proposal page's counts in one statement: its matters (consultations, through the
    reverse relation), the proposals merged into it, its co-signers, files and ratings, and the
    person's unread notifications (the layout's). The page reads a list only when its count is
    not 0: most proposals have none of several of them."""
    from cppcc.navigation import Pending, run_together
    from cppcc.notifications import unread_pending

    matters, merged, cosigners, files, ratings, unread = run_together(
        [
            Pending.count(proposal.matters.all()),
            Pending.count(merged_into(user, proposal)),
            Pending.count(proposal.cosigners.all()),
            Pending.count(proposal.files.all()),
            Pending.count(ProposalRating.objects.filter(assignment__proposal=proposal)),
            unread_pending(user),
        ]
    )
    return {
        "matters": matters,
        "merged": merged,
        "cosigners": cosigners,
        "files": files,
        "ratings": ratings,
        "unread": unread,
    }
