from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from cppcc.audit import object_history
from cppcc.exports import Column, attachment, xlsx_response
from cppcc.files import serve_file
from cppcc.navigation import (
    kept_list,
    kept_render,
    query_key,
    registry,
    rendered_sections,
    todos_for,
)
from cppcc.roles import Role, can_edit_county, has_role, is_countywide
from cppcc.views import RoleRequiredMixin, allowed_if
from cppcc.workflow import WorkflowError
from members.models import CommitteeSession

from . import documents, selectors, services, similarity, workflow
from .filters import ProposalFilter
from .forms import (
    AssignForm,
    BulkForm,
    CloseForm,
    ExcellentForm,
    GiveBackGrantForm,
    GiveBackRefuseForm,
    KeyForm,
    MergeForm,
    RegisterForm,
    RejectForm,
    ReleaseForm,
    ReturnForm,
    SupervisionForm,
)
from .models import (
    REGISTERED_OR_LATER,
    AssignmentStatus,
    Proposal,
    ProposalFile,
    ProposalRating,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)


class UnitHomeView(RoleRequiredMixin, TemplateView):
    """A handling unit's landing page: what was assigned to the unit. Each app that assigns
    work to units contributes a block (cppcc.navigation.register_unit_section): consultations
    lists its matters; proposals will list theirs."""

    roles = (Role.UNIT,)
    template_name = "proposals/unit_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.request.user.handling_unit
        context["unit"] = unit
        context["todos"] = todos_for(self.request, self.roles)
        context["blocks"] = (
            []
            if unit is None
            else rendered_sections(self.request, registry.unit_home, unit, f"unit-{unit.pk}")
        )
        return context


# --- the office's proposal pages ---------------------------------------------------------------
# Each view starts from Proposal.objects.visible_to (404 outside the person's scope), checks the
# right to change (403: only the office moves a proposal here, leaders read), validates a form
# and calls one function of proposals.workflow or proposals.services; a refused move becomes an
# error message on the proposal page, which then shows the proposal as it now stands.

PER_PAGE = 30

# Leaders and the office read every proposal; a unit's login its assignments, a member their own
# and the published ones (visible_to narrows). Town clerks have no part in proposals.
reader_required = allowed_if(
    lambda user: is_countywide(user) or has_role(user, Role.UNIT, Role.MEMBER)
)
office_required = allowed_if(can_edit_county)
countywide_required = allowed_if(is_countywide)


def _filter(request, *, answers: bool = True) -> ProposalFilter:
    return ProposalFilter(
        request.GET,
        queryset=selectors.proposal_list_queryset(request.user, answers=answers),
        request=request,
    )


def units_text(proposal) -> str:
    """主办 first, then 协办, from the prefetched held assignments."""
    return "、".join(
        f"{a.unit.name}（{_('主办') if a.is_lead else _('协办')}）" for a in proposal.held
    )


def due_text(proposal) -> str:
    days = sorted({a.due_on for a in proposal.held})
    return "、".join(d.isoformat() for d in days)


def replies_text(proposal) -> str:
    parts = []
    for a in proposal.held:
        if a.released:
            parts.append(f"{a.unit.name}：{a.released[-1].get_answer_type_display()}")
    return "；".join(parts)


def ratings_text(proposal) -> str:
    parts = []
    for a in proposal.held:
        if a.rated:
            parts.append(f"{a.unit.name}：{a.rated[-1].get_rating_display()}")
    return "；".join(parts)


def session_text(proposal) -> str:
    return f"{proposal.term.name}·{proposal.session.name if proposal.session_id else _('闭会期间')}"


