"""Writes to matters and meetings that are not step moves, with the rules that guard them.

Pages, the API and the demo loader call these; a broken rule raises WorkflowError with a
Chinese message and nothing is written (one transaction each). Step moves live in
consultations.workflow. Who may write is checked here too (selectors.can_manage_matter), since
every caller must obey it.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.scoping import INVALID_CHOICE, visible_names
from cppcc.versioning import claim_version
from cppcc.workflow import ConflictError, WorkflowError
from members.models import Member, MemberStatus
from proposals.models import HandlingUnit
from studios.models import Attendance, Town
from studios.selectors import can_edit_town_records
from studios.services import attach_files, save_attendance

from . import selectors, workflow
from .models import (
    COMPLETED_STATE,
    STEP_MEETING_KINDS,
    ConsultationMeeting,
    FollowUpTask,
    LivelihoodProject,
    Matter,
    MatterStepDate,
    MatterUnit,
    MeetingKind,
    Step,
    UnitProgress,
    UnitRole,
    step_index,
)

MATTER_FIELDS = ("title", "background", "proposal", "is_annual_topic")
OUTCOME_FIELDS = ("solved", "result_summary")
PROJECT_FIELDS = ("title", "recorded_on", "done", "done_on", "funds_wan", "beneficiaries")
MEETING_FIELDS = (
    "topic",
    "date",
    "place",
    "officials_count",
    "residents_count",
    "agreed",
)


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _save(obj, by, reason: str = "", **kwargs) -> None:
    obj._history_user = _user(by)
    if reason:
        obj._change_reason = reason
    obj.save(**kwargs)


def _require_manager(matter: Matter, by) -> None:
    if not selectors.can_manage_matter(by, matter):
        raise PermissionDenied


def _lock(matter: Matter) -> Matter:
    return Matter.objects.select_for_update(of=("self",)).select_related("town").get(pk=matter.pk)


# --- matters ---------------------------------------------------------------------------------


def _check_matter(matter: Matter, proposers: list[Member] | None, by) -> None:
    this_year = timezone.localdate().year
    if not matter.title.strip():
        raise WorkflowError(_("请填写议题名称。"))
    if not (2000 <= matter.year <= this_year + 1):
        raise WorkflowError(_("年度须在 2000 至 %(max)d 之间。") % {"max": this_year + 1})
    if matter.is_annual_topic:
        others = Matter.objects.filter(
            town_id=matter.town_id, year=matter.year, is_annual_topic=True
        ).exclude(pk=matter.pk)
        other = others.first()
        if other is not None:
            raise WorkflowError(
                _("%(town)s%(year)d年度已有“一镇一事”议题“%(title)s”，每个镇街每年只能有一个。")
                % {"town": matter.town, "year": matter.year, "title": other.title}
            )
    if proposers is not None:
        inactive = [m.pk for m in proposers if m.status != MemberStatus.ACTIVE]
        if inactive:
            names = visible_names(by, Member, inactive)
            if names is None:
                raise WorkflowError(INVALID_CHOICE)
            raise WorkflowError(
                _("以下委员已不在职，不能作为提出委员：%(names)s。") % {"names": names}
            )


@transaction.atomic
def create_matter(town: Town, data: Mapping, proposers: Iterable[Member] = (), *, by) -> Matter:
    """A new matter at 委员提案. The proposing members may follow before registration.
    `data["proposed_on"]`, when given, is the real day it was proposed (a matter entered after
    the fact): registration may not be dated before it."""
    if not can_edit_town_records(by, town.pk):
        raise PermissionDenied
    proposers = list(proposers or [])
    matter = Matter(
        town=town,
        year=data.get("year") or timezone.localdate().year,
        created_by=_user(by),
        **{k: data[k] for k in MATTER_FIELDS if k in data},
    )
    _check_matter(matter, proposers, by)
    proposed_on = data.get("proposed_on")
    if proposed_on is not None and proposed_on > timezone.localdate():
        raise WorkflowError(_("提出日期不能晚于今天。"))
    if proposed_on is not None:
        matter.step_entered_at = workflow.moment(proposed_on)
    _save(matter, by)
    matter.proposers.set(proposers)
    if proposed_on is not None:
        MatterStepDate.objects.create(matter=matter, step=Step.PROPOSED, entered_on=proposed_on)
    return matter


@transaction.atomic
def update_matter(
    matter: Matter,
    data: Mapping,
    proposers: Iterable[Member] | None = None,
    *,
    by,
    version: int | None = None,
) -> Matter:
    """Corrects what a matter is about. The town and year stay: the matter's history and its
    registration number belong to them. Refused (StaleVersion) when saved since `version`."""
    _require_manager(matter, by)
    matter = _lock(matter)
    claim_version(matter, version)
    changed = [k for k in MATTER_FIELDS if k in data and getattr(matter, k) != data[k]]
    for name in changed:
        setattr(matter, name, data[name])
    proposers = list(proposers) if proposers is not None else None
    if proposers is not None and not proposers and matter.step != Step.PROPOSED:
        raise WorkflowError(_("已立案的议题须至少保留一名提出委员。"))
    _check_matter(matter, proposers, by)
    reason = ""
    if proposers is not None:
        before = set(matter.proposers.values_list("pk", flat=True))
        if before != {m.pk for m in proposers}:
            matter.proposers.set(proposers)
            reason = _("提出委员：%(names)s") % {
                "names": "、".join(m.name for m in proposers) or "（无）"
            }
    if changed or reason:
        _save(matter, by, reason, update_fields=changed or ["title"])
    return matter


@transaction.atomic
def set_assignment(
    matter: Matter,
    *,
    lead_unit: HandlingUnit,
    assisting_units: Iterable[HandlingUnit] = (),
    task: str = "",
    deadline: datetime.date | None,
    assigned_on: datetime.date | None = None,
    by,
) -> Matter:
    """Records the government's assignment: the lead unit, assisting units, the task and the
    deadline. Allowed from 政协立案 on; units added after the matter reached 政府交办 are told at
    once (the others are told when it moves there)."""
    _require_manager(matter, by)
    matter = _lock(matter)
    refused = selectors.assignment_refused(matter)
    if refused:
        raise WorkflowError(refused)
    if lead_unit is None:
        raise WorkflowError(_("请选择牵头单位。"))
    if deadline is None:
        raise WorkflowError(_("请填写办理期限。"))
    assisting = [u for u in assisting_units or () if u.pk != lead_unit.pk]
    inactive = [u.name for u in [lead_unit, *assisting] if not u.is_active]
    if inactive:
        raise WorkflowError(_("以下单位已停用：%(names)s。") % {"names": "、".join(inactive)})
    assigned_on = assigned_on or matter.assigned_on or timezone.localdate()
    if matter.registered_on and assigned_on < matter.registered_on:
        raise WorkflowError(_("交办日期不能早于立案日期。"))
    if deadline < assigned_on:
        raise WorkflowError(_("办理期限不能早于交办日期。"))

    wanted = {lead_unit.pk: UnitRole.LEAD, **{u.pk: UnitRole.ASSISTING for u in assisting}}
    existing = {row.unit_id: row for row in MatterUnit.objects.filter(matter=matter)}
    for unit_id, row in existing.items():
        if unit_id not in wanted or row.role != wanted[unit_id]:
            # Deleted first, so that the lead can pass from one unit to another without two
            # lead rows existing at once (one_lead_unit_per_matter).
            row._history_user = _user(by)
            row.delete()
    added = []
    for unit_id, role in sorted(wanted.items(), key=lambda item: item[1] != UnitRole.LEAD):
        row = existing.get(unit_id)
        if row is None or row.role != role:
            _save(MatterUnit(matter=matter, unit_id=unit_id, role=role), by)
            if row is None:
                added.append(unit_id)

    matter.task = (task or "").strip()
    matter.deadline = deadline
    matter.assigned_on = assigned_on
    if matter.deadline_reminded_for != deadline:
        matter.deadline_reminded_for = None
    _save(
        matter,
        by,
        update_fields=["task", "deadline", "assigned_on", "deadline_reminded_for"],
    )
    if added and step_index(matter.step) >= step_index(Step.ASSIGNED):
        workflow.tell_units_assigned(matter, added)
    return matter


@transaction.atomic
def set_outcome(matter: Matter, data: Mapping, *, by) -> Matter:
    """The result of the matter: solved or not, and a summary (its funds and beneficiaries are
    the totals of its 民生实事). Entered from 督办协商 (completing needs it) and corrected
    after."""
    _require_manager(matter, by)
    matter = _lock(matter)
    refused = selectors.outcome_refused(matter)
    if refused:
        raise WorkflowError(refused)
    changed = [k for k in OUTCOME_FIELDS if k in data and getattr(matter, k) != data[k]]
    for name in changed:
        setattr(matter, name, data[name])
    if matter.is_completed and matter.outcome_missing():
        raise WorkflowError(
            _("已办结的议题不能清空办理成效：%(fields)s。")
            % {"fields": "、".join(matter.outcome_missing())}
        )
    if changed:
        _save(matter, by, update_fields=changed)
    return matter


# --- livelihood projects (民生实事) ------------------------------------------------------------


def _check_project(project: LivelihoodProject, matter: Matter) -> None:
    today = timezone.localdate()
    project.title = (project.title or "").strip()
    if not project.title:
        raise WorkflowError(_("请填写实事名称。"))
    if project.recorded_on is None:
        raise WorkflowError(_("请填写录入日期。"))
    if project.recorded_on > today:
        raise WorkflowError(_("录入日期不能晚于今天。"))
    if project.funds_wan is None or project.funds_wan < 0:
        raise WorkflowError(_("协调资金不能为负数。"))
    if project.beneficiaries is None or project.beneficiaries < 0:
        raise WorkflowError(_("受益群众人数不能为负数。"))
    if not project.done:
        # An undone project has no done date; a date left in the form goes with the tick.
        project.done_on = None
        return
    if project.done_on is None:
        raise WorkflowError(_("已办成的实事须填写办成日期。"))
    if project.done_on > today:
        raise WorkflowError(_("办成日期不能晚于今天。"))
    if matter.registered_on and project.done_on < matter.registered_on:
        raise WorkflowError(
            _("办成日期不能早于议题的立案日期（%(date)s）。")
            % {"date": matter.registered_on.isoformat()}
        )


def _project_matter(matter: Matter, by) -> Matter:
    _require_manager(matter, by)
    # Locked, so a project cannot be added to a matter someone is sending back meanwhile.
    matter = _lock(matter)
    refused = selectors.projects_refused(matter)
    if refused:
        raise WorkflowError(refused)
    return matter


@transaction.atomic
def add_project(matter: Matter, data: Mapping, *, by) -> LivelihoodProject:
    """A 民生实事 the matter delivers, from 督办协商 on; recorded today unless the clerk gives
    the real day (`recorded_on`) its figures were recorded."""
    matter = _project_matter(matter, by)
    project = LivelihoodProject(
        matter=matter,
        created_by=_user(by),
        **{k: data[k] for k in PROJECT_FIELDS if data.get(k) is not None},
    )
    if project.recorded_on is None:
        project.recorded_on = timezone.localdate()
    _check_project(project, matter)
    _save(project, by)
    return project


@transaction.atomic
def update_project(project: LivelihoodProject, data: Mapping, *, by) -> LivelihoodProject:
    """Corrects a 民生实事 (the same rules as adding one)."""
    matter = _project_matter(project.matter, by)
    project = LivelihoodProject.objects.select_for_update().get(pk=project.pk)
    for name in PROJECT_FIELDS:
        if name in data and (data[name] is not None or name == "done_on"):
            setattr(project, name, data[name])
    _check_project(project, matter)
    _save(project, by)
    return project


@transaction.atomic
def delete_project(project: LivelihoodProject, *, by) -> None:
    """Removes a 民生实事 entered by mistake. A completed matter keeps at least one: its
    outcome is their total."""
    matter = _project_matter(project.matter, by)
    if matter.is_completed and not matter.projects.exclude(pk=project.pk).exists():
        raise WorkflowError(_("已办结的议题须至少保留一项民生实事。"))
    project._history_user = _user(by)
    project.delete()


# --- meetings --------------------------------------------------------------------------------


def _check_meeting(
    meeting: ConsultationMeeting, attendance: Mapping[int, str], *, dated: bool = True
) -> dict[int, str]:
    """The meeting's rules; `dated` checks its date against the day the matter reached the
    meeting's step (a correction that leaves the date alone is not refused for an old one)."""
    today = timezone.localdate()
    if meeting.kind not in MeetingKind.values:
        raise WorkflowError(_("请选择协商类型。"))
    if meeting.matter_id is not None:
        matter = meeting.matter
        if meeting.kind not in STEP_MEETING_KINDS:
            raise WorkflowError(
                _("“%(kind)s”不属于议题的协商环节，请不要关联议题。")
                % {"kind": meeting.get_kind_display()}
            )
        if step_index(matter.step) < step_index(meeting.kind):
            raise WorkflowError(
                _("议题当前处于“%(step)s”，还不能录入“%(kind)s”会议。")
                % {"step": matter.get_step_display(), "kind": meeting.get_kind_display()}
            )
        meeting.town_id = matter.town_id
        if meeting.date.year < matter.year - 1:
            raise WorkflowError(_("会议日期早于议题年度。"))
        reached = selectors.step_entered_on(matter, meeting.kind) if dated else None
        if reached is not None and meeting.date < reached:
            raise WorkflowError(
                _("会议日期早于议题进入“%(step)s”环节的日期（%(date)s）。")
                % {"step": Step(meeting.kind).label, "date": reached.isoformat()}
            )
    elif meeting.kind in STEP_MEETING_KINDS:
        raise WorkflowError(
            _("“%(kind)s”会议须关联一个议题。") % {"kind": meeting.get_kind_display()}
        )
    if not meeting.place.strip():
        raise WorkflowError(_("请填写协商地点。"))
    if (meeting.officials_count or 0) < 0 or (meeting.residents_count or 0) < 0:
        raise WorkflowError(_("人数不能为负数。"))
    clean: dict[int, str] = {}
    for member_id, status in attendance.items():
        if status not in Attendance.values:
            raise WorkflowError(_("出勤状态只能是出席、请假或缺席。"))
        clean[int(member_id)] = status
    if clean and meeting.date > today:
        raise WorkflowError(_("会议尚未召开，不能登记出勤。"))
    if clean:
        known = set(Member.objects.filter(pk__in=clean).values_list("pk", flat=True))
        if len(known) != len(clean):
            raise WorkflowError(_("出勤名单中有不存在的委员。"))
    return clean


