"""履职档案: the duty ledger, derived from the records the apps already keep.

One definition: `rebuild(member_ids, years)` replaces the DutyEntry rows of those members and
years with what the registered sources say, priced by the points rules (PointsRule). Nothing
types an entry in, so the ledger can always be thrown away and rebuilt.

- Sources: each app registers what counts (`register_source`, from its AppConfig.ready()), so
  members never imports studios, consultations or proposals. A source yields `Fact`s for a
  `Scope` (members, years) in a constant number of queries, and names the models whose saves and
  deletes change its facts (`Watch`).
- Rules: the rule of an entry is the latest of its kind effective on or before the entry's date;
  no rule, 0 points. A yearly cap limits the |points| a member gets from a kind in a year: entries
  in date order, the one that reaches the cap gets what is left, later ones 0.
- Kept current: a watched record's save or delete marks (member, year) pairs; they are rebuilt
  once, when the transaction commits. Writers that bypass signals (bulk_create) call `refresh`.
  A rules change rebuilds the affected years in a Celery task; a nightly task rebuilds the
  current year as a safety net (duty days and meetings count once their date has passed).
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc.generations import Generation

from .models import (
    AttendanceStatus,
    CommitteeSession,
    DutyEntry,
    DutyKind,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberStatus,
    PointsRule,
    SessionAttendance,
    SessionKind,
    Term,
)

Pair = tuple[int, int | None]  # (member id, year); None: every year of the member


# --- sources ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    """One duty a member did, as a source reports it (before the rules price it)."""

    member_id: int
    kind: str
    date: datetime.date
    source: str
    title: str
    url: str = ""


@dataclass(frozen=True)
class Scope:
    """Which members and years a rebuild covers (None: all), and the day it runs."""

    member_ids: frozenset[int] | None = None
    years: frozenset[int] | None = None
    today: datetime.date = field(default_factory=timezone.localdate)

    def filter(self, qs: models.QuerySet, member: str, date: str) -> models.QuerySet:
        """`qs` narrowed to the scope's members (by the `member` path) and years (by `date`)."""
        if self.member_ids is not None:
            qs = qs.filter(**{f"{member}__in": sorted(self.member_ids)})
        return qs.filter(self.years_q(date))

    def years_q(self, date: str) -> Q:
        if self.years is None:
            return Q()
        q = Q(pk__in=[])
        for year in sorted(self.years):
            q |= Q(
                **{
                    f"{date}__gte": datetime.date(year, 1, 1),
                    f"{date}__lte": datetime.date(year, 12, 31),
                }
            )
        return q

    def covers(self, member_id: int, year: int) -> bool:
        return (self.member_ids is None or member_id in self.member_ids) and (
            self.years is None or year in self.years
        )


@dataclass(frozen=True)
class Touch:
    """What a saved or deleted record may change: ledger sources whose entries are to be redone
    (their members and years are read from the ledger), (member, year) pairs, and `later`
    callables returning pairs, run at commit when the record's related rows are all written."""

    sources: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    later: tuple[Callable[[], Iterable[Pair]], ...] = ()


@dataclass(frozen=True)
class Watch:
    """`touch(instance, deleted)` for every save and delete of `model`; `m2m` names a
    many-to-many field whose changes count too."""

    model: type[models.Model]
    touch: Callable[[models.Model, bool], Touch]
    m2m: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    facts: Callable[[Scope], Iterable[Fact]]
    watches: tuple[Watch, ...] = ()


_sources: dict[str, Source] = {}


def register_source(source: Source) -> None:
    """Adds a source (idempotent by name) and connects the signals of what it watches."""
    _sources[source.name] = source
    for i, watch in enumerate(source.watches):
        uid = f"duty:{source.name}:{i}"
        receiver = _receiver(watch)
        if watch.m2m:
            through = getattr(watch.model, watch.m2m).through
            m2m_changed.connect(receiver, sender=through, dispatch_uid=uid, weak=False)
        else:
            post_save.connect(receiver, sender=watch.model, dispatch_uid=uid + ":s", weak=False)
            post_delete.connect(receiver, sender=watch.model, dispatch_uid=uid + ":d", weak=False)


def registered_sources() -> list[Source]:
    return list(_sources.values())


def source_key(instance: models.Model) -> str:
    """ "<app_label>.<model>:<pk>", the ledger's `source` of entries a record produces."""
    return f"{instance._meta.label_lower}:{instance.pk}"


def key_of(model: type[models.Model], pk: int) -> str:
    return f"{model._meta.label_lower}:{pk}"


