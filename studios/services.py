"""Every write to towns, studios and their records, with the rules that guard them.

Pages, the API, the members app's bulk action and the demo loader all call these functions, so
a rule holds however a record is entered. A broken rule raises cppcc.workflow.WorkflowError with
a Chinese message; nothing is half-written because each function runs in one transaction.
Access (who may change which town's records) is checked by the caller through
studios.selectors.require_edit; these functions check the records themselves.
Problem states live in studios.workflow.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cppcc.changes import announce
from cppcc.notifications import notify
from cppcc.scoping import INVALID_CHOICE, named_refusal, visible_names
from cppcc.versioning import claim_version
from cppcc.workflow import WorkflowError
from members.models import Member, MemberStatus, PartyAffiliation, SpecialCommittee, Term

from . import selectors
from .models import (
    SIX_HAS_FIELDS,
    Activity,
    ActivityKind,
    Attendance,
    ContactPair,
    ContactRecord,
    DutyShift,
    HonoraryVillageHead,
    MembershipRole,
    PartyBranch,
    PartyGroup,
    Problem,
    Studio,
    StudioKind,
    StudioMembership,
    Town,
    Village,
)

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _save(obj, by, reason: str = "", **kwargs) -> None:
    """Saves with the history row stamped with the acting person and an optional reason."""
    obj._history_user = _user(by)
    if reason:
        obj._change_reason = reason
    obj.save(**kwargs)


def _apply(obj, data: Mapping, fields: Iterable[str]) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


# --- towns and villages ----------------------------------------------------------------------

TOWN_FIELDS = ("name", "kind", "office_name", "office_address", "order")


@transaction.atomic
def create_town(data: Mapping, *, by) -> Town:
    if Town.objects.filter(name=data["name"]).exists():
        raise WorkflowError(f"镇街“{data['name']}”已存在。")
    town = Town(**{k: data[k] for k in TOWN_FIELDS if k in data})
    _save(town, by)
    return town


@transaction.atomic
def update_town(town: Town, data: Mapping, *, by) -> Town:
    if "name" in data and Town.objects.filter(name=data["name"]).exclude(pk=town.pk).exists():
        raise WorkflowError(f"镇街“{data['name']}”已存在。")
    changed = _apply(town, data, TOWN_FIELDS)
    if changed:
        _save(town, by, update_fields=changed)
    return town


@transaction.atomic
def create_village(town: Town, data: Mapping, *, by) -> Village:
    name = data["name"].strip()
    if Village.objects.filter(town=town, name=name).exists():
        raise WorkflowError(f"{town.name}已有“{name}”。")
    village = Village(
        town=town,
        name=name,
        kind=data.get("kind", Village._meta.get_field("kind").default),
        has_consultation_room=bool(data.get("has_consultation_room")),
    )
    _save(village, by)
    return village


@transaction.atomic
def set_united_front_officer(town: Town, member: Member | None, *, by) -> Town:
    """The officer must sit in the town's studio. The town studio's Party group is led by the
    officer, so when it exists its leadership moves with the office (and is refused, undoing
    both, when the new officer cannot lead it)."""
    town = Town.objects.select_for_update(of=("self",)).get(pk=town.pk)
    if member is not None:
        studio = Studio.objects.filter(town=town, kind=StudioKind.TOWN).first()
        if studio is None:
            raise WorkflowError(f"{town.name}尚未设立镇街委员工作室，无法指定统战委员。")
        if not StudioMembership.objects.filter(
            studio=studio, member=member, end_on__isnull=True
        ).exists():
            raise WorkflowError(
                f"{member.name}不是{studio.name}的成员，不能担任{town.name}统战委员。"
            )
    if town.united_front_officer_id == (member.pk if member else None):
        return town
    town.united_front_officer = member
    _save(town, by, update_fields=["united_front_officer"])
    if member is not None:
        group = PartyGroup.objects.filter(studio__town=town, studio__kind=StudioKind.TOWN).first()
        if group is not None and group.leader_id != member.pk:
            change_party_group_leader(group, member, by=by)
    return town


# --- studios and memberships -----------------------------------------------------------------

STUDIO_FIELDS = (
    "name",
    "kind",
    "town",
    "host_unit",
    "address",
    "level",
    "city_level_named_on",
    "founded_on",
    "leader",
    *SIX_HAS_FIELDS,
)


def _check_studio(studio: Studio) -> None:
    if studio.kind == StudioKind.TOWN:
        if studio.town_id is None:
            raise WorkflowError(_("镇街委员工作室必须选择所在镇街。"))
        clash = Studio.objects.filter(kind=StudioKind.TOWN, town_id=studio.town_id).exclude(
            pk=studio.pk
        )
        if clash.exists():
            raise WorkflowError(f"{studio.town.name}已有镇街委员工作室，每个镇街只设一个。")
    if studio.kind == StudioKind.SECTOR and not studio.host_unit:
        raise WorkflowError(_("界别/行业委员工作室须填写依托单位。"))
    if Studio.objects.filter(name=studio.name).exclude(pk=studio.pk).exists():
        raise WorkflowError(f"已有名为“{studio.name}”的工作室。")
    if studio.level == "city" and studio.city_level_named_on is None:
        raise WorkflowError(_("市级工作室须填写命名日期。"))
    if (
        studio.leader_id
        and studio.pk
        and not studio.memberships.filter(member_id=studio.leader_id, end_on__isnull=True).exists()
    ):
        raise WorkflowError(f"负责人{studio.leader.name}须是本工作室的现任成员。")


@transaction.atomic
def create_studio(data: Mapping, *, by) -> Studio:
    studio = Studio(**{k: data[k] for k in STUDIO_FIELDS if k in data and k != "leader"})
    _check_studio(studio)
    _save(studio, by)
    return studio


@transaction.atomic
def update_studio(studio: Studio, data: Mapping, *, by) -> Studio:
    studio = Studio.objects.select_for_update(of=("self",)).get(pk=studio.pk)
    old_kind = studio.kind
    changed = _apply(studio, data, STUDIO_FIELDS)
    # The kind is copied onto every membership (is_town_studio, role); changing it under
    # existing members would leave them wrong.
    if studio.kind != old_kind and studio.memberships.exists():
        raise WorkflowError(_("工作室已有成员，不能更改类型。"))
    _check_studio(studio)
    if changed:
        _save(studio, by, update_fields=changed)
    return studio


def _guard_leaving(membership: StudioMembership) -> None:
    """A member who holds the studio's offices cannot leave it until someone else holds them."""
    member, studio = membership.member, membership.studio
    if PartyGroup.objects.filter(studio=studio, leader=member).exists():
        raise WorkflowError(f"{member.name}是{studio.name}党小组组长，请先更换组长再调整。")
    if (
        studio.kind == StudioKind.TOWN
        and studio.town_id
        and Town.objects.filter(pk=studio.town_id, united_front_officer=member).exists()
    ):
        raise WorkflowError(f"{member.name}是{studio.town.name}统战委员，请先更换统战委员再调整。")