def _write_tasks(meeting: ConsultationMeeting, tasks: Iterable[Mapping], by) -> None:
    for data in tasks or ():
        task = FollowUpTask(
            meeting=meeting,
            description=(data.get("description") or "").strip(),
            unit=data.get("unit"),
            owner=(data.get("owner") or "").strip(),
            due_on=data.get("due_on"),
            done_on=data.get("done_on"),
        )
        if not task.description:
            raise WorkflowError(_("请填写后续任务内容。"))
        if task.unit is None and not task.owner:
            raise WorkflowError(
                _("后续任务“%(task)s”须填写责任单位或责任人。") % {"task": task.description}
            )
        if task.due_on is None:
            raise WorkflowError(
                _("后续任务“%(task)s”须填写完成时限。") % {"task": task.description}
            )
        if task.due_on < meeting.date:
            raise WorkflowError(
                _("后续任务“%(task)s”的完成时限不能早于会议日期。") % {"task": task.description}
            )
        _check_done_on(task.done_on, meeting)
        _save(task, by)


def _check_done_on(done_on: datetime.date | None, meeting: ConsultationMeeting) -> None:
    """A task is done on a day between its meeting and today (the demo records old ones done)."""
    if done_on is not None and done_on > timezone.localdate():
        raise WorkflowError(_("完成日期不能晚于今天。"))
    if done_on is not None and done_on < meeting.date:
        raise WorkflowError(_("完成日期不能早于会议日期。"))


