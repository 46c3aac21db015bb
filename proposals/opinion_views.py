"""The public-opinion report pages (社情民意): the office list with its xlsx export, the report
page with its timeline and move forms, the office's create form, and the member's portal pages.

Each view starts from OpinionReport.objects.visible_to (404 outside the person's scope), checks
the right to change (403), validates a form and calls one function of opinion_workflow; a
refused move becomes an error message on the report page, which then shows the report as it
now stands.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cppcc.audit import object_history
from cppcc.exports import Column, xlsx_response
from cppcc.models import Transition
from cppcc.roles import Role, has_role
from cppcc.views import allowed_if, form_flow, staff_required
from cppcc.workflow import WorkflowError
from members.models import Member

from . import opinion_workflow as workflow
from .models import (
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    OpinionStatus,
)
from .opinion_forms import (
    AdoptForm,
    EditForm,
    ForwardForm,
    InstructionForm,
    OpinionListFilter,
    OpinionReportForm,
    PortalOpinionForm,
    RejectForm,
)

PER_PAGE = 30

manager_required = allowed_if(workflow.can_manage)


def _member_required(user) -> bool:
    return has_role(user, Role.MEMBER) and user.member_id is not None


member_required = allowed_if(_member_required)


def list_queryset(user):
    """The scoped rows with what a list row shows, in a fixed number of queries."""
    return (
        OpinionReport.objects.visible_to(user)
        .select_related("studio", "studio__town")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.only("pk", "name").order_by("pk")),
            Prefetch("adoptions", queryset=OpinionAdoption.objects.order_by("adopted_on", "id")),
            Prefetch(
                "instructions", queryset=LeaderInstruction.objects.order_by("instructed_on", "id")
            ),
        )
        .order_by("-submitted_on", "-id")
    )


def authors(report: OpinionReport) -> str:
    names = [m.name for m in report.members.all()]
    if report.officer_names:
        names.append(report.officer_names)
    return "、".join(names)


def adoption_levels(report: OpinionReport) -> str:
    return "、".join(str(a.get_level_display()) for a in report.adoptions.all())


def _filter(request) -> OpinionListFilter:
    return OpinionListFilter(request.GET, queryset=list_queryset(request.user), request=request)


@staff_required
def opinion_list(request):
    filterset = _filter(request)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    for report in page.object_list:
        report.author_text = authors(report)
    context = {
        "filter": filterset,
        "page_obj": page,
        "can_create": workflow.can_manage(request.user),
    }
    return render(request, "proposals/opinion_list.html", context)


COLUMNS = (
    Column(gettext_lazy("提交日期"), 12),
    Column(gettext_lazy("标题"), 40),
    Column(gettext_lazy("作者"), 20),
    Column(gettext_lazy("工作室 / 界别"), 20),
    Column(gettext_lazy("状态"), 10),
    Column(gettext_lazy("报送单位"), 20),
    Column(gettext_lazy("报送日期"), 12),
    Column(gettext_lazy("采用层级"), 16),
    Column(gettext_lazy("采用载体"), 36),
    Column(gettext_lazy("领导批示"), 40),
    Column(gettext_lazy("未采用原因"), 24),
)


@staff_required
def opinion_list_export(request):
    rows = (
        (
            r.submitted_on.isoformat(),
            r.shown_title,
            authors(r),
            r.studio.name if r.studio_id else r.sector_group,
            r.get_status_display(),
            r.forwarded_to,
            r.forwarded_on.isoformat() if r.forwarded_on else "",
            adoption_levels(r),
            "；".join(a.source for a in r.adoptions.all()),
            "；".join(
                f"{i.get_level_display()}·{i.leader}（{i.instructed_on:%Y-%m-%d}）：{i.text}"
                for i in r.instructions.all()
            ),
            r.not_adopted_reason,
        )
        for r in _filter(request).qs
    )
    return xlsx_response(_("社情民意"), COLUMNS, rows)


# --- the report page -------------------------------------------------------------------------

MOVE_FORMS = {
    "edit": EditForm,
    "forward": ForwardForm,
    "adopt": AdoptForm,
    "reject": RejectForm,
    "instruct": InstructionForm,
}


def _initial(report: OpinionReport, move: str) -> dict:
    today = timezone.localdate()
    initial = {"state": report.status}
    if move == "edit":
        initial["edited_title"] = report.edited_title or report.title
        initial["edited_text"] = report.edited_text or (
            f"{_('情况')}：\n{report.situation}\n\n{_('建议')}：\n{report.suggestion}"
        )
    elif move == "forward":
        initial["forwarded_on"] = today
    elif move == "adopt":
        taken = {a.level for a in report.adoptions.all()}
        initial["level"] = next((v for v in AdoptionLevel.values if v not in taken), "")
        initial["adopted_on"] = today
    elif move == "instruct":
        initial["instructed_on"] = today
    return initial


def timeline(report: OpinionReport) -> list[dict]:
    """Every move of the report (Transition rows: submitted, edited, forwarded, adopted,
    instructed …), oldest first, with the adoption or instruction it recorded."""
    moves = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(OpinionReport), object_id=str(report.pk)
    ).select_related("by")
    return [
        {"at": t.at, "by": t.by, "label": _move_label(t), "note": t.note}
        for t in moves.order_by("at", "id")
    ]


def _move_label(t: Transition) -> str:
    def label(state: str) -> str:
        return str(OpinionStatus(state).label) if state in OpinionStatus.values else ""

    if not t.from_state:
        return _("提交")
    if t.from_state == t.to_state:
        # A further adoption level or a leader's instruction: the note says which.
        return label(t.to_state)
    return f"{label(t.from_state)} → {label(t.to_state)}"


def _report(request, pk) -> OpinionReport:
    return get_object_or_404(list_queryset(request.user), pk=pk)


def _page(request, report, forms=None, status=200):
    user = request.user
    open_moves = workflow.moves_open(report, user)
    forms = forms or {}
    context = {
        "report": report,
        "author_text": authors(report),
        "timeline": timeline(report),
        "adoptions": list(report.adoptions.all()),
        "instructions": list(report.instructions.all()),
        "forms": {
            move: forms.get(move) or MOVE_FORMS[move](initial=_initial(report, move), prefix=move)
            for move in open_moves
        },
        "history": object_history(report),
        "show_history": True,
    }
    return render(request, "proposals/opinion_detail.html", context, status=status)


@staff_required
def opinion_detail(request, pk):
    return _page(request, _report(request, pk))


MOVE_DONE = {
    "edit": gettext_lazy("已保存编辑稿。"),
    "forward": gettext_lazy("已登记报送。"),
    "adopt": gettext_lazy("已登记采用。"),
    "reject": gettext_lazy("已登记为未采用。"),
    "instruct": gettext_lazy("已登记领导批示。"),
}


def _call(move: str, report: OpinionReport, data: dict, by):
    if move == "edit":
        return workflow.report_edit(report, by=by, **data)
    if move == "forward":
        return workflow.report_forward(report, by=by, **data)
    if move == "adopt":
        return workflow.report_adopt(report, by=by, **data)
    if move == "reject":
        return workflow.report_reject(report, by=by, **data)
    return workflow.instruction_add(report, by=by, **data)


@login_required
@require_POST
def opinion_move(request, pk, move: str):
    if move not in MOVE_FORMS:
        raise Http404
    report = _report(request, pk)
    if not workflow.can_manage(request.user):
        raise PermissionDenied
    form = MOVE_FORMS[move](request.POST, prefix=move)
    if not form.is_valid():
        if form.has_error("state"):
            messages.error(request, _("请刷新页面后重试。"))
            return redirect(report)
        return _page(request, report, forms={move: form}, status=400)
    data = dict(form.cleaned_data)
    workflow.as_seen(report, data.pop("state"))
    try:
        _call(move, report, data, request.user)
    except WorkflowError as exc:  # a refused guard, or a ConflictError naming the new state
        messages.error(request, exc.message)
    else:
        messages.success(request, MOVE_DONE[move])
    return redirect(report)


@manager_required
def opinion_create(request):
    form = OpinionReportForm(request.POST or None, user=request.user)
    response = form_flow(
        request,
        form,
        lambda data: workflow.report_submit(by=request.user, **data),
        success=_("已录入社情民意信息。"),
        redirect_to=lambda report: report,
    )
    return response or render(
        request,
        "proposals/opinion_form.html",
        {"form": form, "title": _("录入社情民意信息"), "back": reverse("proposals:opinion_list")},
    )


# --- the member's portal -----------------------------------------------------------------------


def portal_section(request, member) -> dict:
    """ "我的社情民意" on /portal/: the latest few reports and what became of each."""
    # The portal's rows name no authors: the list's prefetches are left out, and the adoptions
    # and instructions come in one query (outcomes_of).
    reports = list(list_queryset(request.user).prefetch_related(None)[:5])
    outcomes_of(reports)
    return {"reports": reports, "more": len(reports) == 5}


def outcomes_of(reports: list[OpinionReport]) -> None:
    """Reads the reports' adoptions and instructions in one query (a UNION of the two tables)
    and keeps them as their `adoptions.all()` and `instructions.all()`, as prefetching the two
    would, in the same order."""
    ids = [r.pk for r in reports]
    columns = ("what", "row_id", "of", "lvl", "on", "a", "b")
    adoptions = (
        OpinionAdoption.objects.filter(report_id__in=ids)
        .order_by()
        .annotate(
            what=Value("a"),
            row_id=F("id"),
            of=F("report_id"),
            lvl=F("level"),
            on=F("adopted_on"),
            a=F("source"),
            b=Value(""),
        )
        .values_list(*columns)
    )
    instructions = (
        LeaderInstruction.objects.filter(report_id__in=ids)
        .order_by()
        .annotate(
            what=Value("i"),
            row_id=F("id"),
            of=F("report_id"),
            lvl=F("level"),
            on=F("instructed_on"),
            a=F("leader"),
            b=F("text"),
        )
        .values_list(*columns)
    )
    found: dict[tuple[str, int], list] = {}
    for what, pk, of, level, on, a, b in sorted(
        adoptions.union(instructions, all=True).order_by() if ids else [],
        key=lambda row: (row[4], row[1]),
    ):
        if what == "a":
            row = OpinionAdoption(id=pk, report_id=of, level=level, adopted_on=on, source=a)
        else:
            row = LeaderInstruction(
                id=pk, report_id=of, level=level, instructed_on=on, leader=a, text=b
            )
        found.setdefault((what, of), []).append(row)
    for report in reports:
        cache = getattr(report, "_prefetched_objects_cache", None)
        if cache is None:
            cache = report._prefetched_objects_cache = {}
        for what, name, model in (
            ("a", "adoptions", OpinionAdoption),
            ("i", "instructions", LeaderInstruction),
        ):
            # A queryset of the report's rows, so that anything chained on it reads them again.
            rows = model.objects.filter(report_id=report.pk)
            rows._result_cache = found.get((what, report.pk), [])
            rows._prefetch_done = True
            cache[name] = rows


@member_required
def portal_opinions(request):
    page = Paginator(list_queryset(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/opinion_list.html", {"page_obj": page})


@member_required
def portal_opinion_submit(request):
    member = request.user.member
    form = PortalOpinionForm(request.POST or None, member=member)
    response = form_flow(
        request,
        form,
        lambda data: workflow.report_submit(by=request.user, members=[member], **data),
        success=_("已提交社情民意信息，政协机关编辑报送后您可在此查看进展。"),
        redirect_to="proposals:portal_opinions",
    )
    return response or render(request, "portal/opinion_form.html", {"form": form})
