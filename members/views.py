"""Office pages of the member register, and the member's own correction form.

Each view: the access selector (Member.objects.visible_to) -> form -> one service or workflow
call -> render or redirect. A record outside a person's scope is 404; a write by someone who
may only read is 403.
"""

import base64
import io
import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cppcc.audit import object_history
from cppcc.exports import XLSX, Column, attachment, dated_name, xlsx_response
from cppcc.files import serve_file
from cppcc.navigation import kept_list
from cppcc.roles import Role, has_role
from cppcc.views import allowed_if, form_flow, staff_required
from cppcc.workflow import WorkflowError

from . import importing, selectors, services, workflow
from .filters import MemberFilter, SessionFilter
from .forms import (
    BulkForm,
    ChangeRequestForm,
    ImportForm,
    LeaveDecisionForm,
    LeaveForm,
    LeaveRequestForm,
    MemberForm,
    ReviewForm,
    SessionAttendanceForm,
    SessionForm,
)
from .masking import mask_history, mask_mobile, sensitive_values
from .models import (
    ChangeRequestStatus,
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberChangeRequest,
    MemberStatus,
    SessionAttendance,
)
from .selectors import (
    can_manage_members,
    can_manage_sessions,
    can_view_sensitive,
    can_view_sessions,
)

IMPORT_SESSION_KEY = "members_import"
PAGE_SIZE = 30


# Writes to the register: admin and office staff only; leaders and town clerks read.
manager_required = allowed_if(can_manage_members)