def _end(
    membership: StudioMembership, on: datetime.date, by, reason: str, *, leaving: bool = True
) -> None:
    if leaving:
        _guard_leaving(membership)
    membership.end_on = max(on, membership.start_on)
    _save(membership, by, reason, update_fields=["end_on"])


@transaction.atomic
def assign_members(
    studio: Studio,
    members: Iterable[Member],
    *,
    role: str,
    term: Term,
    by,
    on: datetime.date | None = None,
) -> int:
    """Puts members into a studio for a term; returns how many memberships were created or changed.

    A town studio takes role 驻室委员; a sector studio 核心委员 or 联动委员. Each active member has
    one current town studio per term: assigning them to another town studio MOVES them (their
    old membership ends today, with a history reason naming both studios), because the office
    reassigns members by wishes and expertise and a refusal would only make them end it by hand
    first. A member who is the old town's officer or Party group leader is refused instead.
    `on` (default today) dates the change; the demo loader back-dates it to the start of the year.
    """
    members = list(members)
    if not members:
        raise WorkflowError(_("请选择要分配的委员。"))
    is_town = studio.kind == StudioKind.TOWN
    if is_town and role != MembershipRole.MEMBER:
        raise WorkflowError(_("镇街委员工作室的成员角色为驻室委员。"))
    if not is_town and role not in (MembershipRole.CORE, MembershipRole.LINKED):
        raise WorkflowError(_("界别/行业委员工作室的成员须选择核心委员或联动委员。"))
    inactive = [m.name for m in members if m.status != MemberStatus.ACTIVE]
    if inactive:
        raise WorkflowError(f"以下委员已退出，不能分配：{'、'.join(inactive)}。")
    today = on or timezone.localdate()
    ids = [m.pk for m in members]
    # Locks the members' current memberships so two clerks moving the same member serialise.
    current = list(
        StudioMembership.objects.select_for_update(of=("self",))
        .filter(member_id__in=ids, end_on__isnull=True)
        .select_related("studio", "studio__town", "member")
    )
    in_this = {m.member_id: m for m in current if m.studio_id == studio.pk}
    other_town = {
        m.member_id: m
        for m in current
        if m.is_town_studio and m.term_id == term.pk and m.studio_id != studio.pk
    }
    changed = 0
    try:
        with transaction.atomic():
            for member in members:
                existing = in_this.get(member.pk)
                if existing is not None:
                    if existing.term_id == term.pk and existing.role == role:
                        continue
                    # A new role or term starts a new membership so the record shows both periods.
                    _end(
                        existing,
                        today,
                        by,
                        f"角色调整为{MembershipRole(role).label}",
                        leaving=False,
                    )
                if is_town and member.pk in other_town:
                    old = other_town[member.pk]
                    _end(old, today, by, f"调整至{studio.name}")
                new = StudioMembership(
                    member=member,
                    studio=studio,
                    term=term,
                    role=role,
                    is_town_studio=is_town,
                    start_on=today,
                )
                _save(new, by, f"分配至{studio.name}")
                changed += 1
    except IntegrityError as exc:
        raise WorkflowError(
            _("分配失败：该委员本届已在一个镇街委员工作室，请刷新后重试。")
        ) from exc
    return changed


