"""The office's studio pages. Each view finds its object through `visible_to` (404 when the
person may not see it), checks the right to change it with selectors.require_edit, validates a
form and calls one service or workflow function; a WorkflowError becomes a form error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cppcc.audit import object_history
from cppcc.files import serve_file
from cppcc.navigation import kept_list, kept_render
from cppcc.roles import can_edit_county, clerk_town_id, is_countywide
from cppcc.views import allowed_if, form_flow, staff_required
from cppcc.workflow import WorkflowError
from members.models import Member

from . import exports, selectors, services, workflow
from .filters import (
    ActivityFilter,
    ContactPairFilter,
    PartyGroupFilter,
    ProblemFilter,
    StudioFilter,
)
from .forms import (
    ActivityForm,
    AssignMembersForm,
    AttendanceForm,
    ContactPairForm,
    ContactRecordForm,
    DutyForm,
    HonoraryHeadForm,
    OfficerForm,
    PartyGroupForm,
    PlaceMemberForm,
    PlaceMembersForm,
    ProblemForm,
    ReopenForm,
    SolveForm,
    StudioForm,
    TownForm,
    VillageForm,
)
from .models import (
    Activity,
    ActivityAttendance,
    ActivityFile,
    ContactPair,
    DutyShift,
    HonoraryVillageHead,
    MembershipRole,
    PartyGroup,
    Problem,
    ProblemStatus,
    Studio,
    StudioKind,
    StudioMembership,
    Town,
    Village,
)

# Creating studios and placing members: admin and office staff only.
office_required = allowed_if(can_edit_county)


def _form_page(
    request, form, *, title, back, studio=None, submit=None, multipart=False, extra=None
):
    context = {
        "form": form,
        "title": title,
        "back": back if back.startswith("/") else reverse(back),
        "studio": studio,
        "submit": submit or _("保存"),
        "multipart": multipart,
    }
    context.update(extra or {})
    return render(request, "studios/form.html", context)


def _studio(request, pk) -> Studio:
    return get_object_or_404(Studio.objects.visible_to(request.user).select_related("town"), pk=pk)


def _editable_studio(request, pk) -> Studio:
    studio = _studio(request, pk)
    selectors.require_edit(request.user, studio.town_id)
    return studio


# --- studio list and page --------------------------------------------------------------------


def _filtered(filterset_class, request, qs):
    """(filterset, rows): the page and its export share this. Bad input (a town outside the
    person's scope, an impossible date) lists nothing and the form shows why."""
    filterset = filterset_class(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, qs.none()
    return filterset, filterset.qs


def _studios(request, *, counted: bool):
    year = timezone.localdate().year
    # Town studios first ("town" sorts after "sector"), in the office's town order.
    qs = (
        Studio.objects.visible_to(request.user)
        .select_related("town", "leader", "party_group", "party_group__leader")
        .order_by("-kind", "town__order", "name")
    )
    if counted:
        # The export lists every row with its counts; the page counts its own rows only.
        qs = selectors.with_studio_counts(qs, year)
    filterset, rows = _filtered(StudioFilter, request, qs)
    return filterset, rows, year


STUDIOS_PER_PAGE = 25


@staff_required
def studio_list(request):
    # A page of the list is the same from one visit to the next until a record changes: its
    # counts and 25 rows of rendering (issue 13).
    return kept_list(
        request,
        "studios-list",
        "studios/studio_list.html",
        "studios/_studio_list_body.html",
        lambda: _studio_list_context(request),
    )


def _studio_list_context(request) -> dict:
    user = request.user
    filterset, rows, year = _studios(request, counted=False)
    # The paginator counts the filtered rows, unannotated; the counts are for the page only.
    page = Paginator(rows, STUDIOS_PER_PAGE).get_page(request.GET.get("page"))
    studios = selectors.attach_studio_counts(page.object_list, year)
    for studio in studios:
        studio.size_flag = selectors.size_flag(studio)
    page.object_list = studios
    low, high = selectors.town_studio_size()
    unassigned = None
    if is_countywide(user):
        unassigned = selectors.unassigned_members().count()
    context = {
        "studios": studios,
        "page_obj": page,
        "filter": filterset,
        "year": year,
        "size_low": low,
        "size_high": high,
        "unassigned": unassigned,
        "can_create": can_edit_county(user),
    }
    return context


@staff_required
def studio_list_export(request):
    _filterset, rows, year = _studios(request, counted=True)
    return exports.studios(rows, year)


@staff_required
def studio_detail(request, pk):
    user = request.user
    studio = get_object_or_404(
        Studio.objects.visible_to(user).select_related(
            "town", "town__united_front_officer", "leader"
        ),
        pk=pk,
    )
    # The page reads a dozen lists of the studio (issue 13): kept per viewer and day until a
    # record changes. It holds no form that posts.
    body = kept_render(
        request,
        f"studio:{studio.pk}",
        "studios/_studio_detail_body.html",
        lambda: _studio_context(request, studio),
    )
    return render(request, "studios/studio_detail.html", {"studio": studio, "body": body})


def _studio_context(request, studio: Studio) -> dict:
    user = request.user
    today = timezone.localdate()
    memberships = list(selectors.current_memberships(studio))
    group = selectors.party_groups_with_branch(PartyGroup.objects.filter(studio=studio)).first()
    party_members = [m.member for m in memberships if m.member.is_party_member]
    activities = list(
        selectors.with_attendance_counts(Activity.objects.filter(studio=studio)).order_by(
            "-date", "-id"
        )[:30]
    )
    problems = list(
        Problem.objects.filter(studio=studio)
        .select_related("village")
        .prefetch_related("followers")
        .order_by("status", "-raised_on", "-id")[:50]
    )
    problem_counts = dict(
        Problem.objects.filter(studio=studio)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    duties = list(
        DutyShift.objects.filter(studio=studio, date__gte=today - timezone.timedelta(days=30))
        .select_related("member")
        .order_by("date")[:40]
    )
    heads = list(selectors.honorary_heads_for(studio).order_by("-start_on")[:30])
    context = {
        "studio": studio,
        "core": [m for m in memberships if m.role == MembershipRole.CORE],
        "linked": [m for m in memberships if m.role == MembershipRole.LINKED],
        "town_members": [m for m in memberships if m.role == MembershipRole.MEMBER],
        "member_count": len(memberships),
        "group": group,
        "party_members": party_members,
        "activities": activities,
        "problems": problems,
        "open_count": problem_counts.get(ProblemStatus.OPEN, 0)
        + problem_counts.get(ProblemStatus.IN_HAND, 0),
        "solved_count": problem_counts.get(ProblemStatus.SOLVED, 0),
        "duties": duties,
        "heads": heads,
        "today": today,
        "can_edit": selectors.can_edit_town_records(user, studio.town_id),
        "can_assign": can_edit_county(user),
        "history": object_history(studio),
    }
    return context


@office_required
def studio_create(request):
    form = StudioForm(request.POST or None, user=request.user)
    return form_flow(
        request,
        form,
        lambda data: services.create_studio(data, by=request.user),
        success=lambda studio: _("已创建工作室“%(name)s”。") % {"name": studio.name},
        redirect_to=lambda studio: studio,
    ) or _form_page(request, form, title=_("新建委员工作室"), back="studios:list")


@staff_required
def studio_edit(request, pk):
    studio = _editable_studio(request, pk)
    clerk = not can_edit_county(request.user)
    form = StudioForm(request.POST or None, instance=studio, user=request.user, clerk=clerk)
    return form_flow(
        request,
        form,
        lambda data: services.update_studio(studio, data, by=request.user),
        success=_("已保存。"),
        redirect_to=studio,
    ) or _form_page(
        request, form, title=_("编辑工作室"), back=studio.get_absolute_url(), studio=studio
    )


ASSIGN_PER_PAGE = 50


@office_required
def assign(request):
    """Bulk assignment: tick members (optionally only those without a town studio), pick the
    studio, role and term. Moving between town studios is allowed and recorded (services)."""
    user = request.user
    only_unassigned = request.GET.get("unassigned") == "1"
    members = (
        Member.objects.visible_to(user)
        .active()
        .select_related("sector")
        .order_by("name_pinyin", "pk")
    )
    if only_unassigned:
        members = members.filter(pk__in=selectors.unassigned_members().values("pk"))
    q = request.GET.get("q", "").strip()
    if q:
        members = members.filter(
            Q(name__contains=q) | Q(name_initials__istartswith=q) | Q(employer__contains=q)
        )
    studios = Studio.objects.visible_to(user).select_related("town")
    initial = {}
    if request.GET.get("studio", "").isdigit():
        initial["studio"] = int(request.GET["studio"])
        chosen = studios.filter(pk=initial["studio"]).first()
        if chosen is not None and chosen.kind == StudioKind.SECTOR:
            initial["role"] = MembershipRole.CORE
    form = AssignMembersForm(
        request.POST or None, studios=studios, members=members, initial=initial
    )
    done = form_flow(
        request,
        form,
        lambda data: services.assign_members(
            data["studio"], data["members"], role=data["role"], term=data["term"], by=user
        ),
        success=lambda n: (
            _("已分配 %(n)d 名委员到%(studio)s。") % {"n": n, "studio": form.cleaned_data["studio"]}
        ),
        redirect_to=lambda n: form.cleaned_data["studio"],
    )
    if done:
        return done
    # One page of the filtered members: the county's whole register on one page grew with it.
    page = Paginator(members, ASSIGN_PER_PAGE).get_page(request.GET.get("page"))
    ticked = {str(v) for v in form["members"].value() or ()}
    current = dict(
        StudioMembership.objects.filter(
            is_town_studio=True, end_on__isnull=True, member__in=list(page.object_list)
        ).values_list("member_id", "studio__name")
    )
    # Each member with their current town studio, so a move is visible before it is made.
    rows = [(m, str(m.pk) in ticked, current.get(m.pk)) for m in page.object_list]
    return render(
        request,
        "studios/assign.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page,
            "only_unassigned": only_unassigned,
            "q": q,
        },
    )


@office_required
@require_POST
def members_place(request):
    """The member list's bulk action "分配到工作室": members.views forwards its POST here (ids,
    studio, role, term, next), so the list keeps its one-click action while the placing, and
    the studios import, stay on this side."""
    user = request.user
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("members:list")
    form = PlaceMembersForm(
        request.POST,
        studios=Studio.objects.visible_to(user),
        members=Member.objects.visible_to(user),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        changed = services.assign_members(
            data["studio"], data["ids"], role=data["role"], term=data["term"], by=user
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已分配到%(studio)s：%(n)d 名委员有变动。")
            % {"n": changed, "studio": data["studio"]},
        )
    return redirect(back)


@staff_required
def member_place(request, member_pk):
    """Places one member in a studio from the member's page. Office staff choose among every
    studio; a town clerk only among their own town's (a studio outside it is an invalid choice)."""
    user = request.user
    if not (can_edit_county(user) or clerk_town_id(user) is not None):
        raise PermissionDenied
    member = get_object_or_404(Member.objects.visible_to(user), pk=member_pk)
    studios = Studio.objects.visible_to(user).select_related("town").order_by("-kind", "name")
    form = PlaceMemberForm(request.POST or None, studios=studios)

    def place(data):
        return services.assign_members(
            data["studio"], [member], role=data["role"], term=data["term"], by=user
        )

    return form_flow(
        request,
        form,
        place,
        success=lambda n: (
            (_("已将%(name)s放入%(studio)s。") if n else _("%(name)s已在%(studio)s，未作变动。"))
            % {"name": member.name, "studio": form.cleaned_data["studio"].name}
        ),
        redirect_to=member,
    ) or _form_page(
        request,
        form,
        title=_("放入工作室：%(name)s") % {"name": member.name},
        back=member.get_absolute_url(),
        submit=_("放入"),
        extra={
            "current": list(
                member.studio_memberships.filter(end_on__isnull=True).select_related("studio")
            )
        },
    )


@staff_required
@require_POST
def membership_end(request, pk):
    membership = get_object_or_404(
        StudioMembership.objects.visible_to(request.user).select_related("studio", "member"), pk=pk
    )
    if not can_edit_county(request.user):
        raise PermissionDenied
    try:
        services.end_membership(membership, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s已移出工作室。") % {"name": membership.member.name})
    return redirect(membership.studio)


# --- activities ------------------------------------------------------------------------------


def _activities(request, *, counted: bool = False):
    qs = selectors.activity_list_queryset(
        Activity.objects.visible_to(request.user), counted=counted
    )
    return _filtered(ActivityFilter, request, qs)


@staff_required
def activity_list(request):
    """Every activity the person may see, county-wide for the office; totals over all the
    filtered rows by aggregate, the rows themselves paged and their attendance counted for the
    page only."""

    def context() -> dict:
        filterset, rows = _activities(request)
        totals = selectors.activity_totals(rows)
        paginator = Paginator(rows, 50)
        # The totals counted the same rows: the paginator need not COUNT them again.
        paginator.count = totals["activities"]
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.attach_activity_counts(page.object_list)
        return {"page_obj": page, "filter": filterset, "totals": totals}

    return kept_list(
        request,
        "activity-list",
        "studios/activity_list.html",
        "studios/_activity_list_body.html",
        context,
    )


@staff_required
def activity_list_export(request):
    _filterset, rows = _activities(request, counted=True)
    return exports.activities(rows)


@staff_required
def activity_create(request, pk):
    studio = _editable_studio(request, pk)
    memberships = list(selectors.current_memberships(studio))
    data = request.POST or None
    form = ActivityForm(data, request.FILES or None)
    attendance = AttendanceForm(data, memberships=memberships, prefix="a")

    def record(fields):
        marks = attendance.attendance()
        # A planned activity (date still ahead) is saved without attendance.
        if fields["date"] > timezone.localdate():
            marks = {}
        return services.record_activity(
            studio, fields, marks, fields.get("files") or [], by=request.user
        )

    # Both forms must be valid; an unbound attendance form (a GET) is not.
    done = attendance.is_valid() and form_flow(
        request,
        form,
        record,
        success=lambda activity: _("已录入活动“%(title)s”。") % {"title": activity.title},
        redirect_to=lambda activity: activity,
    )
    if done:
        return done
    return render(
        request,
        "studios/activity_form.html",
        {"form": form, "attendance": attendance, "studio": studio, "title": _("录入活动")},
    )


@staff_required
def activity_edit(request, pk):
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("studio"), pk=pk
    )
    studio = activity.studio
    selectors.require_edit(request.user, studio.town_id)
    recorded = dict(activity.attendances.values_list("member_id", "status"))
    memberships = list(selectors.current_memberships(studio))
    data = request.POST or None
    form = ActivityForm(data, request.FILES or None, instance=activity)
    attendance = AttendanceForm(data, memberships=memberships, initial_status=recorded, prefix="a")

    def update(fields):
        marks = attendance.attendance() if fields["date"] <= timezone.localdate() else {}
        services.update_activity(
            activity,
            fields,
            marks,
            fields.get("files") or [],
            by=request.user,
            version=fields["version"],
        )

    done = attendance.is_valid() and form_flow(
        request, form, update, success=_("已保存。"), redirect_to=activity
    )
    if done:
        return done
    return render(
        request,
        "studios/activity_form.html",
        {
            "form": form,
            "attendance": attendance,
            "studio": studio,
            "activity": activity,
            "title": _("编辑活动"),
        },
    )


@staff_required
def activity_detail(request, pk):
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).select_related(
            "studio", "studio__town", "created_by"
        ),
        pk=pk,
    )
    attendances = list(
        ActivityAttendance.objects.filter(activity=activity)
        .select_related("member")
        .order_by("status", "member__name_pinyin")
    )
    totals = selectors.attendance_totals(activity)
    context = {
        "activity": activity,
        "attendances": attendances,
        "totals": totals,
        "files": list(activity.files.all()),
        "can_edit": selectors.can_edit_town_records(request.user, activity.studio.town_id),
        "history": object_history(activity),
    }
    return render(request, "studios/activity_detail.html", context)


# --- problems --------------------------------------------------------------------------------


def _problems(request):
    qs = selectors.problem_list_queryset(Problem.objects.visible_to(request.user))
    return _filtered(ProblemFilter, request, qs)


@staff_required
def problem_list(request):
    filterset, rows = _problems(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "studios/problem_list.html", {"page_obj": page, "filter": filterset})


@staff_required
def problem_list_export(request):
    _filterset, rows = _problems(request)
    return exports.problems(rows)


@staff_required
def problem_create(request, pk):
    studio = _editable_studio(request, pk)
    form = ProblemForm(request.POST or None, studio=studio)
    return form_flow(
        request,
        form,
        lambda data: services.create_problem(studio, data, data["followers"], by=request.user),
        success=_("已登记民生问题。"),
        redirect_to=lambda problem: problem,
    ) or _form_page(
        request, form, title=_("登记民生问题"), back=studio.get_absolute_url(), studio=studio
    )


@staff_required
def problem_edit(request, pk):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("studio"), pk=pk
    )
    selectors.require_edit(request.user, problem.studio.town_id)
    form = ProblemForm(request.POST or None, instance=problem, studio=problem.studio)
    return form_flow(
        request,
        form,
        lambda data: services.update_problem(problem, data, data["followers"], by=request.user),
        success=_("已保存。"),
        redirect_to=problem,
    ) or _form_page(
        request,
        form,
        title=_("编辑民生问题"),
        back=problem.get_absolute_url(),
        studio=problem.studio,
    )