@transaction.atomic
def record_meeting(
    data: Mapping,
    *,
    matter: Matter | None = None,
    town: Town | None = None,
    attendance: Mapping[int, str] | None = None,
    units: Iterable[HandlingUnit] = (),
    tasks: Iterable[Mapping] = (),
    files: Iterable = (),
    by,
) -> ConsultationMeeting:
    """Records a consultation meeting with its attendance (member id → status), the units that
    took part, its follow-up tasks and its photos and files, all or nothing. A step meeting
    belongs to a matter; a 例会 or 小微协商 to a town."""
    if matter is not None:
        _require_manager(matter, by)
        matter = Matter.objects.select_related("town").get(pk=matter.pk)
        town = matter.town
    if town is None:
        raise WorkflowError(_("请选择镇街。"))
    if not can_edit_town_records(by, town.pk):
        raise PermissionDenied
    meeting = ConsultationMeeting(
        town=town,
        matter=matter,
        kind=data.get("kind", ""),
        created_by=_user(by),
        **{k: data[k] for k in MEETING_FIELDS if k in data and data[k] is not None},
    )
    if meeting.date is None:
        raise WorkflowError(_("请填写协商日期。"))
    clean = _check_meeting(meeting, attendance or {})
    _save(meeting, by)
    meeting.units.set(list(units or ()))
    save_attendance(meeting, clean, by=by)
    _write_tasks(meeting, tasks, by)
    attach_files(meeting, files)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: ConsultationMeeting,
    data: Mapping,
    *,
    attendance: Mapping[int, str] | None = None,
    units: Iterable[HandlingUnit] | None = None,
    new_tasks: Iterable[Mapping] = (),
    files: Iterable = (),
    by,
    version: int | None = None,
) -> ConsultationMeeting:
    """Corrects a meeting. Its kind and matter stay; a meeting that let the matter leave its step
    cannot be moved into the future (the guard it met would no longer hold). Refused
    (StaleVersion) when saved since `version`."""
    meeting = (
        ConsultationMeeting.objects.select_for_update(of=("self",))
        .select_related("matter", "town")
        .get(pk=meeting.pk)
    )
    if not can_edit_town_records(by, meeting.town_id):
        raise PermissionDenied
    claim_version(meeting, version)
    changed = [
        k
        for k in MEETING_FIELDS
        if k in data and data[k] is not None and getattr(meeting, k) != data[k]
    ]
    for name in changed:
        setattr(meeting, name, data[name])
    matter = meeting.matter
    if matter is not None and "date" in changed:
        _keep_guard_met(meeting, matter)
    clean = _check_meeting(meeting, attendance or {}, dated="date" in changed)
    if changed:
        _save(meeting, by, update_fields=changed)
    if units is not None:
        meeting.units.set(list(units))
    if attendance is not None:
        save_attendance(meeting, clean, by=by, replace=True)
    _write_tasks(meeting, new_tasks, by)
    attach_files(meeting, files)
    return meeting