def first_of_year_or(date: datetime.date, year: int) -> datetime.date:
    return max(date, datetime.date(year, 1, 1))


def clip(text: str, size: int = 200) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


# --- pricing and rebuilding -------------------------------------------------------------------
def _rules() -> dict[str, list[PointsRule]]:
    """Rules per kind, oldest first (one query)."""
    by_kind: dict[str, list[PointsRule]] = defaultdict(list)
    for rule in PointsRule.objects.order_by("kind", "effective_from"):
        by_kind[rule.kind].append(rule)
    return by_kind


def rule_on(rules: list[PointsRule], day: datetime.date) -> PointsRule | None:
    """The latest rule effective on or before `day` (rules oldest first)."""
    found = None
    for rule in rules:
        if rule.effective_from > day:
            break
        found = rule
    return found


def price(facts: Iterable[Fact], rules: dict[str, list[PointsRule]]) -> list[DutyEntry]:
    """Entries for the facts: each priced by its rule, capped per member, kind and year."""
    ordered = sorted(facts, key=lambda f: (f.member_id, f.kind, f.date, f.source))
    used: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
    entries = []
    for fact in ordered:
        rule = rule_on(rules.get(fact.kind, []), fact.date)
        points = rule.points if rule else Decimal(0)
        if rule and rule.yearly_cap is not None and points:
            group = (fact.member_id, fact.kind, fact.date.year)
            left = max(rule.yearly_cap - used[group], Decimal(0))
            taken = min(abs(points), left)
            used[group] += taken
            points = taken if points > 0 else -taken
        entries.append(
            DutyEntry(
                member_id=fact.member_id,
                kind=fact.kind,
                date=fact.date,
                year=fact.date.year,
                points=points,
                source=fact.source[:80],
                title=clip(fact.title),
                url=fact.url[:200],
            )
        )
    return entries


def collect(scope: Scope, live: set[int] | None = None) -> list[Fact]:
    """Every registered source's facts in the scope, one per (member, kind, source); only of the
    `live` members when given (rebuild passes the members it locked, which leaves out those in
    the trash: their record and its ledger come back together on restore)."""
    seen: dict[tuple[int, str, str], Fact] = {}
    for source in _sources.values():
        for fact in source.facts(scope):
            if live is not None and fact.member_id not in live:
                continue
            if scope.covers(fact.member_id, fact.date.year):
                seen.setdefault((fact.member_id, fact.kind, fact.source), fact)
    return list(seen.values())


def rebuild(
    member_ids: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
    *,
    today: datetime.date | None = None,
) -> int:
    """Replaces the ledger of those members (None: all) in those years (None: all) with what the
    sources say under the rules; returns the number of entries written. Idempotent; a constant
    number of queries per source whatever the number of members."""
    scope = Scope(
        member_ids=None if member_ids is None else frozenset(int(m) for m in member_ids),
        years=None if years is None else frozenset(int(y) for y in years),
        today=today or timezone.localdate(),
    )
    if scope.member_ids == frozenset() or scope.years == frozenset():
        return 0
    with transaction.atomic():
        # Two rebuilds of one member (two clerks' commits) run one after the other instead of
        # both inserting the same entries.
        locked = Member.objects.select_for_update().order_by("pk")
        if scope.member_ids is not None:
            locked = locked.filter(pk__in=sorted(scope.member_ids))
        # `objects`: members in the trash are not locked, and get no entries.
        live = set(locked.values_list("pk", flat=True))
        entries = price(collect(scope, live), _rules())
        stale = DutyEntry.objects.all()
        if scope.member_ids is not None:
            stale = stale.filter(member_id__in=sorted(scope.member_ids))
        if scope.years is not None:
            stale = stale.filter(year__in=sorted(scope.years))
        stale.delete()
        DutyEntry.objects.bulk_create(entries, batch_size=1000)
        ledger_changed()
    return len(entries)


def rebuild_pairs(pairs: Iterable[Pair]) -> None:
    """Rebuilds (member, year) pairs, one rebuild per year (None: all of the member's years)."""
    by_year: dict[int | None, set[int]] = defaultdict(set)
    for member_id, year in pairs:
        if member_id is not None:
            by_year[year].add(member_id)
    everything = by_year.pop(None, set())
    if everything:
        rebuild(everything)
    for year, members in sorted(by_year.items()):
        members -= everything
        if members:
            rebuild(members, [year])


