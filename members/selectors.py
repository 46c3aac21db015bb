"""Reads that check access. Which members a person may see is MemberQuerySet.visible_to
(models.py); the checks here decide what they may do with them."""

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cppcc.roles import Role, has_role


def can_view_sensitive(user) -> bool:
    """Full ID number, mobile and birth date: office staff holding the member register right."""
    return has_role(user, Role.ADMIN, Role.OFFICE) and user.has_perm(
        "members.view_member_sensitive"
    )


def can_manage_members(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OFFICE)


# --- the member's portal ---------------------------------------------------------------------

_SEPARATOR = "\x1f"


def portal_member_extras(member_id: int) -> dict:
    """What "who I am" shows beside the member's row: the names of their terms, newest first,
    and whether a change request of theirs waits for review, read in one statement."""
    from django.db.models import CharField, StringAgg, Value
    from django.db.models.functions import Cast, Concat, LPad

    from cppcc.navigation import Pending, one_row, run_together

    from .models import ChangeRequestStatus, MemberChangeRequest, Term

    # Each term as "year<sep>name": SQLite before 3.44 cannot order inside an aggregate, so the
    # terms are sorted here (a member serves a few at most).
    keyed = Concat(
        LPad(Cast("start_year", CharField()), 4, Value("0")),
        Value(_SEPARATOR),
        "name",
        output_field=CharField(),
    )
    joined, pending = run_together(
        [
            Pending(
                (
                    one_row(
                        Term.objects.filter(members=member_id),
                        terms=StringAgg(keyed, Value(_SEPARATOR * 2)),
                    ),
                ),
                lambda rows: rows[0]["terms"],
            ),
            Pending.count(
                MemberChangeRequest.objects.filter(
                    member_id=member_id, status=ChangeRequestStatus.PENDING
                )
            ),
        ]
    )
    terms = sorted((joined or "").split(_SEPARATOR * 2), reverse=True) if joined else []
    return {"terms": [t.split(_SEPARATOR, 1)[1] for t in terms], "pending": bool(pending)}


# --- to-dos on the home pages (registered in apps.py) -------------------------------------------


def todo_change_requests(user) -> list:
    """Members' change requests waiting for review, among the members the reviewer may see."""
    from cppcc.navigation import TodoItem, todo_url

    from .models import ChangeRequestStatus, Member, MemberChangeRequest

    pending = MemberChangeRequest.objects.filter(
        status=ChangeRequestStatus.PENDING, member__in=Member.objects.visible_to(user)
    )
    return [
        TodoItem(
            _("委员信息修改待审核"),
            pending,
            todo_url("members:change_requests", {"status": ChangeRequestStatus.PENDING}),
        )
    ]


# --- sessions (会议) ------------------------------------------------------------------------------


def can_view_sessions(user) -> bool:
    """The office pages of sessions: admin and office staff edit, leaders read. Town clerks
    keep no session records and get 403; members use /portal/."""
    return has_role(user, Role.ADMIN, Role.OFFICE, Role.LEADER)


def can_manage_sessions(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OFFICE)


def expected_members(session) -> QuerySet:
    """Who is expected at a session: the term's members who were serving on its first day
    (active now, or left after it): all of them, or the posts its `audience` names
    (models.AUDIENCE_POSTS: the standing committee, the chairpersons). The session list's
    counts (with_attendance_counts) apply the same rule in SQL."""
    from .models import AUDIENCE_POSTS, Member, MemberStatus

    qs = Member.objects.filter(terms=session.term_id).filter(
        Q(status=MemberStatus.ACTIVE) | Q(left_on__gt=session.starts_on)
    )
    posts = AUDIENCE_POSTS.get(session.audience)
    if posts:
        qs = qs.filter(post__in=posts)
    return qs


def _expected_count(posts=None):
    from .models import Member, MemberStatus

    qs = Member.objects.filter(terms=OuterRef("term")).filter(
        Q(status=MemberStatus.ACTIVE) | Q(left_on__gt=OuterRef("starts_on"))
    )
    if posts:
        qs = qs.filter(post__in=posts)
    return Subquery(
        qs.order_by().values("terms").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def with_attendance_counts(sessions: QuerySet) -> QuerySet:
    """Each session with expected_count and present/leave/absent counts, in the same query as
    the rows (subqueries, so a page of thirty sessions is still one query). Used by the session
    list, its export, the API and reports.statistics.session_attendance."""
    from .models import AUDIENCE_POSTS, AttendanceStatus, SessionAttendance

    def counted(status: str):
        return Coalesce(
            Subquery(
                # A member in the trash is out of expected_count (the default manager), so
                # their rows must not count here either; a join bypasses that manager.
                SessionAttendance.objects.filter(
                    session=OuterRef("pk"), status=status, member__deleted_at__isnull=True
                )
                .order_by()
                .values("session")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    return sessions.annotate(
        expected_count=Coalesce(
            Case(
                *(
                    When(audience=audience, then=_expected_count(posts))
                    for audience, posts in AUDIENCE_POSTS.items()
                ),
                default=_expected_count(),
            ),
            0,
        ),
        present_count=counted(AttendanceStatus.PRESENT),
        leave_count=counted(AttendanceStatus.LEAVE),
        absent_count=counted(AttendanceStatus.ABSENT),
        pending_leave_count=Coalesce(
            Subquery(
                _pending_leave()
                .filter(session=OuterRef("pk"))
                .order_by()
                .values("session")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def with_my_attendance(sessions: QuerySet, member_id: int) -> QuerySet:
    """Each session with the member's attendance status and their latest leave request's status
    and note (None where there is none), in the sessions' query: the member's portal."""
    from .models import LeaveRequest, SessionAttendance

    mine = SessionAttendance.objects.filter(session=OuterRef("pk"), member_id=member_id)
    # Newest last wins: a refused request, then a new one.
    latest = LeaveRequest.objects.filter(session=OuterRef("pk"), member_id=member_id).order_by(
        "-filed_at", "-id"
    )
    return sessions.annotate(
        my_attendance=Subquery(mine.values("status")[:1]),
        my_leave_status=Subquery(latest.values("status")[:1]),
        my_leave_note=Subquery(latest.values("decision_note")[:1]),
    )


def _pending_leave():
    from .models import LeaveRequest, LeaveStatus

    return LeaveRequest.objects.filter(status=LeaveStatus.PENDING)


def todo_leave_requests(user) -> list:
    """Leave requests waiting for the office's decision (one count query)."""
    from cppcc.navigation import TodoItem, todo_url

    from .models import LeaveRequest, LeaveStatus

    pending = LeaveRequest.objects.visible_to(user).filter(status=LeaveStatus.PENDING)
    return [
        TodoItem(
            _("会议请假待审批"),
            pending,
            todo_url("members:leave_requests", {"status": LeaveStatus.PENDING}),
        )
    ]