@reader_required
def proposal_list(request):
    can_manage = can_edit_county(request.user)

    def context() -> dict:
        filterset = _filter(request, answers=False)
        page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for proposal in page.object_list:
            proposal.units_text = units_text(proposal)
            proposal.overdue = any(a.is_overdue(today) for a in proposal.held)
            proposal.due_on = min((a.due_on for a in proposal.held), default=None)
        return {
            "filter": filterset,
            "page_obj": page,
            "can_manage": can_manage,
            "bulk_form": BulkForm() if can_manage else None,
            "key_count": Proposal.objects.visible_to(request.user).filter(is_key=True).count()
            if is_countywide(request.user)
            else 0,
            # EXISTS probes the session index once per session; a join with DISTINCT read and
            # sorted every proposal. The trash counts too, as the join did.
            "sessions": list(
                CommitteeSession.objects.visible_to(request.user)
                .filter(Exists(Proposal._base_manager.filter(session=OuterRef("pk"))))
                .order_by("-starts_on")
            )
            if is_countywide(request.user)
            else [],
        }

    # A page of the list is the same from one visit to the next until a record changes (issue
    # 13): kept per viewer, query and day.
    return kept_list(
        request,
        "proposals-list",
        "proposals/list.html",
        "proposals/_list_body.html",
        context,
        media=BulkForm().media if can_manage else "",
    )


COLUMNS = (
    Column(gettext_lazy("案号"), 10, text=True),
    Column(gettext_lazy("案由"), 40),
    Column(gettext_lazy("类别"), 8),
    Column(gettext_lazy("提案人"), 20),
    Column(gettext_lazy("届次会议"), 26),
    Column(gettext_lazy("状态"), 10),
    Column(gettext_lazy("承办单位"), 30),
    Column(gettext_lazy("办理期限"), 12),
    Column(gettext_lazy("答复"), 30),
    Column(gettext_lazy("满意度"), 24),
)


@reader_required
def proposal_list_export(request):
    rows = (
        (
            p.display_number,
            p.title,
            p.get_category_display(),
            p.proposers_label(),
            session_text(p),
            p.get_status_display(),
            units_text(p),
            due_text(p),
            replies_text(p),
            ratings_text(p),
        )
        for p in _filter(request).qs
    )
    return xlsx_response(_("提案"), COLUMNS, rows)


def _refused_line(proposal, exc: WorkflowError) -> str:
    return f"“{proposal.title}”：{exc.message}"


@office_required
@require_POST
def proposal_bulk(request):
    """立案 or 交办 of every ticked proposal, each through its workflow function, all or
    nothing: one refusal rolls every other back and the page lists what was refused."""
    form = BulkForm(request.POST)
    back = reverse("proposals:list") + (
        "?" + request.POST["query"] if request.POST.get("query", "").strip() else ""
    )
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("proposals:list")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    proposals = list(
        Proposal.objects.visible_to(request.user).filter(pk__in=data["ids"]).order_by("pk")
    )
    if len(proposals) != len(set(data["ids"])):
        messages.error(request, _("所选提案中有不存在或无权查看的记录，请刷新后重试。"))
        return redirect(back)
    refused: list[str] = []
    with transaction.atomic():
        for proposal in proposals:
            try:
                if data["action"] == BulkForm.REGISTER:
                    workflow.proposal_register(proposal, by=request.user)
                else:
                    workflow.proposal_assign(
                        proposal,
                        lead_unit=data["lead_unit"],
                        assisting_units=data["assisting_units"],
                        due_on=data["due_on"],
                        by=request.user,
                    )
            except WorkflowError as exc:
                refused.append(_refused_line(proposal, exc))
        if refused:
            transaction.set_rollback(True)
    if refused:
        messages.error(
            request,
            _("以下 %(n)d 件提案不能办理，本次操作全部未执行：%(list)s")
            % {"n": len(refused), "list": "；".join(refused)},
        )
    elif data["action"] == BulkForm.REGISTER:
        messages.success(request, _("已立案 %(n)d 件提案。") % {"n": len(proposals)})
    else:
        messages.success(request, _("已交办 %(n)d 件提案。") % {"n": len(proposals)})
    return redirect(back)


# --- the proposal page -------------------------------------------------------------------------

MOVE_FORMS = {
    "register": RegisterForm,
    "reject": RejectForm,
    "merge": MergeForm,
    "assign": AssignForm,
    "give_back_grant": GiveBackGrantForm,
    "give_back_refuse": GiveBackRefuseForm,
    "release": ReleaseForm,
    "return": ReturnForm,
    "close": CloseForm,
    "key": KeyForm,
    "excellent": ExcellentForm,
    "supervise": SupervisionForm,
}
MOVE_DONE = {
    "register": gettext_lazy("已立案。"),
    "reject": gettext_lazy("已作不予立案处理。"),
    "merge": gettext_lazy("已并案。"),
    "assign": gettext_lazy("已交办。"),
    "give_back_grant": gettext_lazy("已同意退回。"),
    "give_back_refuse": gettext_lazy("已不同意退回。"),
    "release": gettext_lazy("已发布答复。"),
    "return": gettext_lazy("已退回答复。"),
    "close": gettext_lazy("提案已办结。"),
    "key": gettext_lazy("已保存重点提案设置。"),
    "excellent": gettext_lazy("已保存优秀提案设置。"),
    "supervise": gettext_lazy("已记录督办会。"),
}
S = ProposalStatus


