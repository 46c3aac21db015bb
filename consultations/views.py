"""The "一镇一事" pages: the year's board, the matter page with its seven-step timeline, the
forms for each step's record, consultation meetings, and the handling units' progress reports.

Each view finds its object through `visible_to` (404 when the person may not see it), checks
the right to change it (403), validates a form and calls one service or workflow function; a
WorkflowError becomes a form error (cppcc.views.form_flow) or, for the one-button moves, an
error message on the matter page, which then shows the matter as it now stands.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cppcc.audit import object_history
from cppcc.exports import Column, xlsx_response
from cppcc.files import serve_file
from cppcc.navigation import kept_list, kept_render
from cppcc.roles import (
    Role,
    can_edit_county,
    clerk_town_id,
    has_role,
    is_countywide,
    is_staff_like,
)
from cppcc.views import allowed_if, form_flow, staff_required
from cppcc.workflow import WorkflowError
from members.models import Member
from studios.models import Town
from studios.selectors import can_edit_town_records, require_edit

from . import selectors, services, workflow
from .filters import MatterListFilter, MeetingListFilter, TaskListFilter
from .forms import (
    AdvanceForm,
    AssignmentForm,
    FollowUpTaskFormSet,
    LivelihoodProjectForm,
    MatterForm,
    MeetingAttendanceForm,
    MeetingForm,
    OutcomeForm,
    ProgressForm,
    RegistrationForm,
    SendBackForm,
    TownSearchForm,
    task_rows,
)
from .models import (
    STEP_MEETING_KINDS,
    STEPS,
    ConsultationMeeting,
    FollowUpTask,
    LivelihoodProject,
    Matter,
    MatterStatus,
    MeetingFile,
    MeetingKind,
    Step,
    UnitProgress,
    UnitRole,
    step_index,
)

# Pages a handling unit's login may also read: the matters and meetings of its unit
# (visible_to narrows what it finds).
reader_required = allowed_if(lambda user: is_staff_like(user) or has_role(user, Role.UNIT))


def _may_create(user) -> bool:
    return can_edit_county(user) or clerk_town_id(user) is not None


def _editable_towns(user):
    if can_edit_county(user):
        return Town.objects.order_by("order", "pk")
    town_id = clerk_town_id(user)
    if town_id is None:
        raise PermissionDenied
    return Town.objects.filter(pk=town_id)


def _form_page(request, form, *, title, back, matter=None, submit=None, multipart=False):
    return render(
        request,
        "consultations/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "matter": matter,
            "submit": submit or _("保存"),
            "multipart": multipart,
        },
    )


def _matter(request, pk) -> Matter:
    return get_object_or_404(selectors.matter_detail_queryset(request.user), pk=pk)


def _managed_matter(request, pk) -> Matter:
    matter = _matter(request, pk)
    if not selectors.can_manage_matter(request.user, matter):
        raise PermissionDenied
    return matter


# --- the board -------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@staff_required
def board(request):
    user = request.user
    this_year = timezone.localdate().year
    years = set(
        Matter.objects.visible_to(user).order_by().values_list("year", flat=True).distinct()
    )
    years.add(this_year)
    year = _int_param(request, "year") or this_year
    years.add(year)
    town_id = _int_param(request, "town")

    def columns() -> dict:
        columns = selectors.board_columns(
            selectors.board_queryset(user, year=year, town_id=town_id)
        )
        total = sum(c["count"] for c in columns)
        return {"columns": columns, "total": total, "year": year, "town": town_id}

    context = {
        # A year's columns are the same from one visit to the next until a record changes: two
        # queries and a hundred cards (issue 13), kept per viewer, year, town and day.
        "board": kept_render(
            request,
            f"consultations-board:{year}:{town_id}",
            "consultations/_board_columns.html",
            columns,
        ),
        "year": year,
        "years": sorted(years, reverse=True),
        # A town clerk sees one town: no town filter to offer.
        "town_form": TownSearchForm(initial={"town": town_id}, user=user)
        if is_countywide(user)
        else None,
        "town": town_id,
        "can_create": _may_create(user),
    }
    return render(request, "consultations/board.html", context)


# --- the matter page -------------------------------------------------------------------------


def _step_entries(matter: Matter, step_dates: dict) -> dict[str, object]:
    """The real day the matter entered each step (MatterStepDate, as the moves recorded it),
    or, for a step without one, when its Transition row was written."""
    entered: dict[str, object] = {Step.PROPOSED: matter.created_at}
    for row in selectors.matter_moves(matter).filter(field="step"):
        entered[row.to_state] = row.at
    entered.update(step_dates)
    return entered


def _timeline(matter: Matter, meetings, step_dates: dict) -> list[dict]:
    entered = _step_entries(matter, step_dates)
    by_kind = defaultdict(list)
    for meeting in meetings:
        by_kind[meeting.kind].append(meeting)
    current = step_index(matter.step)
    timeline = []
    for i, step in enumerate(STEPS):
        if matter.is_completed or i < current:
            state = "done"
        elif i == current:
            state = "current"
        else:
            state = "todo"
        timeline.append(
            {
                "step": step,
                "number": i + 1,
                "label": Step(step).label,
                "state": state,
                "entered_at": entered.get(step) if state != "todo" else None,
                "is_meeting_step": step in STEP_MEETING_KINDS,
                "meetings": by_kind.get(step, []),
            }
        )
    return timeline


def _matter_page(request, matter, *, send_back_form=None, progress_form=None, status=200):
    """The matter's page; with a form (its errors) as posted."""
    if send_back_form or progress_form:
        context = _matter_context(
            request, matter, send_back_form=send_back_form, progress_form=progress_form
        )
        body = render_to_string("consultations/_matter_detail_body.html", context, request=request)
    else:
        # The page is the same from one visit to the next until a record changes: its meetings
        # with their attendance, units, projects, progress and moves (issue 13). Kept per
        # viewer and day.
        body = kept_render(
            request,
            f"matter:{matter.pk}",
            "consultations/_matter_detail_body.html",
            lambda: _matter_context(request, matter),
        )
    context = {"matter": matter, "body": body}
    return render(request, "consultations/matter_detail.html", context, status=status)