@transaction.atomic
def end_membership(
    membership: StudioMembership, *, by, on: datetime.date | None = None
) -> StudioMembership:
    membership = (
        StudioMembership.objects.select_for_update(of=("self",))
        .select_related("studio", "studio__town", "member")
        .get(pk=membership.pk)
    )
    if membership.end_on is not None:
        raise WorkflowError(_("该成员已不在本工作室。"))
    _end(membership, on or timezone.localdate(), by, f"移出{membership.studio.name}")
    return membership


# --- Party branches, groups and contact pairs ------------------------------------------------


def branch_name(committee: SpecialCommittee) -> str:
    return f"{committee.short_name or committee.name}功能型党支部"


@transaction.atomic
def ensure_party_branches(*, by=None) -> int:
    """Creates the missing 功能型党支部, one per special committee; returns how many."""
    created = 0
    for committee in SpecialCommittee.objects.filter(party_branch__isnull=True):
        branch = PartyBranch(special_committee=committee, name=branch_name(committee))
        _save(branch, by)
        created += 1
    return created


def _check_leader(studio: Studio, leader: Member, by) -> None:
    """Leader rule of a Party group: a Party member, currently in the studio, and for a town
    studio the town's United Front officer. A sector studio has no town office, so only the
    first two apply there."""
    if leader.party != PartyAffiliation.CPC:
        raise WorkflowError(
            named_refusal(by, f"{leader.name}不是中共党员，不能担任党小组组长。", leader)
        )
    if not StudioMembership.objects.filter(
        studio=studio, member=leader, end_on__isnull=True
    ).exists():
        raise WorkflowError(
            named_refusal(
                by, f"{leader.name}不是{studio.name}的现任成员，不能担任其党小组组长。", leader
            )
        )
    if studio.kind == StudioKind.TOWN:
        officer_id = (
            Town.objects.filter(pk=studio.town_id)
            .values_list("united_front_officer_id", flat=True)
            .first()
        )
        if officer_id != leader.pk:
            raise WorkflowError(
                f"党小组组长须由{studio.town.name}统战委员担任，{leader.name}不是该镇街统战委员。"
            )