def _problem_page(request, problem, solve_form=None, reopen_form=None, status=200):
    context = {
        "problem": problem,
        "followers": list(problem.followers.all()),
        "can_edit": selectors.can_edit_town_records(request.user, problem.studio.town_id),
        "solve_form": solve_form or SolveForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "history": object_history(problem),
    }
    return render(request, "studios/problem_detail.html", context, status=status)


@staff_required
def problem_detail(request, pk):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related(
            "studio", "studio__town", "village"
        ),
        pk=pk,
    )
    return _problem_page(request, problem)


def _editable_problem(request, pk) -> Problem:
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related(
            "studio", "studio__town", "village"
        ),
        pk=pk,
    )
    selectors.require_edit(request.user, problem.studio.town_id)
    return problem


@staff_required
@require_POST
def problem_take(request, pk):
    problem = _editable_problem(request, pk)
    try:
        workflow.problem_take(problem, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已标记为办理中。"))
    return redirect(problem)


@staff_required
@require_POST
def problem_solve(request, pk):
    problem = _editable_problem(request, pk)
    form = SolveForm(request.POST)
    return form_flow(
        request,
        form,
        lambda data: workflow.problem_solve(
            problem, solved_on=data["solved_on"], resolution=data["resolution"], by=request.user
        ),
        success=_("已标记为已解决。"),
        redirect_to=problem,
    ) or _problem_page(request, problem, solve_form=form, status=400)


@staff_required
@require_POST
def problem_reopen(request, pk):
    problem = _editable_problem(request, pk)
    form = ReopenForm(request.POST)
    return form_flow(
        request,
        form,
        lambda data: workflow.problem_reopen(problem, reason=data["reason"], by=request.user),
        success=_("已重新办理。"),
        redirect_to=problem,
    ) or _problem_page(request, problem, reopen_form=form, status=400)


# --- duty rota, honorary heads, Party group --------------------------------------------------


@staff_required
def duty(request, pk):
    studio = _editable_studio(request, pk)
    form = DutyForm(request.POST or None, studio=studio)
    done = form_flow(
        request,
        form,
        lambda data: services.assign_duty(
            studio, data["member"], data["date"], note=data["note"], by=request.user
        ),
        success=_("已排班。"),
        redirect_to=reverse("studios:duty", kwargs={"pk": studio.pk}),
    )
    if done:
        return done
    shifts = DutyShift.objects.filter(studio=studio, date__gte=timezone.localdate()).select_related(
        "member"
    )
    return _form_page(
        request,
        form,
        title=_("驻站值日排班"),
        back=studio.get_absolute_url(),
        studio=studio,
        submit=_("排班"),
        extra={"shifts": shifts},
    )


@staff_required
@require_POST
def duty_remove(request, pk):
    shift = get_object_or_404(
        DutyShift.objects.visible_to(request.user).select_related("studio"), pk=pk
    )
    selectors.require_edit(request.user, shift.studio.town_id)
    services.remove_duty(shift, by=request.user)
    messages.success(request, _("已取消该值日。"))
    return redirect("studios:duty", pk=shift.studio_id)


@staff_required
def head_create(request, pk):
    studio = _editable_studio(request, pk)
    form = HonoraryHeadForm(request.POST or None, studio=studio)
    return form_flow(
        request,
        form,
        lambda data: services.create_honorary_head(data, by=request.user),
        success=_("已登记名誉村主任。"),
        redirect_to=studio,
    ) or _form_page(
        request, form, title=_("登记名誉村主任"), back=studio.get_absolute_url(), studio=studio
    )


@staff_required
def head_edit(request, pk, head_pk):
    studio = _editable_studio(request, pk)
    head = get_object_or_404(HonoraryVillageHead.objects.visible_to(request.user), pk=head_pk)
    form = HonoraryHeadForm(request.POST or None, instance=head, studio=studio)
    return form_flow(
        request,
        form,
        lambda data: services.update_honorary_head(head, data, by=request.user),
        success=_("已保存。"),
        redirect_to=studio,
    ) or _form_page(
        request, form, title=_("编辑名誉村主任"), back=studio.get_absolute_url(), studio=studio
    )


def _party_groups(request):
    qs = selectors.party_group_list_queryset(PartyGroup.objects.visible_to(request.user))
    return _filtered(PartyGroupFilter, request, qs)


@staff_required
def party_group_list(request):
    filterset, rows = _party_groups(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "studios/party_group_list.html", {"page_obj": page, "filter": filterset})


@staff_required
def party_group_list_export(request):
    _filterset, rows = _party_groups(request)
    return exports.party_groups(rows)


@staff_required
def party_group(request, pk):
    """Creates the studio's Party group, or changes its leader."""
    studio = _editable_studio(request, pk)
    group = PartyGroup.objects.filter(studio=studio).first()
    form = PartyGroupForm(
        request.POST or None,
        studio=studio,
        creating=group is None,
        initial={
            "leader": group.leader_id
            if group
            else studio.town and studio.town.united_front_officer_id
        },
    )

    def save(data):
        if group is None:
            services.create_party_group(
                studio,
                data["leader"],
                name=data.get("name", ""),
                founded_on=data.get("founded_on"),
                by=request.user,
            )
        else:
            services.change_party_group_leader(group, data["leader"], by=request.user)

    done = form_flow(request, form, save, success=_("党小组已保存。"), redirect_to=studio)
    if done:
        return done
    title = _("成立党小组") if group is None else _("更换党小组组长")
    return _form_page(request, form, title=title, back=studio.get_absolute_url(), studio=studio)


# --- towns, villages, contact pairs ----------------------------------------------------------


@staff_required
def town_list(request):
    towns = (
        Town.objects.visible_to(request.user)
        .select_related("united_front_officer")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("name")))
        .annotate(village_count=Count("villages", distinct=True))
    )
    return render(
        request,
        "studios/town_list.html",
        {
            "towns": towns,
            "can_create": can_edit_county(request.user),
            "clerk_town": clerk_town_id(request.user),
        },
    )