def _visible_member(request, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector", "special_committee"), pk=pk
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- list, export, bulk ------------------------------------------------------------------------


def _filtered(request) -> MemberFilter:
    base = Member.objects.visible_to(request.user).select_related("sector", "special_committee")
    filterset = MemberFilter(request.GET or None, queryset=base, request=request)
    return filterset


@staff_required
def member_list(request):
    filterset = _filtered(request)

    def context() -> dict:
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        can_manage = can_manage_members(request.user)
        return {
            "filter": filterset,
            "page_obj": page,
            "rows": [(m, sensitive_values(m, reveal=False)) for m in page.object_list],
            "sector_counts": services.counts_by_sector(qs),
            "party_counts": services.counts_by_party(qs),
            "can_manage": can_manage,
            "bulk_form": BulkForm(members=Member.objects.none()) if can_manage else None,
        }

    # A page of the register, its filter bar and its counts by sector and party are the same
    # from one visit to the next until a record changes (issue 13): kept per viewer (their
    # groups decide what is masked), query and day.
    return kept_list(
        request,
        "members-list",
        "members/list.html",
        "members/_list_body.html",
        context,
        media=filterset.form.media,
    )


@staff_required
def member_export(request):
    filterset = _filtered(request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    members = list(importing.export_queryset(qs))
    if can_view_sensitive(request.user):
        services.record_sensitive_access(members, user=request.user, request=request)
    content = importing.export_members(members, request.user)
    response = HttpResponse(content, content_type=XLSX)
    return attachment(response, dated_name(_("委员名册"), "xlsx"))


@manager_required
@require_POST
def member_bulk(request):
    back = _safe_next(request, reverse("members:list"))
    form = BulkForm(request.POST, members=Member.objects.visible_to(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    members = list(data["ids"])
    if data["action"] == "assign":
        # Placing members is studios' to do, and members never imports studios: the same POST
        # (307 keeps method and body) goes on to studios' view, which checks it again and
        # sends the person back to `next`.
        return HttpResponseRedirect(reverse("studios:members_place"), status=307)
    done, failed = 0, []
    for member in members:
        try:
            if data["action"] == "leave":
                workflow.member_leave(
                    member, on=data["left_on"], reason=data["left_reason"], by=request.user
                )
            else:
                workflow.member_return(member, by=request.user)
            done += 1
        except WorkflowError as exc:
            failed.append(exc.message)
    if done:
        messages.success(request, _("已处理 %(n)d 名委员。") % {"n": done})
    for message in failed:
        messages.error(request, message)
    return redirect(back)


# --- one member ----------------------------------------------------------------------------------


def _detail_context(request, member: Member, *, revealed: bool) -> dict:
    from django.contrib.auth import get_user_model

    login = get_user_model().objects.filter(member=member).only("username", "last_login").first()
    memberships = member.studio_memberships.select_related("studio", "term").order_by("-start_on")
    return {
        "member": member,
        "sensitive": sensitive_values(member, reveal=revealed),
        "revealed": revealed,
        "can_reveal": can_view_sensitive(request.user),
        "can_manage": can_manage_members(request.user),
        "terms": list(member.terms.all()),
        "memberships": list(memberships),
        "login": login,
        "history": mask_history(object_history(member), Member, reveal=revealed),
        "leave_form": LeaveForm(),
    }


@login_required
def member_detail(request, pk: int):
    member = _visible_member(request, pk)
    return render(request, "members/detail.html", _detail_context(request, member, revealed=False))


@login_required
@require_POST
def member_reveal(request, pk: int):
    """Shows the full ID number, mobile and birth date once, and audits it."""
    member = _visible_member(request, pk)
    if not can_view_sensitive(request.user):
        raise PermissionDenied
    services.record_sensitive_access([member], user=request.user, request=request)
    context = _detail_context(request, member, revealed=True)
    template = "members/detail.html#sensitive" if request.htmx else "members/detail.html"
    return _no_store(render(request, template, context))


@manager_required
def member_create(request):
    form = MemberForm(request.POST or None, request.FILES or None)
    return form_flow(
        request,
        form,
        lambda data: services.save_member(form.instance, by=request.user, terms=data["terms"]),
        success=lambda member: _("已添加委员 %(name)s。") % {"name": member.name},
        redirect_to=lambda member: member,
    ) or render(request, "members/form.html", {"form": form, "member": None})


@manager_required
def member_edit(request, pk: int):
    member = _visible_member(request, pk)
    form = MemberForm(request.POST or None, request.FILES or None, instance=member)
    return form_flow(
        request,
        form,
        lambda data: services.save_member(
            form.instance, by=request.user, terms=data["terms"], version=data["version"]
        ),
        success=_("已保存。"),
        redirect_to=member,
    ) or _no_store(render(request, "members/form.html", {"form": form, "member": member}))


@manager_required
def member_leave(request, pk: int):
    member = _visible_member(request, pk)
    form = LeaveForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: workflow.member_leave(
            member, on=data["left_on"], reason=data["left_reason"], by=request.user
        ),
        success=_("%(name)s 已办理退出。") % {"name": member.name},
        redirect_to=member,
    ) or render(request, "members/leave.html", {"form": form, "member": member})


@manager_required
@require_POST
def member_return(request, pk: int):
    member = _visible_member(request, pk)
    try:
        workflow.member_return(member, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s 已恢复在任。") % {"name": member.name})
    return redirect(member)


def _login_password(request, pk: int, make_login, *, created: bool) -> HttpResponse:
    """Shows a new login's password once; `make_login` returns (user, password)."""
    member = _visible_member(request, pk)
    try:
        user, password = make_login(member, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(member)
    return _no_store(
        render(
            request,
            "members/login_password.html",
            {"member": member, "login": user, "password": password, "created": created},
        )
    )


@manager_required
@require_POST
def member_create_login(request, pk: int):
    return _login_password(request, pk, services.create_login, created=True)


@manager_required
@require_POST
def member_reset_password(request, pk: int):
    return _login_password(request, pk, services.reset_login_password, created=False)


# --- import --------------------------------------------------------------------------------------


@manager_required
def import_template(request):
    response = HttpResponse(importing.build_template(), content_type=XLSX)
    return attachment(response, _("委员导入模板") + ".xlsx")


@manager_required
def import_upload(request):
    """Upload -> check -> preview. Nothing is written here; the file waits in the session
    until the person confirms (import_confirm parses it again, so the preview cannot go stale)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        plan = importing.parse_workbook(io.BytesIO(content))
        if plan.ok:
            request.session[IMPORT_SESSION_KEY] = {
                "name": form.cleaned_data["file"].name,
                "content": base64.b64encode(content).decode("ascii"),
            }
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
    return _no_store(render(request, "members/import.html", {"form": form, "plan": plan}))


@manager_required
@require_POST
def import_confirm(request):
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored:
        messages.error(request, _("没有待确认的导入文件，请重新上传。"))
        return redirect("members:import")
    plan = importing.parse_workbook(io.BytesIO(base64.b64decode(stored["content"])))
    if not plan.ok:
        # The register changed since the preview (e.g. someone added a member meanwhile).
        return _no_store(
            render(request, "members/import.html", {"form": ImportForm(), "plan": plan})
        )
    counts = importing.apply_plan(plan, by=request.user)
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(
        request,
        _("导入完成：新增 %(new)d 人，修改 %(changed)d 人，无变化 %(unchanged)d 人。") % counts,
    )
    return redirect("members:list")


# --- change requests -----------------------------------------------------------------------------


@manager_required
def change_request_list(request):
    status = request.GET.get("status") or ChangeRequestStatus.PENDING
    qs = (
        MemberChangeRequest.objects.filter(member__in=Member.objects.visible_to(request.user))
        .select_related("member", "submitted_by", "reviewed_by")
        .order_by("-submitted_at")
    )
    if status in ChangeRequestStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {
        f: str(Member._meta.get_field(f).verbose_name) for f in MemberChangeRequest.EDITABLE_FIELDS
    }
    rows = []
    revealed = []
    for req in page.object_list:
        changes = []
        for field, new in req.changes.items():
            old = getattr(req.member, field, "")
            full = False
            if field == "mobile":
                # The reviewer must read the number they approve, so a pending request shows
                # the new one in full (audited below, like a reveal); the current number and
                # decided requests stay masked.
                old = mask_mobile(old)
                full = req.status == ChangeRequestStatus.PENDING and bool(new)
                if full:
                    revealed.append(req.member)
                else:
                    new = mask_mobile(new)
            changes.append(
                {"field": labels.get(field, field), "old": old, "new": new, "full": full}
            )
        rows.append((req, changes))
    if revealed:
        services.record_sensitive_access(
            revealed, user=request.user, fields=("mobile",), request=request
        )
    return _no_store(
        render(
            request,
            "members/change_requests.html",
            {
                "page_obj": page,
                "rows": rows,
                "status": status,
                "statuses": ChangeRequestStatus.choices,
                "review_form": ReviewForm(),
            },
        )
    )


def _review(request, pk: int, move) -> HttpResponse:
    req = get_object_or_404(
        MemberChangeRequest.objects.filter(
            member__in=Member.objects.visible_to(request.user)
        ).select_related("member"),
        pk=pk,
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            move(req, by=request.user, note=form.cleaned_data["note"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已处理 %(name)s 的修改申请。") % {"name": req.member.name})
    return redirect(_safe_next(request, reverse("members:change_requests")))


@manager_required
@require_POST
def change_request_approve(request, pk: int):
    return _review(request, pk, workflow.change_request_approve)


@manager_required
@require_POST
def change_request_reject(request, pk: int):
    return _review(request, pk, workflow.change_request_reject)


@login_required
def my_change_request(request):
    """The member corrects their own contact details and wishes; staff review before it applies."""
    if not has_role(request.user, Role.MEMBER) or request.user.member_id is None:
        raise PermissionDenied
    member = get_object_or_404(Member.objects.visible_to(request.user), pk=request.user.member_id)
    if member.status != MemberStatus.ACTIVE:
        raise PermissionDenied
    initial = {f: getattr(member, f) for f in ("employer", "job_title", "expertise", "wishes")}
    form = ChangeRequestForm(request.POST or None, initial=initial, member=member)
    pending = member.change_requests.filter(status=ChangeRequestStatus.PENDING).first()

    def submit(data):
        with transaction.atomic():
            services.submit_change_request(member, form.changes(member), by=request.user)

    return form_flow(
        request,
        form,
        submit,
        success=_("修改申请已提交，机关审核通过后生效。"),
        redirect_to="portal",
    ) or render(
        request,
        "portal/members_change_request.html",
        {"form": form, "member": member, "pending": pending},
    )


# --- the portal section (registered in apps.py) -------------------------------------------------


def portal_section(request, member: Member) -> dict | None:
    """Who I am: my own record, masked as for anyone else, plus my pending correction. The
    portal view has read `member` through visible_to with its sector and committee; the terms
    and the pending request are one more query."""
    extra = selectors.portal_member_extras(member.pk)
    return {
        "member": member,
        "sensitive": sensitive_values(member, reveal=False),
        "terms": extra["terms"],
        "pending": extra["pending"],
    }


@login_required
def member_photo(request, pk: int):
    """A member's photo, for whoever may see the member (404 for anyone else)."""
    member = get_object_or_404(Member.objects.visible_to(request.user).only("name", "photo"), pk=pk)
    # Saved as the member's name (张三.jpg) rather than the storage's name.
    extension = posixpath.splitext(member.photo.name)[1]
    return serve_file(request, member.photo, f"{member.name}{extension}")


# --- sessions (会议): office pages ---------------------------------------------------------------

# Leaders read sessions and their attendance; admin and office staff also write. Town clerks
# and handling units keep no session records (403).
session_reader_required = allowed_if(can_view_sessions)
session_manager_required = allowed_if(can_manage_sessions)


def _session_filter(request) -> SessionFilter:
    base = selectors.with_attendance_counts(
        CommitteeSession.objects.visible_to(request.user).select_related("term")
    )
    return SessionFilter(request.GET or None, queryset=base, request=request)


def _filtered_sessions(request) -> tuple[SessionFilter, object]:
    filterset = _session_filter(request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return filterset, qs.order_by("-starts_on", "kind", "-ordinal")


def _rate(present: int, expected: int) -> str:
    return f"{present * 100 / expected:.1f}%" if expected else "—"


@session_reader_required
def session_list(request):
    filterset, qs = _filtered_sessions(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, _rate(s.present_count, s.expected_count)) for s in page.object_list]
    return render(
        request,
        "members/session_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "can_manage": can_manage_sessions(request.user),
        },
    )


SESSION_COLUMNS = (
    Column(_("届次"), 10),
    Column(_("会议类型"), 10),
    Column(_("会议名称"), 28),
    Column(_("开始日期"), 12),
    Column(_("结束日期"), 12),
    Column(_("地点"), 20),
    Column(_("应出席"), 10),
    Column(_("应出席人数"), 10),
    Column(_("出席"), 8),
    Column(_("请假"), 8),
    Column(_("缺席"), 8),
    Column(_("出席率"), 9),
    Column(_("提案征集开始"), 13),
    Column(_("提案征集截止"), 13),
)


@session_reader_required
def session_export(request):
    _filterset, qs = _filtered_sessions(request)
    rows = (
        (
            s.term.name,
            s.get_kind_display(),
            s.name,
            s.starts_on.isoformat(),
            s.ends_on.isoformat(),
            s.place,
            s.get_audience_display(),
            s.expected_count,
            s.present_count,
            s.leave_count,
            s.absent_count,
            _rate(s.present_count, s.expected_count),
            s.proposals_open_on.isoformat() if s.proposals_open_on else "",
            s.proposals_close_on.isoformat() if s.proposals_close_on else "",
        )
        for s in qs
    )
    return xlsx_response(_("会议"), SESSION_COLUMNS, rows)


def _visible_session(request, pk: int) -> CommitteeSession:
    return get_object_or_404(
        selectors.with_attendance_counts(
            CommitteeSession.objects.visible_to(request.user).select_related("term")
        ),
        pk=pk,
    )


@session_manager_required
def session_create(request):
    form = SessionForm(request.POST or None)
    return form_flow(
        request,
        form,
        lambda data: services.save_session(form.instance, by=request.user),
        success=lambda s: _("已添加会议 %(name)s。") % {"name": s.name},
        redirect_to=lambda s: s,
    ) or render(request, "members/session_form.html", {"form": form, "session": None})


@session_manager_required
def session_edit(request, pk: int):
    session = _visible_session(request, pk)
    form = SessionForm(request.POST or None, instance=session)
    return form_flow(
        request,
        form,
        lambda data: services.save_session(form.instance, by=request.user),
        success=_("已保存。"),
        redirect_to=session,
    ) or render(request, "members/session_form.html", {"form": form, "session": session})


@session_reader_required
def session_detail(request, pk: int):
    session = _visible_session(request, pk)
    expected = list(
        selectors.expected_members(session).select_related("sector").order_by("name_pinyin", "pk")
    )
    recorded = {
        a.member_id: a for a in session.attendances.select_related("member", "member__sector")
    }
    # Anyone recorded who is no longer expected (e.g. moved off the standing committee) still
    # shows, so the counts above and the rows below agree.
    listed = {m.pk for m in expected}
    extra = [a.member for pk, a in recorded.items() if pk not in listed]
    rows = [(m, recorded.get(m.pk)) for m in [*expected, *extra]]
    leaves = list(session.leave_requests.select_related("member", "decided_by"))
    return render(
        request,
        "members/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "rate": _rate(session.present_count, session.expected_count),
            "leaves": leaves,
            "can_manage": can_manage_sessions(request.user),
            "decision_form": LeaveDecisionForm(),
            "history": object_history(session),
        },
    )


@session_manager_required
def session_attendance(request, pk: int):
    """The attendance sheet of a held session, through members.services (the same widget as a
    consultation meeting's sheet)."""
    session = _visible_session(request, pk)
    if not session.has_started:
        messages.error(request, _("会议尚未召开，不能登记出勤。"))
        return redirect(session)
    members = list(selectors.expected_members(session).order_by("name_pinyin", "pk"))
    recorded = {a.member_id: (a.status, a.leave_reason) for a in session.attendances.all()}
    approved = dict(
        session.leave_requests.filter(status=LeaveStatus.APPROVED).values_list(
            "member_id", "reason"
        )
    )
    form = SessionAttendanceForm(
        request.POST or None, members=members, recorded=recorded, approved=approved
    )
    return form_flow(
        request,
        form,
        lambda data: services.save_session_attendance(
            session, form.marks(), reasons=form.reasons(), by=request.user
        ),
        success=_("出勤已保存。"),
        redirect_to=session,
    ) or render(request, "members/session_attendance.html", {"form": form, "session": session})


@session_reader_required
def leave_request_list(request):
    status = request.GET.get("status") or ""
    qs = (
        LeaveRequest.objects.visible_to(request.user)
        .select_related("member", "session", "decided_by")
        .order_by("-filed_at", "-id")
    )
    if status in LeaveStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/session_leave_requests.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": LeaveStatus.choices,
            "can_manage": can_manage_sessions(request.user),
            "decision_form": LeaveDecisionForm(),
        },
    )


def _decide(request, pk: int, move) -> HttpResponse:
    leave = get_object_or_404(
        LeaveRequest.objects.visible_to(request.user).select_related("member", "session"), pk=pk
    )
    form = LeaveDecisionForm(request.POST)
    if form.is_valid():
        try:
            move(leave, by=request.user, note=form.cleaned_data["note"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已处理 %(name)s 的请假申请（%(status)s）。")
                % {"name": leave.member.name, "status": leave.get_status_display()},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_safe_next(request, leave.session.get_absolute_url()))


@session_manager_required
@require_POST
def leave_request_approve(request, pk: int):
    return _decide(request, pk, workflow.leave_request_approve)


@session_manager_required
@require_POST
def leave_request_refuse(request, pk: int):
    return _decide(request, pk, workflow.leave_request_refuse)


# --- sessions on the member's portal ------------------------------------------------------------

PORTAL_PAST_SESSIONS = 8


def portal_sessions_section(request, member: Member) -> dict | None:
    """My sessions: the coming ones (with the leave button or my request's status) and the
    last few held, with my attendance. One query whatever the number of sessions: my attendance
    and my latest leave request ride on each session row."""
    if not has_role(request.user, Role.MEMBER) or request.user.member_id != member.pk:
        return None
    today = timezone.localdate()
    # A term holds a few dozen sessions at most: one query, split here.
    sessions = list(selectors.with_my_attendance(services.member_sessions(member), member.pk))
    upcoming = sorted((s for s in sessions if s.ends_on >= today), key=lambda s: s.starts_on)
    past = [s for s in sessions if s.ends_on < today][:PORTAL_PAST_SESSIONS]

    def row(s):
        # Unsaved rows, so that the template reads status labels as from the saved ones.
        leave = (
            LeaveRequest(status=s.my_leave_status, decision_note=s.my_leave_note or "")
            if s.my_leave_status
            else None
        )
        attendance = SessionAttendance(status=s.my_attendance) if s.my_attendance else None
        return s, leave, attendance

    return {
        "upcoming": [row(s) for s in upcoming],
        "past": [row(s) for s in past],
        "today": today,
    }


@login_required
def my_leave_request(request, pk: int):
    """The member asks for leave from one of their coming sessions (phone page)."""
    if not has_role(request.user, Role.MEMBER) or request.user.member_id is None:
        raise PermissionDenied
    member = get_object_or_404(Member.objects.visible_to(request.user), pk=request.user.member_id)
    session = get_object_or_404(services.member_sessions(member), pk=pk)
    form = LeaveRequestForm(request.POST or None)
    requests_ = list(
        LeaveRequest.objects.visible_to(request.user).filter(session=session).order_by("-filed_at")
    )
    return form_flow(
        request,
        form,
        lambda data: workflow.leave_request_file(
            session, member, reason=data["reason"], by=request.user
        ),
        success=_("请假申请已提交，请等待机关审批。"),
        redirect_to="portal",
    ) or render(
        request,
        "members/session_leave_form.html",
        {"form": form, "session": session, "requests": requests_},
    )