@transaction.atomic
def create_party_group(
    studio: Studio, leader: Member, *, by, name: str = "", founded_on: datetime.date | None = None
) -> PartyGroup:
    if PartyGroup.objects.filter(studio=studio).exists():
        raise WorkflowError(f"{studio.name}已成立党小组。")
    _check_leader(studio, leader, by)
    group = PartyGroup(
        studio=studio, leader=leader, name=name or f"{studio.name}党小组", founded_on=founded_on
    )
    _save(group, by)
    return group


@transaction.atomic
def change_party_group_leader(group: PartyGroup, leader: Member, *, by) -> PartyGroup:
    """Appoints the group's leader; an eligible appointment clears a vacancy flag (set by
    flag_ineligible_leader), even when it re-confirms the same person after a corrected record."""
    group = (
        PartyGroup.objects.select_for_update(of=("self",))
        .select_related("studio", "studio__town")
        .get(pk=group.pk)
    )
    if group.leader_id == leader.pk and group.leader_vacant_since is None:
        return group
    _check_leader(group.studio, leader, by)
    reason = (
        f"组长变更为{leader.name}" if group.leader_id != leader.pk else f"确认{leader.name}任组长"
    )
    group.leader = leader
    group.leader_vacant_since = None
    group.leader_vacant_reason = ""
    _save(
        group,
        by,
        reason,
        update_fields=["leader", "leader_vacant_since", "leader_vacant_reason"],
    )
    return group


def leader_ineligibility(member: Member) -> str:
    """Why a member can no longer lead a Party group, or "" when they still may. Only what a
    change to the member record decides; studio membership and the town office are checked
    when a leader is appointed (_check_leader)."""
    if member.status != MemberStatus.ACTIVE:
        return f"组长{member.name}已退出政协委员"
    if member.party != PartyAffiliation.CPC:
        return f"组长{member.name}的政治面貌已变更为{member.get_party_display()}，不再是中共党员"
    return ""


@transaction.atomic
def flag_ineligible_leader(member: Member, *, by) -> list[PartyGroup]:
    """Called (through members.signals.member_changed, see studios.apps) when a member's party or
    status changed. The change itself is the member register's to make, so it is accepted; each
    group this member leads is flagged as needing a new leader, and the office and the town's
    clerks are told. Returns the groups flagged now (already flagged ones are left as they are)."""
    reason = leader_ineligibility(member)
    if not reason:
        return []
    groups = list(
        PartyGroup.objects.select_for_update(of=("self",))
        .filter(leader=member, leader_vacant_since__isnull=True)
        .select_related("studio", "studio__town")
    )
    now = timezone.now()
    for group in groups:
        group.leader_vacant_since = now
        group.leader_vacant_reason = reason[:200]
        _save(
            group,
            by,
            f"{reason}，待更换组长",
            update_fields=["leader_vacant_since", "leader_vacant_reason"],
        )
        title = _("党小组需更换组长：%(group)s") % {"group": group.name}
        body = _("%(reason)s，请为%(studio)s党小组另行确定符合条件的组长。") % {
            "reason": reason,
            "studio": group.studio.name,
        }
        for user in selectors.vacancy_recipients(group):
            notify(user, title, body, group.studio.get_absolute_url())
    return groups


@transaction.atomic
def create_contact_pair(
    party_member: Member, non_party_member: Member, *, term: Term, since: datetime.date, by
) -> ContactPair:
    if party_member.party != PartyAffiliation.CPC:
        raise WorkflowError(
            named_refusal(by, f"{party_member.name}不是中共党员，不能作为联系人。", party_member)
        )
    if non_party_member.party == PartyAffiliation.CPC:
        raise WorkflowError(
            named_refusal(
                by, f"{non_party_member.name}是中共党员，联系对象须为党外委员。", non_party_member
            )
        )
    for m in (party_member, non_party_member):
        if m.status != MemberStatus.ACTIVE:
            raise WorkflowError(named_refusal(by, f"{m.name}已退出，不能建立联系。", m))
    if ContactPair.objects.filter(
        party_member=party_member, non_party_member=non_party_member, term=term
    ).exists():
        raise WorkflowError(
            named_refusal(
                by,
                f"{party_member.name}与{non_party_member.name}本届已建立联系。",
                party_member,
                non_party_member,
            )
        )
    pair = ContactPair(
        party_member=party_member, non_party_member=non_party_member, term=term, since=since
    )
    _save(pair, by)
    return pair