@office_required
def town_create(request):
    form = TownForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: services.create_town(data, by=request.user),
        success=_("已添加镇街。"),
        redirect_to="studios:towns",
    ) or _form_page(request, form, title=_("添加镇街"), back="studios:towns")


@office_required
def town_edit(request, pk):
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=pk)
    form = TownForm(request.POST or None, instance=town)
    return form_flow(
        request,
        form,
        lambda data: services.update_town(town, data, by=request.user),
        success=_("已保存。"),
        redirect_to="studios:towns",
    ) or _form_page(request, form, title=_("编辑镇街"), back="studios:towns")


@staff_required
def village_create(request, pk):
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=pk)
    selectors.require_edit(request.user, town.pk)
    form = VillageForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: services.create_village(town, data, by=request.user),
        success=_("已添加村/社区。"),
        redirect_to="studios:towns",
    ) or _form_page(
        request, form, title=_("添加村/社区：%(town)s") % {"town": town.name}, back="studios:towns"
    )


@staff_required
def town_officer(request, pk):
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=pk)
    selectors.require_edit(request.user, town.pk)
    form = OfficerForm(
        request.POST or None, town=town, initial={"member": town.united_front_officer_id}
    )
    return form_flow(
        request,
        form,
        lambda data: services.set_united_front_officer(town, data["member"], by=request.user),
        success=_("已设置统战委员。"),
        redirect_to="studios:towns",
    ) or _form_page(
        request, form, title=_("设置统战委员：%(town)s") % {"town": town.name}, back="studios:towns"
    )