def open_moves(proposal) -> list[str]:
    """The proposal-wide moves the office may make now (the per-unit and per-reply ones are
    offered beside each assignment and reply)."""
    moves = []
    if proposal.status == S.SUBMITTED:
        moves += ["register", "reject", "merge"]
    if proposal.status in (S.REGISTERED, S.ASSIGNED):
        moves.append("assign")
    if proposal.status == S.REPLIED:
        moves.append("close")
    if proposal.status in REGISTERED_OR_LATER:
        moves += ["key", "excellent"]
    if proposal.is_key:
        moves.append("supervise")
    return moves


def _move_form(move: str, proposal, data=None, initial=None):
    # The supervision form offers only this proposal's units.
    extra = {"proposal": proposal} if move == "supervise" else {}
    return MOVE_FORMS[move](data, initial=initial, prefix=move, **extra)


def _initial(proposal, move: str) -> dict:
    if move == "key":
        return {"is_key": proposal.is_key, "supervising_leader": proposal.supervising_leader}
    if move == "excellent":
        return {"is_excellent": proposal.is_excellent}
    return {}


def _detail_queryset(user):
    return Proposal.objects.visible_to(user).select_related(
        "term", "session", "lead_proposer", "merged_into", "created_by"
    )


def _proposal(request, pk) -> Proposal:
    return get_object_or_404(_detail_queryset(request.user), pk=pk)


def _timeline(proposal, assignments, moves) -> list[dict]:
    units = {str(a.pk): a.unit.name for a in assignments}
    rows = []
    for t in moves:
        if t.object_id in units and t.content_type_id != _proposal_type().pk:
            choices, who = AssignmentStatus, units[t.object_id]
        else:
            choices, who = ProposalStatus, ""
        rows.append(
            {
                "at": t.at,
                "by": t.by,
                "unit": who,
                "from": _label(choices, t.from_state),
                "to": _label(choices, t.to_state),
                "note": t.note,
            }
        )
    return rows


def _proposal_type():
    return ContentType.objects.get_for_model(Proposal)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _merge_candidates(request, proposal) -> tuple[str, list]:
    """Registered proposals of the same term matching ?merge_q= (number or title)."""
    query = request.GET.get("merge_q", "").strip()
    if not query or proposal.status != S.SUBMITTED:
        return query, []
    number = query.removeprefix("第").removesuffix("号")
    found = (
        Proposal.objects.visible_to(request.user)
        .registered()
        .filter(term_id=proposal.term_id)
        .filter(Q(title__icontains=query) | Q(number=number))
        .exclude(pk=proposal.pk)
        .select_related("session")
        .order_by("-year", "serial")[:10]
    )
    return query, list(found)


def _page(request, proposal, forms=None, status=200):
    """The proposal's page; with `forms` (a move's form with its errors) as posted."""
    if forms:
        body = render_to_string(
            "proposals/_proposal_detail_body.html",
            _page_context(request, proposal, forms),
            request=request,
        )
    else:
        # The page is the same from one visit to the next until a record changes: a dozen
        # lists, the similar proposals and the office's forms (issue 13). Kept per viewer,
        # query (the merge search) and day.
        body = kept_render(
            request,
            f"proposal:{proposal.pk}:{query_key(request)}",
            "proposals/_proposal_detail_body.html",
            lambda: _page_context(request, proposal, {}),
        )
    context = {"proposal": proposal, "body": body}
    return render(request, "proposals/proposal_detail.html", context, status=status)


