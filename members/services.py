"""Writes to the member register. Every write path (form, API, import, demo, admin) comes here,
so the pinyin keys, normalisation and validation are the same whichever door a record came in by.
State moves (leave / return, change-request review) live in members.workflow.
"""

import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from simple_history.utils import bulk_create_with_history

from cppcc.accounts import temporary_password
from cppcc.audit import client_ip, record_reveal
from cppcc.changes import announce
from cppcc.roles import Role, grant_role
from cppcc.scoping import INVALID_CHOICE, visible_names
from cppcc.versioning import claim_version
from cppcc.workflow import WorkflowError

from . import duty, signals
from .models import (
    AUDIENCE_POSTS,
    AttendanceStatus,
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberChangeRequest,
    MemberStatus,
    PartyAffiliation,
    Sector,
    SensitiveAccess,
    SessionAttendance,
    SessionKind,
    SpecialCommittee,
    Term,
)
from .validators import normalize_id_number, normalize_mobile

# The usual 界别 list of a district committee (domain.md); the table stays editable.
DEFAULT_SECTORS = (
    "中共",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "无党派人士",
    "共青团",
    "工会",
    "妇联",
    "工商联",
    "经济界",
    "农业界",
    "教育界",
    "科技界",
    "医药卫生界",
    "文化艺术界",
    "新闻出版界",
    "体育界",
    "社会福利和社会保障界",
    "民族宗教界",
    "特邀",
)

# (name, short name) of the usual special committees.
DEFAULT_COMMITTEES = (
    ("提案委员会", "提案委"),
    ("经济委员会", "经济委"),
    ("农业农村委员会", "农业农村委"),
    ("人口资源环境委员会", "人口资源环境委"),
    ("科教卫体委员会", "科教卫体委"),
    ("社会和法制委员会", "社会和法制委"),
    ("文化文史和学习委员会", "文化文史和学习委"),
    ("民族宗教委员会", "民族宗教委"),
    ("港澳台侨和外事委员会", "港澳台侨和外事委"),
)

# pypinyin reads these characters with their common (non-surname) sound; as the first
# character(s) of a name they are surnames and read differently. Compound surnames first.
SURNAME_PINYIN = {
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "长孙": ["zhang", "sun"],
    "澹台": ["tan", "tai"],
    "单": ["shan"],
    "曾": ["zeng"],
    "仇": ["qiu"],
    "区": ["ou"],
    "解": ["xie"],
    "朴": ["piao"],
    "查": ["zha"],
    "盖": ["ge"],
    "乐": ["yue"],
    "缪": ["miao"],
    "覃": ["qin"],
    "秘": ["bi"],
    "翟": ["zhai"],
    "种": ["chong"],
    "员": ["yun"],
    "召": ["shao"],
    "繁": ["po"],
    "谌": ["chen"],
    "冼": ["xian"],
    "句": ["gou"],
}

# The fields a member record's form, the API and the import may set (status moves excluded).
MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "mobile",
    "employer",
    "job_title",
    "expertise",
    "sector",
    "party",
    "special_committee",
    "post",
    "level",
    "wishes",
    "photo",
)

SENSITIVE_FIELDS = ("id_number", "mobile", "birth_date")


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin with spaces between syllables, initials) used for sorting and search.

    Spaces keep a surname's block together when sorting (李安 "li an" before 连 "lian")."""
    name = (name or "").strip()
    syllables: list[str] = []
    for prefix in sorted(SURNAME_PINYIN, key=len, reverse=True):
        if name.startswith(prefix):
            syllables = list(SURNAME_PINYIN[prefix])
            name = name[len(prefix) :]
            break
    syllables += [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s.strip()]
    syllables = [s.lower() for s in syllables]
    return " ".join(syllables), "".join(s[0] for s in syllables if s)