def _matter_context(request, matter, *, send_back_form=None, progress_form=None) -> dict:
    user = request.user
    can_manage = selectors.can_manage_matter(user, matter)
    meetings = selectors.matter_meetings(matter)
    assignments = list(matter.unit_assignments.all())
    state = {"step": matter.step, "status": matter.status}
    after = workflow.next_step(matter.step)
    before = workflow.previous_step(matter.step)
    step_reached = step_index(matter.step)
    counts = selectors.matter_page_counts(user, matter)
    request._cppcc_unread = counts["unread"]  # the layout shows it (cppcc.context_processors)
    context = {
        "matter": matter,
        "step_label": matter.state_label,
        "timeline": _timeline(matter, meetings, counts["step_dates"]),
        "proposers": list(matter.proposers.all()),
        "lead_units": [a.unit for a in assignments if a.role == UnitRole.LEAD],
        "assisting_units": [a.unit for a in assignments if a.role == UnitRole.ASSISTING],
        "has_outcome": matter.result_summary.strip() != "" or matter.solved is not None,
        "projects": list(matter.projects.all()),
        "project_totals": counts["project_totals"],
        "today": timezone.localdate(),
        "overdue": selectors.is_overdue(matter),
        "stalled": selectors.is_stalled(matter),
        "days_in_step": selectors.days_in_step(matter),
        "can_manage": can_manage,
        "progress": list(
            UnitProgress.objects.visible_to(user)
            .filter(matter=matter)
            .select_related("unit", "written_by")
        ),
        "can_report": selectors.can_report_progress(user, matter),
        "progress_form": progress_form or ProgressForm(),
        "history": object_history(matter) if is_staff_like(user) else None,
        "show_history": is_staff_like(user),
        # A town clerk, or a unit the proposal was not assigned to, sees its title but no link
        # to a page that would refuse them.
        "proposal_url": (matter.proposal.url_for(user) if counts["proposal_visible"] else ""),
    }
    if can_manage:
        context.update(
            {
                "blockers": [] if matter.is_completed else workflow.blockers(matter),
                "next_label": Step(after).label if after else _("办结"),
                "previous_label": (
                    Step.CLOSING.label
                    if matter.is_completed
                    else (Step(before).label if before else None)
                ),
                "advance_form": AdvanceForm(initial={**state, "on": _move_day(matter)}),
                "send_back_form": send_back_form or SendBackForm(initial=state, auto_id=BACK_ID),
                "can_register": matter.step == Step.PROPOSED and not matter.is_completed,
                "can_assign": not selectors.assignment_refused(matter),
                "meeting_kind": matter.step if matter.step in STEP_MEETING_KINDS else "",
                "can_meet": step_reached >= step_index(Step.PRE_MEETING),
                "can_outcome": not selectors.outcome_refused(matter),
                "can_projects": not selectors.projects_refused(matter),
            }
        )
    return context