def _page_context(request, proposal, forms: dict) -> dict:
    user = request.user
    can_manage = can_edit_county(user)
    today = timezone.localdate()
    counts = selectors.detail_page_counts(user, proposal)
    request._cppcc_unread = counts["unread"]  # the layout shows it (cppcc.context_processors)
    assignments = ProposalUnit.objects.filter(proposal=proposal).select_related("unit")
    if counts["ratings"]:
        assignments = assignments.prefetch_related(
            Prefetch("ratings", queryset=ProposalRating.objects.order_by("rated_at"))
        )
    assignments = list(assignments.order_by("-is_lead", "pk"))
    # Replies exist only for assignments: a proposal not yet assigned reads none.
    replies = selectors.replies_for(user, proposal) if assignments else []
    by_assignment: dict[int, list] = {}
    for reply in replies:
        by_assignment.setdefault(reply.assignment_id, []).append(reply)
    for a in assignments:
        a.due = selectors.due_state(a, today)
        a.reply_list = by_assignment.get(a.pk, [])
        a.rating_list = list(a.ratings.all()) if counts["ratings"] else []
    transitions = list(selectors.proposal_moves(proposal, [a.pk for a in assignments]))
    context = {
        "proposal": proposal,
        "cosigners": (
            list(proposal.cosigners.select_related("member").order_by("pk"))
            if counts["cosigners"]
            else []
        ),
        "files": list(proposal.files.all()) if counts["files"] else [],
        "assignments": assignments,
        "timeline": _timeline(proposal, assignments, transitions),
        # Most proposals have no matter and absorbed none: their lists cost no query.
        "matters": (
            list(proposal.matters.select_related("town").order_by("pk"))
            if counts["matters"]
            else []
        ),
        # Only key proposals have supervision meetings: no query for the others.
        "supervision": (
            list(proposal.supervision_meetings.prefetch_related("units")) if proposal.is_key else []
        ),
        "merged": (
            list(selectors.merged_into(user, proposal).order_by("pk")) if counts["merged"] else []
        ),
        "can_manage": can_manage,
        "countywide": is_countywide(user),
        "today": today,
    }
    # The similar rows' units come with their assignments, so similarity's
    # "assignments__unit" finds them loaded: one query fewer.
    visible = (
        Proposal.objects.visible_to(user)
        .exclude(status=S.DRAFT)
        .prefetch_related(
            Prefetch("assignments", queryset=ProposalUnit.objects.select_related("unit"))
        )
    )
    if is_countywide(user):
        text = similarity.proposal_text(proposal)
        # The panel shows units, not replies: they are not read.
        context["similar"] = similarity.similar_proposals(
            text, queryset=visible, exclude_pk=proposal.pk, limit=5, with_replies=False
        )
        # The proposal's own moves were read for the timeline: the panel reuses them.
        own = str(proposal.pk)
        context["history"] = object_history(
            proposal,
            transitions=[
                t
                for t in transitions
                if t.content_type_id == _proposal_type().pk and t.object_id == own
            ],
        )
        context["show_history"] = True
    if can_manage:
        moves = open_moves(proposal)
        context["forms"] = {
            move: forms.get(move) or _move_form(move, proposal, initial=_initial(proposal, move))
            for move in moves
        }
        context["merge_q"], context["merge_candidates"] = _merge_candidates(request, proposal)
        if "assign" in moves:
            # The similar panel's scope: drafts have no unit to vote with (one corpus of every
            # proposal serves both, similarity's scopes only filter it).
            context["suggested_units"] = similarity.suggested_units(
                similarity.proposal_text(proposal), queryset=visible, exclude_pk=proposal.pk
            )
        context["refuse_form"] = forms.get("give_back_refuse")
        context["return_form"] = forms.get("return")
    return context


@reader_required
def proposal_detail(request, pk):
    return _page(request, _proposal(request, pk))


def _held(proposal, pk) -> ProposalUnit:
    assignment = ProposalUnit.objects.filter(proposal=proposal, pk=pk).first()
    if assignment is None:
        raise WorkflowError(_("该承办记录不存在，请刷新后重试。"))
    return assignment


def _pending(proposal, pk) -> ProposalReply:
    reply = (
        ProposalReply.objects.filter(assignment__proposal=proposal, pk=pk)
        .select_related("assignment")
        .first()
    )
    if reply is None:
        raise WorkflowError(_("该答复不存在，请刷新后重试。"))
    return reply