def _contact_pairs(request):
    qs = selectors.contact_pair_list_queryset(ContactPair.objects.visible_to(request.user))
    return _filtered(ContactPairFilter, request, qs)


@staff_required
def contact_list_export(request):
    _filterset, rows = _contact_pairs(request)
    return exports.contact_pairs(rows)


@staff_required
def contact_list(request):
    user = request.user
    filterset, pairs = _contact_pairs(request)
    editable = can_edit_county(user) or clerk_town_id(user) is not None
    pair_form = ContactPairForm(members=Member.objects.visible_to(user))
    record_form = ContactRecordForm(
        pairs=ContactPair.objects.visible_to(user).select_related(
            "party_member", "non_party_member"
        )
    )
    if request.method == "POST" and editable:
        if request.POST.get("form") == "pair":
            pair_form = ContactPairForm(request.POST, members=Member.objects.visible_to(user))
            done = form_flow(
                request,
                pair_form,
                lambda data: _create_contact_pair(user, data),
                success=_("已建立联系对子。"),
                redirect_to="studios:contacts",
            )
        else:
            record_form = ContactRecordForm(
                request.POST, pairs=ContactPair.objects.visible_to(user)
            )
            done = form_flow(
                request,
                record_form,
                lambda data: _add_contact_record(user, data),
                success=_("已记录联系情况。"),
                redirect_to="studios:contacts",
            )
        if done:
            return done
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filter": filterset,
        "pair_form": pair_form,
        "record_form": record_form,
        "editable": editable,
    }
    return render(request, "studios/contact_list.html", context)