def _move_day(matter: Matter):
    """What the move form offers: today, or for 交办 the assignment date already recorded."""
    if matter.step == Step.REGISTERED and matter.assigned_on:
        return matter.assigned_on
    return timezone.localdate()


@reader_required
def matter_detail(request, pk):
    return _matter_page(request, _matter(request, pk))


# The send-back form shares the matter page with the advance form: its own element ids.
BACK_ID = "back_%s"


@login_required
@require_POST
def matter_advance(request, pk):
    matter = _managed_matter(request, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        if form.has_error("on"):
            messages.error(request, _("请填写正确的日期。"))
        else:
            messages.error(request, _("请刷新页面后重试。"))
        return redirect(matter)
    try:
        moved = workflow.matter_advance(
            workflow.as_seen(matter, form.seen_state()),
            by=request.user,
            note=form.cleaned_data["note"],
            on=form.cleaned_data["on"],
        )
    except WorkflowError as exc:  # a refused guard, or a ConflictError naming the new state
        messages.error(request, exc.message)
    else:
        if moved.is_completed:
            messages.success(request, _("议题已办结。"))
        else:
            messages.success(
                request, _("已推进到「%(step)s」。") % {"step": Step(moved.step).label}
            )
    return redirect(matter)


@login_required
@require_POST
def matter_send_back(request, pk):
    matter = _managed_matter(request, pk)
    form = SendBackForm(request.POST, auto_id=BACK_ID)
    if not form.is_valid():
        if form.has_error("step") or form.has_error("status"):
            messages.error(request, _("请刷新页面后重试。"))
            return redirect(matter)
        return _matter_page(request, matter, send_back_form=form, status=400)
    try:
        moved = workflow.matter_send_back(
            workflow.as_seen(matter, form.seen_state()),
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except WorkflowError as exc:  # a refused guard, or a ConflictError naming the new state
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已退回到「%(step)s」。") % {"step": Step(moved.step).label})
    return redirect(matter)


@login_required
@require_POST
def progress_create(request, pk):
    matter = _matter(request, pk)
    if not selectors.can_report_progress(request.user, matter):
        raise PermissionDenied
    form = ProgressForm(request.POST)
    return form_flow(
        request,
        form,
        lambda data: services.record_progress(matter, data["body"], by=request.user),
        success=_("已报送办理进展。"),
        redirect_to=matter,
    ) or _matter_page(request, matter, progress_form=form, status=400)


# --- matter forms ----------------------------------------------------------------------------


@staff_required
def matter_create(request):
    user = request.user
    towns = _editable_towns(user)
    form = MatterForm(
        request.POST or None, towns=towns, initial={"town": clerk_town_id(user)}, user=user
    )
    return form_flow(
        request,
        form,
        lambda data: services.create_matter(data["town"], data, data["proposers"], by=user),
        success=lambda matter: _("已新建议题“%(title)s”。") % {"title": matter.title},
        redirect_to=lambda matter: matter,
    ) or _form_page(request, form, title=_("新建议题"), back=reverse("consultations:board"))


@staff_required
def matter_edit(request, pk):
    matter = _managed_matter(request, pk)
    proposers = list(matter.proposers.all())
    initial = {
        "town": matter.town_id,
        "year": matter.year,
        "title": matter.title,
        "background": matter.background,
        "proposers": [m.pk for m in proposers],
        "proposal": matter.proposal_id,
        "is_annual_topic": matter.is_annual_topic,
    }
    form = MatterForm(
        request.POST or None,
        towns=Town.objects.filter(pk=matter.town_id),
        matter=matter,
        initial=initial,
        version=matter.version,
        user=request.user,
    )

    def save(data):
        chosen = list(data["proposers"])
        # Unchanged proposers are not passed, so a matter whose proposer has since left
        # office can still be corrected.
        changed = {m.pk for m in chosen} != {m.pk for m in proposers}
        return services.update_matter(
            matter, data, chosen if changed else None, by=request.user, version=data["version"]
        )

    return form_flow(request, form, save, success=_("已保存。"), redirect_to=matter) or _form_page(
        request, form, title=_("编辑议题"), back=matter.get_absolute_url(), matter=matter
    )


@staff_required
def matter_register(request, pk):
    matter = _managed_matter(request, pk)
    if request.method == "GET" and (matter.step != Step.PROPOSED or matter.is_completed):
        messages.info(request, _("该议题已立案。"))
        return redirect(matter)
    form = RegistrationForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: workflow.matter_register(
            matter,
            by=request.user,
            registered_on=data["registered_on"],
            number=data["number"],
            note=data["note"],
        ),
        success=lambda m: _("已立案，编号 %(no)s。") % {"no": m.registration_no},
        redirect_to=matter,
    ) or _form_page(
        request,
        form,
        title=_("政协立案"),
        back=matter.get_absolute_url(),
        matter=matter,
        submit=_("立案"),
    )


@staff_required
def matter_assignment(request, pk):
    """Records the assignment and, for a matter at 政协立案, moves it to 政府交办 in the same
    POST (one transaction: both or neither), so that 交办 is one click."""
    matter = _managed_matter(request, pk)
    refused = selectors.assignment_refused(matter)
    if refused:
        messages.info(request, refused)
        return redirect(matter)
    assignments = list(matter.unit_assignments.all())
    lead = next((a.unit_id for a in assignments if a.role == UnitRole.LEAD), None)
    initial = {
        "lead_unit": lead,
        "assisting_units": [a.unit_id for a in assignments if a.role == UnitRole.ASSISTING],
        "task": matter.task,
        "deadline": matter.deadline,
        "assigned_on": matter.assigned_on,
    }
    form = AssignmentForm(request.POST or None, initial=initial)

    def save(data):
        with transaction.atomic():
            saved = services.set_assignment(
                matter,
                lead_unit=data["lead_unit"],
                assisting_units=data["assisting_units"],
                task=data["task"],
                deadline=data["deadline"],
                assigned_on=data["assigned_on"],
                by=request.user,
            )
            if saved.step == Step.REGISTERED and not saved.is_completed:
                return workflow.matter_assign(saved, by=request.user)
        return saved

    at_registered = matter.step == Step.REGISTERED
    return form_flow(
        request,
        form,
        save,
        success=lambda m: (
            _("已交办，议题进入「政府交办」，承办单位已收到通知。")
            if at_registered and m.step == Step.ASSIGNED
            else _("已保存交办信息。")
        ),
        redirect_to=matter,
    ) or _form_page(
        request,
        form,
        title=_("政府交办"),
        back=matter.get_absolute_url(),
        matter=matter,
        submit=_("交办") if at_registered else _("保存"),
    )


@staff_required
def matter_outcome(request, pk):
    matter = _managed_matter(request, pk)
    refused = selectors.outcome_refused(matter)
    if refused:
        messages.info(request, refused)
        return redirect(matter)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "solved": matter.solved,
            "result_summary": matter.result_summary,
        },
    )
    return form_flow(
        request,
        form,
        lambda data: services.set_outcome(matter, data, by=request.user),
        success=_("已保存办理成效。"),
        redirect_to=matter,
    ) or _form_page(
        request, form, title=_("办理成效"), back=matter.get_absolute_url(), matter=matter
    )