# --- keeping it current -----------------------------------------------------------------------
class _Pending(threading.local):
    def __init__(self) -> None:
        self.sources: set[str] = set()
        self.pairs: set[Pair] = set()
        self.later: list[Callable[[], Iterable[Pair]]] = []
        self.paused = False


_pending = _Pending()


@contextmanager
def paused():
    """Saves inside do not rebuild the ledger: for loaders that rebuild it whole at the end
    (the demo), where a rebuild per saved record would be wasted work."""
    before, _pending.paused = _pending.paused, True
    try:
        yield
    finally:
        _pending.paused = before


def _mark(touch: Touch) -> None:
    if _pending.paused:
        return
    _pending.sources.update(touch.sources)
    _pending.pairs.update(touch.pairs)
    _pending.later.extend(touch.later)
    # One callback per mark: a callback registered in a savepoint that rolls back is dropped,
    # so the next one (or this) flushes everything pending; the later ones find nothing.
    transaction.on_commit(_flush)


def _flush() -> None:
    sources, pairs, later = _pending.sources, _pending.pairs, _pending.later
    if not (sources or pairs or later):
        return
    _pending.sources, _pending.pairs, _pending.later = set(), set(), []
    pairs = set(pairs)
    if sources:
        pairs.update(
            DutyEntry.objects.filter(source__in=sorted(sources))
            .values_list("member_id", "year")
            .distinct()
        )
    for fn in later:
        pairs.update(fn())
    rebuild_pairs(pairs)


def refresh(member_ids: Iterable[int], years: Iterable[int] | None = None) -> None:
    """Rebuilds those members' entries (in those years; None: all) when the transaction commits.
    For writers that bypass model signals, e.g. bulk_create of attendance rows."""
    members = [int(m) for m in member_ids]
    wanted = [None] if years is None else list(years)
    _mark(Touch(pairs=tuple((m, y) for m in members for y in wanted)))


def _receiver(watch: Watch):
    def on_change(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return  # fixtures load rows as they are; the demo and the command rebuild after
        action = kwargs.get("action")
        if action is not None:
            if action not in ("post_add", "post_remove", "pre_clear"):
                return
            if not isinstance(instance, watch.model):
                # Changed from the other side (member.<related>.add): the member is the instance.
                _mark(Touch(pairs=((instance.pk, None),)))
                return
            touch = watch.touch(instance, action == "pre_clear")
            members = kwargs.get("pk_set") or ()
            touch = Touch(
                sources=touch.sources,
                pairs=touch.pairs + tuple((m, None) for m in members),
                later=touch.later,
            )
        else:
            deleted = "created" not in kwargs
            touch = watch.touch(instance, deleted)
        _mark(touch)

    return on_change


def members_touch(instance, deleted: bool) -> Touch:
    """For rows that name their member: redo that member's years (and the row's old entries)."""
    return Touch(pairs=((instance.member_id, None),))


# --- what readers of the ledger may keep ------------------------------------------------------
# County figures over a year of the ledger (every member's rank, the medians) aggregate tens of
# thousands of entries at ten counties' scale (issue 13), so reports.duty keeps them in the cache
# under the ledger's version. The version changes with everything those figures read: the
# entries, and which members are ranked (a member's status, sector, terms; the current term).
# It changes when a change is made and again when its transaction commits, so a figure another
# request computed meanwhile from the old rows is not kept under the new version.
# Moved on by the receivers of watch_ledger_readers below (they also mark the writing thread's
# transaction), not by Generation.watch.
LEDGER = Generation("duty-ledger", ())


def ledger_version() -> str | None:
    """The ledger's version for a cache key, or None when nothing may be kept or read (this
    thread's open transaction changed the ledger or the ranked members: Generation.keepable)."""
    return str(LEDGER.current()) if LEDGER.keepable() else None


def ledger_changed(using: str | None = None) -> None:
    """Gives the ledger a new version (now, and again at commit)."""
    LEDGER.changed(using)


def _on_change(sender, using=None, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        ledger_changed(using)


def watch_ledger_readers() -> None:
    """Connects the changes that move the county figures (called from members' ready()). Not
    a delete signal of DutyEntry: any receiver makes Django fetch every row a rebuild deletes;
    rebuild() announces its writes itself."""
    post_save.connect(_on_change, sender=DutyEntry, dispatch_uid="duty.version:entry")
    for model in (Member, Term):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"duty.version:{model.__name__}:s")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"duty.version:{model.__name__}:d"
        )
    m2m_changed.connect(_on_change, sender=Member.terms.through, dispatch_uid="duty.version:terms")