def _create_contact_pair(user, data) -> None:
    term = selectors.current_term()
    _require_contact_edit(user, data["party_member"])
    if term is None:
        raise WorkflowError(_("尚未设置本届届次。"))
    services.create_contact_pair(
        data["party_member"], data["non_party_member"], term=term, since=data["since"], by=user
    )


def _add_contact_record(user, data) -> None:
    _require_contact_edit(user, data["pair"].party_member)
    services.add_contact_record(
        data["pair"], date=data["date"], way=data["way"], content=data["content"], by=user
    )


def _require_contact_edit(user, party_member) -> None:
    """A town clerk keeps the pairs whose Party member sits in their town's studio."""
    if can_edit_county(user):
        return
    town_id = clerk_town_id(user)
    in_town = StudioMembership.objects.filter(
        member=party_member, studio__town_id=town_id, end_on__isnull=True
    ).exists()
    if not in_town:
        raise WorkflowError(_("只能为本镇街工作室的党员委员建立联系对子。"))


# --- files -----------------------------------------------------------------------------------


@login_required
def activity_file(request, pk):
    """A photo or file of an activity, for whoever may see the activity (404 for anyone else);
    `?size=thumb` gives a photo's thumbnail."""
    attached = get_object_or_404(
        ActivityFile.objects.filter(activity__in=Activity.objects.visible_to(request.user)), pk=pk
    )
    return serve_file(request, attached.file, attached.original_name)