# --- livelihood projects (民生实事) ------------------------------------------------------------


def _project(request, pk, project_pk) -> tuple[Matter, LivelihoodProject]:
    matter = _managed_matter(request, pk)
    project = get_object_or_404(
        LivelihoodProject.objects.visible_to(request.user).filter(matter=matter), pk=project_pk
    )
    return matter, project


def _projects_open(request, matter) -> bool:
    refused = selectors.projects_refused(matter)
    if refused:
        messages.info(request, refused)
    return not refused


def _project_data(project: LivelihoodProject) -> dict:
    return {name: getattr(project, name) for name in services.PROJECT_FIELDS}


@staff_required
def project_create(request, pk):
    matter = _managed_matter(request, pk)
    if not _projects_open(request, matter):
        return redirect(matter)
    form = LivelihoodProjectForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: services.add_project(matter, data, by=request.user),
        success=lambda p: _("已录入民生实事“%(title)s”。") % {"title": p.title},
        redirect_to=f"{matter.get_absolute_url()}#projects",
    ) or _form_page(
        request, form, title=_("录入民生实事"), back=matter.get_absolute_url(), matter=matter
    )


@staff_required
def project_edit(request, pk, project_pk):
    matter, project = _project(request, pk, project_pk)
    if not _projects_open(request, matter):
        return redirect(matter)
    form = LivelihoodProjectForm(request.POST or None, initial=_project_data(project))
    return form_flow(
        request,
        form,
        lambda data: services.update_project(project, data, by=request.user),
        success=_("已保存。"),
        redirect_to=f"{matter.get_absolute_url()}#projects",
    ) or _form_page(
        request, form, title=_("编辑民生实事"), back=matter.get_absolute_url(), matter=matter
    )