def _keep_guard_met(meeting: ConsultationMeeting, matter: Matter) -> None:
    """A meeting that let the matter leave its step may not be moved after the day it left
    (today when that day is not recorded), unless another meeting of its kind was held by then:
    the guard the move met would no longer hold."""
    if not (matter.is_completed or step_index(matter.step) > step_index(meeting.kind)):
        return
    today = timezone.localdate()
    after = workflow.next_step(meeting.kind) or COMPLETED_STATE
    left_on = min(selectors.step_entered_on(matter, after) or today, today)
    if meeting.date <= left_on:
        return
    others = ConsultationMeeting.objects.filter(matter=matter, kind=meeting.kind, date__lte=left_on)
    if others.exclude(pk=meeting.pk).exists():
        return
    if left_on == today:
        raise WorkflowError(
            _("议题已走过“%(kind)s”环节，这是该环节唯一召开过的会议，日期不能改到将来。")
            % {"kind": meeting.get_kind_display()}
        )
    raise WorkflowError(
        _("议题已于 %(date)s 离开“%(kind)s”环节，这是此前该环节唯一召开的会议，日期不能晚于该日。")
        % {"kind": meeting.get_kind_display(), "date": left_on.isoformat()}
    )


@transaction.atomic
def mark_task_done(task: FollowUpTask, *, note: str, by) -> FollowUpTask:
    """The unit (or the office, or the town clerk) says a follow-up task is done, and what was
    done; today is its done date, the history row says who and when. A task already done is
    refused and left as it is; of two people marking it at the same moment only the first wins
    (the conditional update), the other is told it is already done."""
    task = FollowUpTask.objects.select_related("meeting").get(pk=task.pk)
    if not selectors.can_mark_task_done(by, task):
        raise PermissionDenied
    note = (note or "").strip()
    if task.done_on is not None:
        raise _already_done(task)
    if not note:
        raise WorkflowError(_("请填写完成情况。"))
    limit = FollowUpTask._meta.get_field("done_note").max_length
    if len(note) > limit:
        raise WorkflowError(_("完成情况不能超过 %(n)d 个字。") % {"n": limit})
    today = timezone.localdate()
    _check_done_on(today, task.meeting)
    claimed = FollowUpTask.objects.filter(pk=task.pk, done_on__isnull=True).update(
        done_on=today, done_note=note
    )
    if not claimed:
        raise _already_done(FollowUpTask.objects.get(pk=task.pk))
    task.done_on, task.done_note = today, note
    # The update above decided the race; this save of the same values writes the history row.
    _save(task, by, update_fields=["done_on", "done_note"])
    return task