@transaction.atomic
def add_contact_record(
    pair: ContactPair, *, date: datetime.date, way: str, content: str, by
) -> ContactRecord:
    if date < pair.since:
        raise WorkflowError(_("联系日期不能早于建立联系日期。"))
    if date > timezone.localdate():
        raise WorkflowError(_("联系日期不能晚于今天。"))
    if not content.strip():
        raise WorkflowError(_("请填写交流内容。"))
    record = ContactRecord(pair=pair, date=date, way=way, content=content.strip())
    _save(record, by)
    return record


# --- activities ------------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "kind",
    "title",
    "date",
    "place",
    "other_participants",
    "residents_reached",
    "sales_wan",
    "summary",
)


def _check_activity(activity: Activity, attendance: Mapping[int, str], by) -> dict[int, str]:
    today = timezone.localdate()
    held = activity.date <= today
    if activity.kind == ActivityKind.LIVESTREAM:
        if held and activity.sales_wan is None:
            raise WorkflowError(_("直播带货活动须填写销售额（万元）。"))
    elif activity.sales_wan is not None:
        raise WorkflowError(_("只有直播带货活动填写销售额。"))
    if activity.sales_wan is not None and activity.sales_wan < 0:
        raise WorkflowError(_("销售额不能为负数。"))
    for name in ("other_participants", "residents_reached"):
        if (getattr(activity, name) or 0) < 0:
            raise WorkflowError(_("人数不能为负数。"))
    clean: dict[int, str] = {}
    for member_id, status in attendance.items():
        if status not in Attendance.values:
            raise WorkflowError(_("出勤状态只能是出席、请假或缺席。"))
        clean[int(member_id)] = status
    if clean and not held:
        raise WorkflowError(_("活动尚未举行，不能登记出勤。"))
    if clean:
        # Attendance is of the studio's members on the day: current members, or members whose
        # membership covered the activity date (an older activity entered late).
        eligible = set(
            StudioMembership.objects.filter(
                studio_id=activity.studio_id, member_id__in=clean, start_on__lte=activity.date
            )
            .exclude(end_on__lt=activity.date)
            .values_list("member_id", flat=True)
        ) | set(
            StudioMembership.objects.filter(
                studio_id=activity.studio_id, member_id__in=clean, end_on__isnull=True
            ).values_list("member_id", flat=True)
        )
        strangers = [pk for pk in clean if pk not in eligible]
        if strangers:
            # Named only if the person may see every one of them (an unknown id alike).
            names = visible_names(by, Member, strangers)
            if names is None:
                raise WorkflowError(INVALID_CHOICE)
            raise WorkflowError(
                f"以下委员不是{activity.studio.name}的成员，不能登记出勤：{names}。"
            )
    return clean