def _call(move: str, proposal, data: dict, request):
    by, note = request.user, data.get("note", "")
    if move == "register":
        return workflow.proposal_register(proposal, by=by, note=note)
    if move == "reject":
        return workflow.proposal_reject(
            proposal, reason=data["reason"], converted_to=data["converted_to"], by=by, note=note
        )
    if move == "merge":
        target = (
            Proposal.objects.visible_to(by).filter(pk=data["into"]).exclude(pk=proposal.pk).first()
        )
        if target is None:
            raise WorkflowError(_("未找到要并入的提案，请重新搜索。"))
        return workflow.proposal_merge(proposal, into=target, by=by, note=note)
    if move == "assign":
        return workflow.proposal_assign(
            proposal,
            lead_unit=data["lead_unit"],
            assisting_units=data["assisting_units"],
            due_on=data["due_on"],
            by=by,
            note=note,
        )
    if move == "give_back_grant":
        return workflow.give_back_grant(_held(proposal, data["assignment"]), by=by, note=note)
    if move == "give_back_refuse":
        return workflow.give_back_refuse(
            _held(proposal, data["assignment"]), reason=data["reason"], by=by, note=note
        )
    if move == "release":
        return workflow.reply_release(_pending(proposal, data["reply"]), by=by, note=note)
    if move == "return":
        return workflow.reply_return(
            _pending(proposal, data["reply"]), reason=data["reason"], by=by, note=note
        )
    if move == "close":
        return workflow.proposal_close(proposal, by=by, note=note)
    if move == "key":
        return services.set_key(
            proposal,
            is_key=data["is_key"],
            supervising_leader=data["supervising_leader"],
            by=by,
        )
    if move == "supervise":
        return services.record_supervision_meeting(proposal, data, by=by)
    return services.set_excellent(proposal, is_excellent=data["is_excellent"], by=by)


@login_required
@require_POST
def proposal_move(request, pk, move: str):
    if move not in MOVE_FORMS:
        raise Http404
    proposal = _proposal(request, pk)
    if not can_edit_county(request.user):
        raise PermissionDenied
    form = _move_form(move, proposal, request.POST)
    if not form.is_valid():
        return _page(request, proposal, forms={move: form}, status=400)
    try:
        _call(move, proposal, form.cleaned_data, request)
    except WorkflowError as exc:  # a refused guard, or a ConflictError naming the new state
        messages.error(request, exc.message)
    else:
        messages.success(request, MOVE_DONE[move])
    return redirect(proposal)


# --- files and Word downloads --------------------------------------------------------------------


@login_required
def proposal_file(request, pk):
    """An attachment of a proposal, for whoever may see the proposal (404 for anyone else)."""
    attached = get_object_or_404(
        ProposalFile.objects.filter(proposal__in=Proposal.objects.visible_to(request.user)), pk=pk
    )
    return serve_file(request, attached.file, attached.original_name)


@login_required
def reply_file(request, pk):
    """A reply's attachment, for whoever may read the reply (selectors.replies_for)."""
    reply = get_object_or_404(
        ProposalReply.objects.filter(
            assignment__proposal__in=Proposal.objects.visible_to(request.user)
        ).exclude(file=""),
        pk=pk,
    )
    proposal = Proposal.objects.get(pk=reply.assignment.proposal_id)
    if reply.pk not in {r.pk for r in selectors.replies_for(request.user, proposal)}:
        raise Http404
    return serve_file(request, reply.file, reply.original_name)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@reader_required
def proposal_docx(request, pk):
    proposal = get_object_or_404(documents.for_documents(_detail_queryset(request.user)), pk=pk)
    name = proposal.display_number or proposal.title[:30]
    response = HttpResponse(documents.proposal_docx(proposal), content_type=DOCX)
    return attachment(response, f"提案-{name}.docx")


@countywide_required
def proposal_compilation(request, session_pk):
    """提案汇编 of a session: its registered proposals, by category, in serial order."""
    session = get_object_or_404(CommitteeSession.objects.visible_to(request.user), pk=session_pk)
    proposals = documents.for_documents(
        Proposal.objects.visible_to(request.user)
        .registered()
        .filter(session=session)
        .order_by("serial")
    )
    response = HttpResponse(documents.compilation_docx(session, proposals), content_type=DOCX)
    return attachment(response, f"提案汇编-{session.name}.docx")