@staff_required
def project_delete(request, pk, project_pk):
    """GET asks for confirmation; POST deletes."""
    matter, project = _project(request, pk, project_pk)
    if request.method == "POST":
        try:
            services.delete_project(project, by=request.user)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已删除民生实事“%(title)s”。") % {"title": project.title})
        return redirect(f"{matter.get_absolute_url()}#projects")
    return render(
        request,
        "consultations/project_confirm_delete.html",
        {"matter": matter, "project": project},
    )


# --- meetings --------------------------------------------------------------------------------


def _meeting_page(request, *, form, attendance, tasks, title, back, matter=None, meeting=None):
    return render(
        request,
        "consultations/meeting_form.html",
        {
            "form": form,
            "attendance": attendance,
            "tasks": tasks,
            "title": title,
            "back": back,
            "matter": matter,
            "meeting": meeting,
            "existing_tasks": list(meeting.tasks.select_related("unit")) if meeting else [],
        },
    )


def _meeting_data(fields) -> dict:
    return {k: fields[k] for k in ("kind", *services.MEETING_FIELDS) if k in fields}


@staff_required
def meeting_create(request, pk=None):
    """A step meeting of a matter (/matters/<pk>/meetings/new/?kind=…), or a town's 协商工作例会
    or 小微协商 (/meetings/new/?town=…)."""
    user = request.user
    data = request.POST or None
    matter = None
    towns = None
    if pk is not None:
        matter = get_object_or_404(Matter.objects.visible_to(user).select_related("town"), pk=pk)
        if not selectors.can_manage_matter(user, matter):
            raise PermissionDenied
        town = matter.town
        kind = request.GET.get("kind", "")
        if kind not in STEP_MEETING_KINDS:
            kind = matter.step if matter.step in STEP_MEETING_KINDS else ""
        # The matter's units are ticked to begin with: they usually attend its meetings.
        initial = {
            "kind": kind,
            "units": list(matter.unit_assignments.values_list("unit_id", flat=True)),
        }
        back = matter.get_absolute_url()
    else:
        towns = _editable_towns(user)
        chosen = (data or request.GET).get("town", "") or str(clerk_town_id(user) or "")
        town = towns.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if town is None:
            # Towns are searched, not listed: the county may have hundreds.
            town_form = TownSearchForm(user=user)
            town_form.fields["town"].queryset = towns
            return render(request, "consultations/meeting_town_pick.html", {"town_form": town_form})
        initial = {"town": town.pk, "kind": request.GET.get("kind", MeetingKind.REGULAR)}
        back = reverse("consultations:meeting_list")
    form = MeetingForm(data, request.FILES or None, matter=matter, towns=towns, initial=initial)
    attendance = MeetingAttendanceForm(
        data, members=selectors.candidate_attendees(town.pk), prefix="a", user=request.user
    )
    tasks = FollowUpTaskFormSet(data, prefix="t")

    def record(fields):
        return services.record_meeting(
            _meeting_data(fields),
            matter=matter,
            town=fields.get("town") or town,
            attendance=attendance.attendance(),
            units=fields["units"],
            tasks=task_rows(tasks),
            files=fields.get("files") or [],
            by=user,
        )

    # Every part must be valid; evaluated in full so that each shows its own errors.
    parts_valid = data is not None and all([attendance.is_valid(), tasks.is_valid()])
    done = parts_valid and form_flow(
        request,
        form,
        record,
        success=lambda meeting: _("已录入“%(kind)s”会议。") % {"kind": meeting.get_kind_display()},
        redirect_to=lambda meeting: matter or meeting,
    )
    if done:
        return done
    title = _("录入协商会议")
    if matter is not None:
        title = _("录入协商会议：%(title)s") % {"title": matter.title}
    else:
        title = _("录入协商会议：%(town)s") % {"town": town.name}
    return _meeting_page(
        request,
        form=form,
        attendance=attendance,
        tasks=tasks,
        title=title,
        back=back,
        matter=matter,
    )