def attach_files(parent, files: Iterable) -> None:
    """Stores uploads on an activity or a consultation meeting (both have a `files` relation
    whose rows carry file, is_photo and caption); a (file, caption) pair sets the caption."""
    for f in files or ():
        caption = ""
        if isinstance(f, tuple):
            f, caption = f
        # The name as uploaded, Chinese kept (storage may rename it); a browser on Windows may
        # send a full path, and only the last part is the file's name.
        name = (getattr(f, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
        parent.files.create(
            file=f,
            original_name=name[:255],
            is_photo=name.lower().endswith(PHOTO_SUFFIXES),
            caption=caption[:100],
        )


def save_attendance(parent, attendance: Mapping[int, str], *, by, replace: bool = False) -> None:
    """Writes the attendance (member id → status) of an activity or a consultation meeting
    (both have an `attendances` relation of member + status rows). With replace=True the given
    marks replace the recorded ones: members left out are removed, changed statuses updated."""
    relation = parent.attendances
    existing = {a.member_id: a for a in relation.all()} if replace else {}
    for member_id, row in existing.items():
        if member_id not in attendance:
            row._history_user = _user(by)
            row.delete()
    rows = []
    for member_id, status in attendance.items():
        row = existing.get(member_id)
        if row is None:
            rows.append(
                relation.model(**{relation.field.name: parent}, member_id=member_id, status=status)
            )
        elif row.status != status:
            row.status = status
            _save(row, by, update_fields=["status"])
    if rows:
        # One INSERT for thirty rows, with their history rows (plain bulk_create would skip them).
        bulk_create_with_history(rows, relation.model, default_user=_user(by))
        # bulk_create sends no post_save: the duty ledger is told here.
        from members import duty

        duty.refresh(r.member_id for r in rows)
        # Nor to what is kept computed from attendance (figure pages, the activity totals).
        announce(relation.model)


@transaction.atomic
def record_activity(
    studio: Studio, data: Mapping, attendance: Mapping[int, str], files: Iterable = (), *, by
) -> Activity:
    """Records an activity with the attendance of the studio's members (member id → status) and
    its photos and files, all or nothing."""
    activity = Activity(
        studio=studio, created_by=_user(by), **{k: data[k] for k in ACTIVITY_FIELDS if k in data}
    )
    if not activity.title:
        activity.title = ActivityKind(activity.kind).label
    clean = _check_activity(activity, attendance, by)
    _save(activity, by)
    save_attendance(activity, clean, by=by)
    attach_files(activity, files)
    return activity


@transaction.atomic
def update_activity(
    activity: Activity,
    data: Mapping,
    attendance: Mapping[int, str] | None = None,
    files: Iterable = (),
    *,
    by,
    version: int | None = None,
) -> Activity:
    """Changes an activity; a given attendance replaces the recorded one. Refused
    (StaleVersion) when it was saved since `version`."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("studio")
        .get(pk=activity.pk)
    )
    claim_version(activity, version)
    changed = _apply(activity, data, ACTIVITY_FIELDS)
    clean = _check_activity(activity, attendance or {}, by)
    if changed:
        _save(activity, by, update_fields=changed)
    if attendance is not None:
        save_attendance(activity, clean, by=by, replace=True)
    attach_files(activity, files)
    return activity


# --- problems (their states: studios.workflow) -----------------------------------------------


def _check_followers(studio: Studio, followers: Iterable[Member], by) -> list[Member]:
    followers = list(followers or [])
    if followers:
        ok = set(
            StudioMembership.objects.filter(
                studio=studio, member__in=followers, end_on__isnull=True
            ).values_list("member_id", flat=True)
        )
        strangers = visible_names(by, Member, [m.pk for m in followers if m.pk not in ok])
        if strangers is None:
            raise WorkflowError(INVALID_CHOICE)
        if strangers:
            raise WorkflowError(f"跟进委员须是{studio.name}的成员：{strangers}不是。")
    return followers


def _followers_note(followers: list[Member]) -> str:
    return f"跟进委员：{'、'.join(m.name for m in followers) or '无'}"


@transaction.atomic
def create_problem(
    studio: Studio, data: Mapping, followers: Iterable[Member] = (), *, by
) -> Problem:
    if not (data.get("title") or "").strip():
        raise WorkflowError(_("请填写问题。"))
    if data.get("raised_on") and data["raised_on"] > timezone.localdate():
        raise WorkflowError(_("反映日期不能晚于今天。"))
    village = data.get("village")
    if village is not None and village.town_id != studio.town_id:
        raise WorkflowError(f"{village}不在{studio.town or studio}，请重新选择村/社区。")
    problem = Problem(
        studio=studio,
        title=data["title"].strip(),
        description=data.get("description", ""),
        raised_by=data.get("raised_by") or "群众",
        raised_on=data.get("raised_on") or timezone.localdate(),
        village=village,
    )
    followers = _check_followers(studio, followers, by)
    _save(problem, by, _followers_note(followers))
    problem.followers.set(followers)
    return problem


@transaction.atomic
def update_problem(
    problem: Problem, data: Mapping, followers: Iterable[Member] | None = None, *, by
) -> Problem:
    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("studio", "studio__town")
        .get(pk=problem.pk)
    )
    village = data.get("village", problem.village)
    if village is not None and village.town_id != problem.studio.town_id:
        raise WorkflowError(
            f"{village}不在{problem.studio.town or problem.studio}，请重新选择村/社区。"
        )
    changed = _apply(problem, data, ("title", "description", "raised_by", "raised_on", "village"))
    note = ""
    if followers is not None:
        followers = _check_followers(problem.studio, followers, by)
        if {m.pk for m in followers} != set(problem.followers.values_list("pk", flat=True)):
            problem.followers.set(followers)
            note = _followers_note(followers)
    if changed or note:
        # A followers-only change still writes a history row, carrying the new list as its reason.
        _save(problem, by, note, update_fields=changed or ["title"])
    return problem


# --- duty rota and honorary village heads ----------------------------------------------------


@transaction.atomic
def assign_duty(
    studio: Studio, member: Member, day: datetime.date, *, by, note: str = ""
) -> DutyShift:
    if not StudioMembership.objects.filter(
        studio=studio, member=member, end_on__isnull=True
    ).exists():
        raise WorkflowError(
            named_refusal(by, f"{member.name}不是{studio.name}的现任成员，不能排班。", member)
        )
    # One place a day: a member on duty at two studios the same day is a rota mistake.
    clash = DutyShift.objects.filter(member=member, date=day).select_related("studio").first()
    if clash is not None:
        raise WorkflowError(
            named_refusal(
                by,
                f"{member.name}在{day:%Y-%m-%d}已在{clash.studio.name}值日。",
                member,
                clash.studio,
            )
        )
    shift = DutyShift(studio=studio, member=member, date=day, note=note)
    try:
        with transaction.atomic():
            _save(shift, by)
    except IntegrityError as exc:
        raise WorkflowError(
            named_refusal(by, f"{member.name}在{day:%Y-%m-%d}已排班。", member)
        ) from exc
    return shift


@transaction.atomic
def remove_duty(shift: DutyShift, *, by) -> None:
    shift._history_user = _user(by)
    shift.delete()


HEAD_FIGURES = (
    "acres_developed",
    "enterprises_fostered",
    "funds_secured_wan",
    "livestreams",
    "income_raised_wan",
)
HEAD_FIELDS = ("member", "village", "start_on", "end_on", *HEAD_FIGURES, "notes")


def _check_head(head: HonoraryVillageHead, by) -> None:
    if head.end_on is not None and head.end_on < head.start_on:
        raise WorkflowError(_("任职截止日期不能早于起始日期。"))
    for name in HEAD_FIGURES:
        value = getattr(head, name)
        if value is None or Decimal(value) < 0:
            label = HonoraryVillageHead._meta.get_field(name).verbose_name
            raise WorkflowError(f"{label}不能为负数或空。")
    if head.member.status != MemberStatus.ACTIVE and head.end_on is None:
        raise WorkflowError(
            named_refusal(by, f"{head.member.name}已退出，不能任名誉村主任。", head.member)
        )
    overlap = HonoraryVillageHead.objects.filter(member=head.member, village=head.village).exclude(
        pk=head.pk
    )
    overlap = overlap.exclude(end_on__lt=head.start_on)
    if head.end_on is not None:
        overlap = overlap.exclude(start_on__gt=head.end_on)
    if overlap.exists():
        raise WorkflowError(
            named_refusal(
                by,
                f"{head.member.name}在{head.village}的任职期间与已有记录重叠。",
                head.member,
                head.village,
            )
        )


@transaction.atomic
def create_honorary_head(data: Mapping, *, by) -> HonoraryVillageHead:
    head = HonoraryVillageHead(**{k: data[k] for k in HEAD_FIELDS if k in data})
    _check_head(head, by)
    _save(head, by)
    return head


@transaction.atomic
def update_honorary_head(head: HonoraryVillageHead, data: Mapping, *, by) -> HonoraryVillageHead:
    head = HonoraryVillageHead.objects.select_for_update(of=("self",)).get(pk=head.pk)
    changed = _apply(head, data, HEAD_FIELDS)
    _check_head(head, by)
    if changed:
        _save(head, by, update_fields=changed)
    return head