def ensure_default_tables() -> tuple[int, int]:
    """Creates the default sectors and special committees that are missing; returns how many
    were created. Safe to run any number of times (used by the demo loader and migrations)."""
    existing = set(Sector.objects.values_list("name", flat=True))
    new_sectors = [
        Sector(name=name, order=(i + 1) * 10)
        for i, name in enumerate(DEFAULT_SECTORS)
        if name not in existing
    ]
    existing = set(SpecialCommittee.objects.values_list("name", flat=True))
    new_committees = [
        SpecialCommittee(name=name, short_name=short, order=(i + 1) * 10)
        for i, (name, short) in enumerate(DEFAULT_COMMITTEES)
        if name not in existing
    ]
    from simple_history.utils import bulk_create_with_history

    with transaction.atomic():
        if new_sectors:
            bulk_create_with_history(new_sectors, Sector)
        if new_committees:
            bulk_create_with_history(new_committees, SpecialCommittee)
    return len(new_sectors), len(new_committees)


def current_term() -> Term | None:
    return Term.objects.filter(is_current=True).first()


def prepare_member(member: Member) -> Member:
    """Normalises the typed values and sets the pinyin keys; the one place these are derived."""
    member.name = (member.name or "").strip()
    member.id_number = normalize_id_number(member.id_number)
    member.mobile = normalize_mobile(member.mobile)
    member.name_pinyin, member.name_initials = name_pinyin(member.name)
    if member.id_number and len(member.id_number) == 18 and not member.gender:
        member.gender = "M" if int(member.id_number[16]) % 2 else "F"
    return member


def check_id_number_free(id_number: str, exclude_pk: int | None = None) -> None:
    """Raises a Chinese ValidationError when another active member holds this ID number."""
    if not id_number:
        return
    clash = Member.objects.active().filter(id_number=id_number)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"id_number": _("在任委员中已有相同身份证号。")}, code="id_duplicate")


def save_member(
    member: Member, *, by, terms: Iterable[Term] | None = None, version: int | None = None
) -> Member:
    """Creates or updates a member record (history row stamped with `by`).

    Validates every field and the active-ID rule, so a caller that skipped a form still cannot
    store a bad record. An update based on `version` is refused (StaleVersion) when someone saved
    the member since."""
    prepare_member(member)
    member.full_clean(exclude=["photo"], validate_constraints=False)
    if member.status == MemberStatus.ACTIVE:
        check_id_number_free(member.id_number, member.pk)
    member._history_user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        if member.pk:
            claim_version(member, version)
        before = signals.tracked_values(member)
        member.save()
        if terms is not None:
            member.terms.set(terms)
        # Studios hears of a party change (a Party group leader may no longer be eligible).
        signals.send_if_changed(member, before, by=by)
    return member


def create_member(*, by, terms: Iterable[Term] | None = None, **fields) -> Member:
    member = Member(**fields)
    if terms is None:
        term = current_term()
        terms = [term] if term else []
    return save_member(member, by=by, terms=terms)


def update_member(
    member: Member,
    *,
    by,
    terms: Iterable[Term] | None = None,
    version: int | None = None,
    **fields,
) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value)
    return save_member(member, by=by, terms=terms, version=version)


def record_sensitive_access(
    members: Iterable[Member], *, user, fields: Iterable[str] = SENSITIVE_FIELDS, request=None
) -> int:
    """Audits that `user` saw the full sensitive values of these members (reveal or export)."""
    members = list(members)
    labels = "、".join(str(Member._meta.get_field(f).verbose_name) for f in fields)
    ip = client_ip(request)
    rows = [SensitiveAccess(member=m, user=user, fields=labels[:100], ip=ip) for m in members]
    SensitiveAccess.objects.bulk_create(rows)
    # The audit trail names the act a reveal (the request's own row would call it a write).
    record_reveal(members, user=user, fields=labels, request=request)
    return len(rows)


# --- logins ------------------------------------------------------------------------------------


def _random_password() -> str:
    # The accounts page's temporary passwords: they pass AUTH_PASSWORD_VALIDATORS, and the
    # login is sent to the password page until the member chooses their own.
    return temporary_password()


def _free_username(member: Member) -> str:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    base = (member.name_pinyin or name_pinyin(member.name)[0]).replace(" ", "") or "member"
    base = "".join(c for c in base if c.isascii() and c.isalnum())[:20] or "member"
    for _attempt in range(50):
        candidate = f"{base}{secrets.randbelow(9000) + 1000}"
        if not User.objects.filter(username=candidate).exists():
            return candidate
    raise ValidationError(_("无法生成可用的用户名，请稍后重试。"))