def _meeting(request, pk, queryset=None) -> ConsultationMeeting:
    qs = queryset if queryset is not None else ConsultationMeeting.objects
    return get_object_or_404(
        qs.visible_to(request.user).select_related("town", "matter", "created_by"), pk=pk
    )


@staff_required
def meeting_edit(request, pk):
    user = request.user
    meeting = _meeting(request, pk)
    require_edit(user, meeting.town_id)
    recorded = dict(meeting.attendances.values_list("member_id", "status"))
    members = Member.objects.filter(
        Q(pk__in=selectors.candidate_attendees(meeting.town_id).values("pk"))
        | Q(pk__in=recorded.keys())
    ).order_by("name_pinyin", "pk")
    data = request.POST or None
    form = MeetingForm(
        data,
        request.FILES or None,
        meeting=meeting,
        version=meeting.version,
        initial={
            "kind": meeting.kind,
            "units": list(meeting.units.values_list("pk", flat=True)),
            **{k: getattr(meeting, k) for k in services.MEETING_FIELDS},
        },
    )
    attendance = MeetingAttendanceForm(
        data,
        members=members,
        initial_status=recorded,
        initial={"planned": not recorded and meeting.date > timezone.localdate()},
        prefix="a",
        user=request.user,
    )
    tasks = FollowUpTaskFormSet(data, prefix="t")

    def update(fields):
        return services.update_meeting(
            meeting,
            _meeting_data(fields),
            attendance=attendance.attendance(),
            units=fields["units"],
            new_tasks=task_rows(tasks),
            files=fields.get("files") or [],
            by=user,
            version=fields["version"],
        )

    parts_valid = data is not None and all([attendance.is_valid(), tasks.is_valid()])
    done = parts_valid and form_flow(
        request, form, update, success=_("已保存。"), redirect_to=meeting
    )
    if done:
        return done
    return _meeting_page(
        request,
        form=form,
        attendance=attendance,
        tasks=tasks,
        title=_("编辑协商会议"),
        back=meeting.get_absolute_url(),
        matter=meeting.matter,
        meeting=meeting,
    )


@reader_required
def meeting_detail(request, pk):
    user = request.user
    meeting = _meeting(request, pk, selectors.meetings_with_counts(ConsultationMeeting.objects))
    context = {
        "meeting": meeting,
        "attendances": list(selectors.attendance_members(meeting)),
        "units": list(meeting.units.order_by("name")),
        "tasks": list(meeting.tasks.select_related("unit")),
        "files": list(meeting.files.all()),
        "today": timezone.localdate(),
        "can_edit": can_edit_town_records(user, meeting.town_id),
        "history": object_history(meeting) if is_staff_like(user) else None,
        "show_history": is_staff_like(user),
    }
    return render(request, "consultations/meeting_detail.html", context)