# --- rules ------------------------------------------------------------------------------------
def affected_years(kind: str, since: datetime.date) -> list[int]:
    """Ledger years with entries of `kind` on or after `since`: what a rule change reprices."""
    return sorted(
        DutyEntry.objects.filter(kind=kind, date__gte=since)
        .values_list("year", flat=True)
        .distinct()
    )


def _reprice_on_commit(kind: str, since: datetime.date) -> None:
    from .tasks import rebuild_duty_ledger

    years = affected_years(kind, since)
    if years:
        rebuild_duty_ledger.delay_on_commit(years)


def save_points_rule(rule: PointsRule, *, by, old_from: datetime.date | None = None) -> PointsRule:
    """Adds or changes a version of a points rule and queues the repricing of the years it
    touches (from the earlier of its old and new effective date)."""
    with transaction.atomic():
        if rule.pk is None and getattr(by, "is_authenticated", False):
            rule.created_by = by
        rule.full_clean()
        rule.save()
        since = min(d for d in (old_from, rule.effective_from) if d is not None)
        _reprice_on_commit(rule.kind, since)
    return rule


def delete_points_rule(rule: PointsRule, *, by) -> None:
    with transaction.atomic():
        kind, since = rule.kind, rule.effective_from
        rule.delete()
        _reprice_on_commit(kind, since)


def rules_in_force(day: datetime.date | None = None) -> dict[str, PointsRule | None]:
    """Every kind's rule in force on `day` (today), in DutyKind order."""
    rules = _rules()
    day = day or timezone.localdate()
    return {kind: rule_on(rules.get(kind, []), day) for kind in DutyKind.values}


# --- flags for the office ---------------------------------------------------------------------
ABSENCES_FLAGGED = 2


def _flag_rules(members_qs: models.QuerySet, year: int):
    """The pieces of the flag rule as subqueries: the active members of the current term among
    `members_qs`, their plenary absences (member_id, n) at ABSENCES_FLAGGED or more, and the
    members with a positive entry in `year` (an Exists on the member)."""
    from django.db.models.functions import Cast, Concat

    # Members of the current term only, as the ranking lists them: a member of an earlier term
    # owes no duties now, and the to-do's count must match the list it links to.
    in_term = Member.terms.through.objects.filter(term__is_current=True).values("member_id")
    active = members_qs.filter(status=MemberStatus.ACTIVE, pk__in=in_term)
    term = Term.objects.filter(is_current=True).values("pk")[:1]
    # The ledger's source keys (key_of) of the current term's plenary sessions, in SQL.
    plenary_keys = (
        CommitteeSession.objects.filter(term=models.Subquery(term), kind=SessionKind.PLENARY)
        .annotate(
            key=Concat(
                models.Value(f"{CommitteeSession._meta.label_lower}:"),
                Cast("pk", models.CharField()),
            )
        )
        .values("key")
    )
    absences = (
        DutyEntry.objects.filter(
            kind=DutyKind.PLENARY_ABSENT, source__in=plenary_keys, member__in=active.values("pk")
        )
        .values("member_id")
        .annotate(n=models.Count("id"))
        .filter(n__gte=ABSENCES_FLAGGED)
    )
    # NOT EXISTS, probed per member through the (year, member) index: NOT IN (a subquery) made
    # PostgreSQL hash every positive entry of the year first (~120 ms at ten counties' ledger).
    scored = models.Exists(
        DutyEntry.objects.filter(member_id=models.OuterRef("pk"), year=year, points__gt=0)
    )
    return active, absences, scored


def flags(members_qs: models.QuerySet, year: int) -> dict[int, list[str]]:
    """Members of `members_qs` (active ones) the office should look at for `year`, with the
    reasons in Chinese: absent without leave from plenary sessions at least twice in the current
    term (read from the ledger, where approved leave has already turned absence into leave), and
    no entry with positive points in `year` (this year: so far). Two queries."""
    active, absences, scored = _flag_rules(members_qs, year)
    reasons: dict[int, list[str]] = defaultdict(list)
    for row in absences:
        reasons[row["member_id"]].append(_("本届无故缺席全体会议%(n)d次") % {"n": row["n"]})
    for member_id in active.exclude(scored).values_list("pk", flat=True):
        reasons[member_id].append(_("%(year)d年度无履职积分") % {"year": year})
    return dict(reasons)


def flagged_members(members_qs: models.QuerySet, year: int) -> models.QuerySet:
    """The members flags() names, as one queryset, so that the to-do counts them with the home
    page's other counts."""
    active, absences, scored = _flag_rules(members_qs, year)
    return active.filter(Q(pk__in=absences.values("member_id")) | ~scored)