def create_login(member: Member, *, by) -> tuple[object, str]:
    """Creates the member's login (role 委员). Returns (user, initial password); the password
    is shown once and never stored in clear."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if User.objects.filter(member=member).exists():
        raise ValidationError(_("该委员已有登录账号。"))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("已退出的委员不能开通登录账号。"))
    password = _random_password()
    with transaction.atomic():
        user = User(
            username=_free_username(member),
            display_name=member.name,
            member=member,
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
        grant_role(user, Role.MEMBER)
    return user, password


def reset_login_password(member: Member, *, by) -> tuple[object, str]:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(member=member).first()
    if user is None:
        raise ValidationError(_("该委员尚未开通登录账号。"))
    password = _random_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return user, password


# --- change requests ---------------------------------------------------------------------------


def submit_change_request(member: Member, changes: dict, *, by) -> MemberChangeRequest:
    """A member asks to change their own contact details or wishes; applied after review."""
    unknown = set(changes) - set(MemberChangeRequest.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不允许修改这些信息。"))
    changes = {k: v for k, v in changes.items() if (getattr(member, k) or "") != (v or "")}
    if not changes:
        raise ValidationError(_("没有需要修改的内容。"))
    if "mobile" in changes:
        changes["mobile"] = normalize_mobile(changes["mobile"])
    if member.change_requests.filter(status="pending").exists():
        raise ValidationError(_("您已有一条待审核的修改申请，请等待审核后再提交。"))
    return MemberChangeRequest.objects.create(
        member=member,
        changes=changes,
        submitted_by=by if getattr(by, "is_authenticated", False) else None,
    )


def apply_change_request(request_obj: MemberChangeRequest, *, by) -> Member:
    """Writes an approved request's values to the member (called by the workflow)."""
    member = request_obj.member
    fields = {
        k: v for k, v in request_obj.changes.items() if k in MemberChangeRequest.EDITABLE_FIELDS
    }
    return update_member(member, by=by, **fields)


# --- figures beside the list -------------------------------------------------------------------


def counts_by_sector(qs) -> list[dict]:
    """[{"sector__name": ..., "n": ...}] counted in the database."""
    return list(
        qs.order_by()
        .values("sector__name", "sector__order")
        .annotate(n=Count("pk"))
        .order_by("sector__order", "sector__name")
    )


def counts_by_party(qs) -> list[dict]:
    labels = dict(PartyAffiliation.choices)
    rows = qs.order_by().values("party").annotate(n=Count("pk")).order_by("-n")
    return [
        {"party": labels.get(r["party"], r["party"]), "code": r["party"], "n": r["n"]} for r in rows
    ]


def bulk_save_members(
    creates: list[tuple[Member, list]], updates: list[tuple[Member, list]], *, by
) -> None:
    """The spreadsheet import's write: new members and changed members in bulk, with history
    rows, plus the terms they gained. The caller has validated every row and holds the
    transaction (members.importing.apply_plan). The number of queries does not grow with the
    rows (tests/members/test_import_queries.py)."""
    from simple_history.utils import bulk_create_with_history

    user = by if getattr(by, "is_authenticated", False) else None
    for member, _terms in creates + updates:
        prepare_member(member)
    through = Member.terms.through
    links = []
    if creates:
        created = bulk_create_with_history([m for m, _t in creates], Member, default_user=user)
        # Some backends do not set pks on bulk_create; match the rows back by ID number.
        if any(m.pk is None for m in created):
            by_id = dict(
                Member.objects.active()
                .filter(id_number__in=[m.id_number for m, _t in creates])
                .values_list("id_number", "pk")
            )
            for member, _t in creates:
                member.pk = by_id[member.id_number]
        links += [through(member_id=m.pk, term_id=t.pk) for m, terms in creates for t in terms]
    if updates:
        _bulk_update_members([m for m, _t in updates], by=by, user=user)
        links += [through(member_id=m.pk, term_id=t.pk) for m, terms in updates for t in terms]
    if links:
        through.objects.bulk_create(links, ignore_conflicts=True)
    # Bulk writes send no signals; a member's status, sector or terms move the county ranks.
    duty.ledger_changed()
    announce(Member)  # and the figure pages' member counts