PER_PAGE = 30


def _yes(value) -> str:
    return _("是") if value else _("否")


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


# --- the matter list beside the board ------------------------------------------------------------


def _matter_filter(request) -> MatterListFilter:
    visible = Matter.objects.visible_to(request.user)
    years = sorted(set(visible.order_by().values_list("year", flat=True).distinct()), reverse=True)
    return MatterListFilter(
        request.GET,
        queryset=selectors.matter_list_queryset(request.user),
        request=request,
        years=years,
    )


def _matter_status(matter) -> str:
    parts = [str(MatterStatus(matter.status).label)]
    if matter.stalled:
        parts.append(_("停滞"))
    if matter.overdue:
        parts.append(_("已逾期"))
    return "、".join(parts)


@staff_required
def matter_list(request):
    """The year's matters as a table beside the board: filtered, sorted and paged; the flags
    are worked out for the rows of the page only."""

    def context() -> dict:
        filterset = _matter_filter(request)
        page = _page(request, filterset.sorted_qs())
        page.object_list = selectors.mark_flags(page.object_list)
        for matter in page.object_list:
            matter.status_text = _matter_status(matter)
        return {
            "filter": filterset,
            "page_obj": page,
            "sort": filterset.chosen_sort(),
            "sorts": [
                ("town", _("镇街")),
                ("title", _("事项")),
                ("step", _("当前步骤")),
                ("days", _("在本步天数")),
                ("deadline", _("办理期限")),
            ],
            "can_create": _may_create(request.user),
        }

    return kept_list(
        request,
        "matter-list",
        "consultations/matter_list.html",
        "consultations/_matter_list_body.html",
        context,
    )


MATTER_COLUMNS = (
    Column(_("年度"), 8),
    Column(_("镇街"), 12),
    Column(_("事项"), 36),
    Column(_("立案编号"), 12, text=True),
    Column(_("当前步骤"), 10),
    Column(_("在本步天数"), 10),
    Column(_("办理期限"), 12),
    Column(_("牵头单位"), 20),
    Column(_("状态"), 16),
)


@staff_required
def matter_list_export(request):
    filterset = _matter_filter(request)
    matters = selectors.mark_flags(filterset.sorted_qs())
    rows = (
        (
            m.year,
            m.town.name,
            m.title,
            m.registration_no,
            m.state_label,
            "" if m.is_completed else m.days_in_step,
            m.deadline.isoformat() if m.deadline else "",
            m.lead_unit_name or "",
            _matter_status(m),
        )
        for m in matters
    )
    return xlsx_response(_("一镇一事"), MATTER_COLUMNS, rows)


# --- meetings -----------------------------------------------------------------------------------


def _meeting_filter(request, *, counted: bool = False) -> MeetingListFilter:
    return MeetingListFilter(
        request.GET,
        queryset=selectors.meeting_list_queryset(request.user, counted=counted).order_by(
            "-date", "-id"
        ),
        request=request,
    )


@staff_required
def meeting_list(request):
    def context() -> dict:
        filterset = _meeting_filter(request)
        matter = None
        matter_id = filterset.form.cleaned_data.get("matter") if filterset.is_valid() else None
        if matter_id:
            matter = Matter.objects.visible_to(request.user).filter(pk=matter_id).first()
        page = _page(request, filterset.qs)
        page.object_list = selectors.attach_meeting_counts(page.object_list)
        return {
            "filter": filterset,
            "page_obj": page,
            "matter": matter,
            "can_create": _may_create(request.user),
        }

    return kept_list(
        request,
        "meeting-list",
        "consultations/meeting_list.html",
        "consultations/_meeting_list_body.html",
        context,
    )