def flagged_member_ids(members_qs: models.QuerySet, year: int) -> set[int]:
    """The ids of the flagged members (for the ranking's flag=1 filter)."""
    return set(flags(members_qs, year))


def todo_flagged_members(user) -> list:
    """Office to-do: members flagged this year, linking to the ranking's flagged list."""
    from cppcc.navigation import TodoItem, todo_url

    year = timezone.localdate().year
    # Counted with the page's other to-dos (cppcc.navigation reads a QuerySet's count).
    count = flagged_members(Member.objects.visible_to(user), year)
    url = todo_url("reports:duty_ranking", {"flag": 1, "year": year}, fallback="members:duty_rules")
    return [TodoItem(_("履职预警委员"), count, url, level="warning", badge=False)]


# --- members' own source: plenary and standing-committee sessions -----------------------------
SESSION_KINDS = {
    SessionKind.PLENARY: {
        AttendanceStatus.PRESENT: DutyKind.PLENARY_PRESENT,
        AttendanceStatus.LEAVE: DutyKind.PLENARY_LEAVE,
        AttendanceStatus.ABSENT: DutyKind.PLENARY_ABSENT,
    },
    SessionKind.STANDING: {
        AttendanceStatus.PRESENT: DutyKind.STANDING_PRESENT,
        AttendanceStatus.LEAVE: DutyKind.STANDING_LEAVE,
        AttendanceStatus.ABSENT: DutyKind.STANDING_ABSENT,
    },
}
SESSION_TITLES = {
    AttendanceStatus.PRESENT: gettext_lazy("出席%(name)s"),
    AttendanceStatus.LEAVE: gettext_lazy("%(name)s请假"),
    AttendanceStatus.ABSENT: gettext_lazy("%(name)s无故缺席"),
}


def session_facts(scope: Scope) -> list[Fact]:
    """Plenary and standing-committee attendance (chairpersons' meetings do not count), dated the
    session's first day. An absence covered by an approved leave request counts as leave; an
    approved leave for a session that has started and has no attendance row counts as leave."""
    sessions = CommitteeSession.objects.filter(
        kind__in=list(SESSION_KINDS), starts_on__lte=scope.today
    )
    rows = scope.filter(
        SessionAttendance.objects.filter(session__in=sessions), "member_id", "session__starts_on"
    ).values_list(
        "member_id", "status", "session_id", "session__kind", "session__name", "session__starts_on"
    )
    leaves = scope.filter(
        LeaveRequest.objects.filter(session__in=sessions, status=LeaveStatus.APPROVED),
        "member_id",
        "session__starts_on",
    ).values_list("member_id", "session_id", "session__kind", "session__name", "session__starts_on")
    excused = {(m, s): (k, n, d) for m, s, k, n, d in leaves}
    facts = []
    seen = set()
    for member_id, status, session_id, kind, name, day in rows:
        if status == AttendanceStatus.ABSENT and (member_id, session_id) in excused:
            status = AttendanceStatus.LEAVE
        seen.add((member_id, session_id))
        facts.append(_session_fact(member_id, status, session_id, kind, name, day))
    for (member_id, session_id), (kind, name, day) in excused.items():
        if (member_id, session_id) not in seen:
            facts.append(
                _session_fact(member_id, AttendanceStatus.LEAVE, session_id, kind, name, day)
            )
    return facts


def _session_fact(member_id, status, session_id, kind, name, day) -> Fact:
    return Fact(
        member_id=member_id,
        kind=SESSION_KINDS[kind][status],
        date=day,
        source=key_of(CommitteeSession, session_id),
        title=str(SESSION_TITLES[status]) % {"name": name},
        url=reverse("members:session_detail", args=[session_id]),
    )


def _session_touch(session, deleted: bool) -> Touch:
    key = source_key(session)
    if deleted:
        return Touch(sources=(key,))
    pk = session.pk

    def members():
        attended = SessionAttendance.objects.filter(session_id=pk).values_list("member_id")
        excused = LeaveRequest.objects.filter(session_id=pk).values_list("member_id")
        return [(m, None) for (m,) in [*attended, *excused]]

    return Touch(sources=(key,), later=(members,))


SESSIONS_SOURCE = Source(
    name="members.sessions",
    facts=session_facts,
    watches=(
        Watch(SessionAttendance, members_touch),
        Watch(LeaveRequest, members_touch),
        Watch(CommitteeSession, _session_touch),
    ),
)