# What an update in bulk may change: the form's fields and the pinyin keys derived from the name.
BULK_UPDATE_FIELDS = tuple(f for f in MEMBER_FIELDS if f != "photo") + (
    "name_pinyin",
    "name_initials",
)


def _bulk_update_members(members: list[Member], *, by, user) -> None:
    """Writes each member's values that differ from the stored row: one UPDATE per field that
    changed on any member, naming only those members. (Django's bulk_update of every field on
    every member builds, and the database then walks, a CASE of members × fields: 1.2 s for
    a register of 365 all changed, against 0.4 s.) Then, for the members that changed, one UPDATE bumps their version (an
    edit form opened before the import is refused as stale) and one INSERT writes their
    history rows."""
    from django.db.models import F
    from django.utils import timezone

    fields = [Member._meta.get_field(name) for name in BULK_UPDATE_FIELDS]
    stored = {
        row["pk"]: row
        for row in Member.objects.filter(pk__in=[m.pk for m in members]).values(
            "pk", "version", *signals.TRACKED_FIELDS, *(f.attname for f in fields)
        )
    }
    by_field: dict[str, list[Member]] = {}
    written = []
    for member in members:
        row = stored.get(member.pk)
        if row is None:
            continue
        changed = [f.name for f in fields if getattr(member, f.attname) != row[f.attname]]
        for name in changed:
            by_field.setdefault(name, []).append(member)
        if changed:
            written.append((member, row))
    for name, changed_members in by_field.items():
        Member.objects.bulk_update(changed_members, [name])
    if not written:
        return
    now = timezone.now()
    Member.objects.filter(pk__in=[m.pk for m, _row in written]).update(
        version=F("version") + 1, updated_at=now
    )
    for member, row in written:
        member.version, member.updated_at = row["version"] + 1, now
    Member.history.bulk_history_create([m for m, _row in written], update=True, default_user=user)
    for member, row in written:
        # Studios hears of a party change (a Party group leader may no longer be eligible).
        signals.send_if_changed(member, {name: row[name] for name in signals.TRACKED_FIELDS}, by=by)


def ensure_term(name: str, start_year: int, end_year: int, *, is_current: bool = False) -> Term:
    """Creates a term if missing (matched by name); making it current un-marks the old one."""
    with transaction.atomic():
        term, created = Term.objects.get_or_create(
            name=name,
            defaults={"start_year": start_year, "end_year": end_year, "is_current": False},
        )
        if is_current and not term.is_current:
            Term.objects.filter(is_current=True).exclude(pk=term.pk).update(is_current=False)
            term.is_current = True
            term.save(update_fields=["is_current"])
    return term


# --- sessions (会议) ------------------------------------------------------------------------------


# What the office edits of a session, in the form's order; the form and the API both use it.
SESSION_FIELDS = (
    "term",
    "kind",
    "name",
    "ordinal",
    "starts_on",
    "ends_on",
    "place",
    "audience",
    "proposals_open_on",
    "proposals_close_on",
)


def save_session(session: CommitteeSession, *, by) -> CommitteeSession:
    """Creates or changes a session (validated by the form or serializer, then the model's
    constraints again here, so the API and the demo cannot store what the form refuses)."""
    check_session(session)
    session._history_user = by if getattr(by, "is_authenticated", False) else None
    session.save()
    return session


def check_session(session: CommitteeSession) -> None:
    """The rules of a session's dates, in Chinese, raised as a ValidationError by field."""
    errors: dict[str, list[str]] = {}
    if session.starts_on and session.ends_on and session.ends_on < session.starts_on:
        errors.setdefault("ends_on", []).append(_("结束日期不能早于开始日期。"))
    window = (session.proposals_open_on, session.proposals_close_on)
    if session.kind != SessionKind.PLENARY and any(window):
        errors.setdefault("proposals_open_on", []).append(_("只有全体会议设置提案征集期。"))
    elif all(window) and window[1] < window[0]:
        errors.setdefault("proposals_close_on", []).append(_("提案征集截止日期不能早于开始日期。"))
    if (
        session.proposals_close_on
        and session.starts_on
        and session.proposals_close_on > (session.ends_on or session.starts_on)
    ):
        errors.setdefault("proposals_close_on", []).append(
            _("提案征集截止日期不能晚于会议结束日期。")
        )
    if (
        session.term_id
        and session.kind
        and session.ordinal
        and CommitteeSession.objects.filter(
            term_id=session.term_id, kind=session.kind, ordinal=session.ordinal
        )
        .exclude(pk=session.pk)
        .exists()
    ):
        errors.setdefault("ordinal", []).append(_("本届已有同类型、同次序的会议。"))
    if errors:
        raise ValidationError(errors)