def _already_done(task: FollowUpTask) -> ConflictError:
    done_on = task.done_on.isoformat() if task.done_on else ""
    return ConflictError(_("该任务已于 %(date)s 标记完成，无需重复操作。") % {"date": done_on})


@transaction.atomic
def set_task_done(task: FollowUpTask, *, done_on: datetime.date | None, by) -> FollowUpTask:
    """Records a follow-up task's done date as the clerk enters it (the demo's past tasks), or
    None to reopen it (the note goes with it). Units mark their tasks with mark_task_done."""
    task = FollowUpTask.objects.select_related("meeting").get(pk=task.pk)
    if not can_edit_town_records(by, task.meeting.town_id):
        raise PermissionDenied
    _check_done_on(done_on, task.meeting)
    task.done_on = done_on
    fields = ["done_on"]
    if done_on is None and task.done_note:
        task.done_note = ""
        fields.append("done_note")
    _save(task, by, update_fields=fields)
    return task


# --- handling units' progress ----------------------------------------------------------------


@transaction.atomic
def record_progress(matter: Matter, body: str, *, by) -> UnitProgress:
    """A unit's login reports progress on a matter assigned to its unit. Office staff and the
    town clerk are told, so the supervision consultation can follow it up."""
    if not selectors.can_report_progress(by, matter):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise WorkflowError(_("请填写办理进展。"))
    progress = UnitProgress(matter=matter, unit_id=by.handling_unit_id, body=body, written_by=by)
    _save(progress, by)
    from cppcc.notifications import notify

    for clerk in selectors.town_clerks(matter.town_id):
        notify(
            clerk,
            _("%(unit)s报送了办理进展") % {"unit": progress.unit},
            body[:200],
            matter.get_absolute_url(),
        )
    return progress