MEETING_COLUMNS = (
    Column(_("协商日期"), 12),
    Column(_("镇街"), 12),
    Column(_("协商类型"), 12),
    Column(_("协商主题"), 28),
    Column(_("议题"), 28),
    Column(_("协商地点"), 24),
    Column(_("出席委员"), 9),
    Column(_("请假"), 7),
    Column(_("缺席"), 7),
    Column(_("参加干部"), 9),
    Column(_("参加群众"), 9),
    Column(_("协商意见"), 40),
)


@staff_required
def meeting_list_export(request):
    rows = (
        (
            m.date.isoformat(),
            m.town.name,
            m.get_kind_display(),
            m.title,
            m.matter.title if m.matter_id else "",
            m.place,
            m.present_count,
            m.leave_count,
            m.absent_count,
            m.officials_count,
            m.residents_count,
            m.agreed,
        )
        for m in _meeting_filter(request, counted=True).qs
    )
    return xlsx_response(_("协商会议"), MEETING_COLUMNS, rows)


# --- follow-up tasks ----------------------------------------------------------------------------


def _task_filter(request) -> TaskListFilter:
    return TaskListFilter(
        request.GET, queryset=selectors.task_list_queryset(request.user), request=request
    )


def _task_state(task, today) -> str:
    state = selectors.due_state(task.due_on, done=task.done_on is not None, today=today)
    return {
        "done": _("已完成"),
        "overdue": _("已逾期"),
    }.get(state, _("未完成"))


@reader_required
def task_list(request):
    filterset = _task_filter(request)
    page = _page(request, filterset.qs)
    today = timezone.localdate()
    for task in page.object_list:
        task.due_state = selectors.due_state(
            task.due_on, done=task.done_on is not None, today=today
        )
        task.can_mark = selectors.can_mark_task_done(request.user, task)
    context = {"filter": filterset, "page_obj": page, "today": today}
    return render(request, "consultations/task_list.html", context)


TASK_COLUMNS = (
    Column(_("后续任务"), 36),
    Column(_("镇街"), 12),
    Column(_("协商会议"), 28),
    Column(_("会议日期"), 12),
    Column(_("议题"), 28),
    Column(_("责任单位"), 20),
    Column(_("责任人"), 16),
    Column(_("完成时限"), 12),
    Column(_("状态"), 10),
    Column(_("完成日期"), 12),
    Column(_("完成情况"), 36),
)


@reader_required
def task_list_export(request):
    today = timezone.localdate()
    rows = (
        (
            t.description,
            t.meeting.town.name,
            t.meeting.title,
            t.meeting.date.isoformat(),
            t.meeting.matter.title if t.meeting.matter_id else "",
            t.unit.name if t.unit_id else "",
            t.owner,
            t.due_on.isoformat(),
            _task_state(t, today),
            t.done_on.isoformat() if t.done_on else "",
            t.done_note,
        )
        for t in _task_filter(request).qs
    )
    return xlsx_response(_("后续任务"), TASK_COLUMNS, rows)


@reader_required
@require_POST
def task_done(request, pk):
    """标记完成 with a note (the unit's home, the task list, the meeting page), or, for the
    office and the town clerk, 撤销 (undo=1). A unit's login finds only its own unit's tasks."""
    user = request.user
    task = get_object_or_404(FollowUpTask.objects.visible_to(user).select_related("meeting"), pk=pk)
    undo = request.POST.get("undo") == "1"
    if undo and not can_edit_town_records(user, task.meeting.town_id):
        raise PermissionDenied
    if not undo and not selectors.can_mark_task_done(user, task):
        raise PermissionDenied
    try:
        if undo:
            services.set_task_done(task, done_on=None, by=user)
        else:
            services.mark_task_done(task, note=request.POST.get("note", ""), by=user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销完成标记。") if undo else _("已标记完成。"))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    if not is_staff_like(user):
        return redirect("proposals:unit_home")
    return redirect(task.meeting)


@login_required
def meeting_file(request, pk):
    """A photo or file of a consultation meeting, for whoever may see the meeting (404 for
    anyone else); `?size=thumb` gives a photo's thumbnail."""
    attached = get_object_or_404(
        MeetingFile.objects.filter(
            meeting__in=ConsultationMeeting.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    return serve_file(request, attached.file, attached.original_name)