def save_session_attendance(
    session: CommitteeSession,
    marks: Mapping[int, str],
    *,
    by,
    reasons: Mapping[int, str] | None = None,
) -> None:
    """Writes a held session's attendance (member id → 出席 / 请假 / 缺席), replacing what was
    recorded: members left out lose their row, changed statuses are updated.

    The same shape as studios.services.save_attendance (members cannot import studios). A
    member marked 请假 without a reason takes the reason of their approved leave request.
    Members not expected at the session are refused by name; nothing is written then."""
    from .selectors import expected_members

    reasons = dict(reasons or {})
    with transaction.atomic():
        # Two clerks saving the same sheet at once write one after the other.
        session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
        if marks and not session.has_started:
            raise WorkflowError(_("会议尚未召开，不能登记出勤。"))
        clean: dict[int, str] = {}
        for member_id, status in marks.items():
            if status not in AttendanceStatus.values:
                raise WorkflowError(_("出勤状态只能是出席、请假或缺席。"))
            clean[int(member_id)] = status
        expected = set(expected_members(session).filter(pk__in=clean).values_list("pk", flat=True))
        strangers = [pk for pk in clean if pk not in expected]
        if strangers:
            # Named only if the person may see every one of them (an unknown id alike).
            names = visible_names(by, Member, strangers)
            if names is None:
                raise WorkflowError(INVALID_CHOICE)
            raise WorkflowError(
                _("以下委员不在%(session)s的应出席名单中：%(names)s。")
                % {"session": session.name, "names": names}
            )
        approved = dict(
            LeaveRequest.objects.filter(
                session=session, status=LeaveStatus.APPROVED, member_id__in=clean
            ).values_list("member_id", "reason")
        )
        user = by if getattr(by, "is_authenticated", False) else None
        existing = {a.member_id: a for a in session.attendances.all()}
        for member_id, row in existing.items():
            if member_id not in clean:
                row._history_user = user
                row.delete()
        rows = []
        for member_id, status in clean.items():
            reason = ""
            if status == AttendanceStatus.LEAVE:
                reason = (reasons.get(member_id) or "").strip() or approved.get(member_id, "")
            row = existing.get(member_id)
            if row is None:
                rows.append(
                    SessionAttendance(
                        session=session, member_id=member_id, status=status, leave_reason=reason
                    )
                )
            elif (row.status, row.leave_reason) != (status, reason[:200]):
                row.status, row.leave_reason = status, reason[:200]
                row._history_user = user
                row.save(update_fields=["status", "leave_reason"])
        for row in rows:
            row.leave_reason = row.leave_reason[:200]
        if rows:
            # One INSERT for three hundred rows, with their history rows.
            bulk_create_with_history(rows, SessionAttendance, default_user=user)
            announce(SessionAttendance)  # the office home's session attendance
            # bulk_create sends no post_save: the duty ledger is told here.
            from . import duty

            duty.refresh([r.member_id for r in rows], [session.starts_on.year])


def member_sessions(member: Member) -> QuerySet:
    """The sessions a member is expected at (their terms; the standing committee's and the
    chairpersons' meetings only if their post sits there, models.AUDIENCE_POSTS), newest first:
    the member's portal section and their API list."""
    qs = CommitteeSession.objects.filter(term__members=member).select_related("term")
    not_for_them = [a for a, posts in AUDIENCE_POSTS.items() if member.post not in posts]
    qs = qs.exclude(audience__in=not_for_them)
    if member.status == MemberStatus.LEFT and member.left_on:
        qs = qs.filter(starts_on__lt=member.left_on)
    return qs.order_by("-starts_on", "kind")
