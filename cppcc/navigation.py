"""Navigation, portal sections and to-dos, registered by each app in its AppConfig.ready().

The registry keeps cppcc free of imports from the apps: each app says what it offers and to
which roles, and the base layout shows a person only what their roles may use.
"""

import datetime
import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, Value
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .generations import Generation
from .roles import Role, roles_of


@functools.lru_cache(maxsize=512)
def _reversed(url_name: str, prefix: str, urlconf: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def cached_reverse(url_name: str) -> str:
    """reverse() of a name without arguments, once per process. The layout asks every
    navigation item for its URL two or three times on every page (about sixty calls, ~4 ms a
    request) and the dashboard links every cell of its towns × steps chart; the answer only
    changes with the script prefix or the URLconf, which are part of the key."""
    return _reversed(url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str]
    order: int = 100
    group: str = ""

    @property
    def url(self) -> str:
        return cached_reverse(self.url_name)


@dataclass(frozen=True)
class PortalSection:
    """A block on the member's /portal/ page. `context(request, member)` returns the template's
    context, or None to leave the block out. A block is `kept` (its HTML, see rendered_sections)
    unless it reads something the sections' generation does not follow (the to-dos with the
    notifications, the duty record with the ledger's own version)."""

    template: str
    context: Callable
    order: int = 100
    kept: bool = True


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    portal: list[PortalSection] = field(default_factory=list)
    # Blocks on a handling unit's home page; `context(request, unit)`. Proposals owns the page,
    # consultations adds its matters here, so proposals never imports consultations.
    unit_home: list[PortalSection] = field(default_factory=list)
    todos: list["TodoSource"] = field(default_factory=list)


registry = Registry()


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in registry.nav:
            registry.nav.append(item)
    registry.nav.sort(key=lambda i: i.order)


def register_portal_section(section: PortalSection) -> None:
    if section not in registry.portal:
        registry.portal.append(section)
    registry.portal.sort(key=lambda s: s.order)


def register_unit_section(section: PortalSection) -> None:
    if section not in registry.unit_home:
        registry.unit_home.append(section)
    registry.unit_home.sort(key=lambda s: s.order)


# --- pages made of sections: the portal, a unit's home ------------------------------------------

# The apps whose records the sections show. Every write to one of their models moves the
# generation on, so a block is never served from before a change, whichever block it is: a
# list kept in step with each block's reads would go stale the day a block reads one more
# model. Left out: the history tables (written with the rows they copy), the duty ledger, which
# no kept block reads and whose rebuilds delete in bulk without signals, and reports (its
# yearly summaries are no block's).
SECTION_APPS = ("members", "studios", "consultations", "proposals")
SECTION_TIMEOUT = 600
SECTIONS = Generation("page-sections", ())


def watch_sections() -> None:
    """Connects the sections' generation to the models of SECTION_APPS (cppcc's ready(), once
    every model is loaded)."""
    from django.apps import apps

    SECTIONS.fed_by = SECTIONS.deletes = tuple(
        model._meta.label
        for label in SECTION_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical") and model._meta.label != "members.DutyEntry"
    )
    SECTIONS.watch()


def viewer_key(user) -> str:
    """Who a kept value is for: the person, what decides what visible_to gives them (their
    roles and groups, the member, town and unit their login is tied to) and the language. The
    links are in the key because a change to a login is no write to SECTION_APPS."""
    from django.utils.translation import get_language

    roles = ".".join(sorted(roles_of(user)))
    links = f"{user.member_id}.{user.town_id}.{user.handling_unit_id}"
    return f"{user.pk}:{roles}:{links}:{get_language()}"


# Stands for the viewer's CSRF token in kept HTML: a form that posts is kept with it and gets
# the viewer's own token on each visit (the token is the viewer's, and changes at login).
CSRF_STAND_IN = "cppcc-kept-csrf-token"


def kept_html(request, key: str, render: Callable[[], str]) -> str:
    """render(), kept for this viewer and day until a record of SECTION_APPS changes: a page
    block whose HTML is the same from one visit to the next (a year's board, a page of a list).
    Nothing kept may hold what changes from one response to the next (a CSP nonce; a CSRF token
    other than CSRF_STAND_IN, see kept_render)."""
    from django.middleware.csrf import get_token
    from django.utils.safestring import mark_safe

    html = SECTIONS.remembered(
        f"{key}:{viewer_key(request.user)}", render, timeout=SECTION_TIMEOUT, daily=True
    )
    if CSRF_STAND_IN in html:
        html = html.replace(CSRF_STAND_IN, get_token(request))
    return mark_safe(html)  # noqa: S308 -- render()'s own template output


def kept_render(request, key: str, template: str, context: Callable[[], dict]) -> str:
    """`template` rendered with context() (read only when it is not kept), kept by kept_html;
    its forms' CSRF token is the viewer's."""
    from django.template.loader import render_to_string

    def render() -> str:
        return render_to_string(
            template, {**context(), "csrf_token": CSRF_STAND_IN}, request=request
        )

    return kept_html(request, key, render)


def kept_list(request, name: str, template: str, body_template: str, context: Callable, **outer):
    """The response of a list page whose body (filter bar, rows, their counts, pagination) is
    the same from one visit to the next until a record changes: rendered from `body_template`
    with context() and kept per viewer, query and day (kept_render). `template` wraps it as
    {{ body }}, with `outer` beside it (what its title and scripts need)."""
    from django.shortcuts import render

    body = kept_render(request, f"{name}:{query_key(request)}", body_template, context)
    return render(request, template, {"body": body, **outer})


def query_key(request) -> str:
    """The query string, for a key: hashed, since it is whatever the address bar holds."""
    return hashlib.blake2b(request.GET.urlencode().encode()).hexdigest()


def rendered_sections(request, sections: Iterable[PortalSection], owner, owner_key: str) -> list:
    """The HTML of each block of a page made of sections, for `owner` (the member, the unit).

    A kept block is rendered once per owner, viewer (their roles decide what visible_to gives),
    language and day, and served from the shared cache until a record of SECTION_APPS changes
    (SECTIONS): a member's portal is eight blocks of a query or two each, read again and again
    between the office's writes (issue 13). Blocks left out (context None) keep an empty entry.
    A kept block's forms (a unit's task-done form) carry the viewer's CSRF token (kept_html).
    """
    from django.template.loader import render_to_string

    blocks = []
    for section in sections:

        def render(section=section) -> str:
            context = section.context(request, owner)
            if context is None:
                return ""
            extra = {"csrf_token": CSRF_STAND_IN} if section.kept else {}
            return render_to_string(section.template, {"s": context, **extra}, request=request)

        if section.kept:
            html = kept_html(request, f"{section.template}:{owner_key}", render)
        else:
            html = render()
        if html:
            blocks.append(html)
    return blocks


def nav_for(user) -> list[NavItem]:
    roles = roles_of(user)
    return [item for item in registry.nav if item.roles & roles]


# --- to-dos ---------------------------------------------------------------------------------

# Bootstrap colour names: red (overdue / needs action now), yellow (soon), green (in time).
TODO_LEVELS = ("danger", "warning", "success", "info", "secondary")


@dataclass(frozen=True)
class TodoItem:
    """One line of a home page's to-do list: what, how many, and the filtered list to open.

    `nav` names the navigation item that shows the count as a badge when no navigation item
    points at the link itself (e.g. stalled matters link to the matter list, badge the board);
    `badge=False` keeps a count out of the badge when another item already covers it (overdue
    matters are counted among the stalled).

    A source may give `count` as a QuerySet (its rows are counted) or a Pending, and `due` as a
    Pending: all the to-dos of a request are then read in one query (see _computed)."""

    label: str
    count: "int | QuerySet | Pending"
    url: str
    # Or `level(due)`, when the colour follows a due date given as a Pending.
    level: "str | Callable" = "warning"
    nav: str = ""
    badge: bool = True
    due: "datetime.date | Pending | None" = None


@dataclass(frozen=True)
class TodoSource:
    """An app's to-dos for the holders of `roles`: `items(user)` returns TodoItems whose counts
    cost the same whatever the number of rows; counts given unread (a QuerySet or a Pending)
    cost no query of their own."""

    key: str
    roles: frozenset[str]
    items: Callable
    order: int = 100
    # For counts that read what SECTION_APPS' writes do not announce: a version of it, part of
    # the key the counts are kept under (None: keep nothing now). See _computed.
    version: Callable[[], "str | None"] | None = None


def register_todos(*sources: TodoSource) -> None:
    for source in sources:
        if all(s.key != source.key for s in registry.todos):
            registry.todos.append(source)
    registry.todos.sort(key=lambda s: s.order)


def todo_url(
    name: str, params: dict | None = None, *, fallback: str | None = None, anchor: str = ""
) -> str:
    """The filtered list a to-do opens. While a list another app is still building has no URL
    yet, the link falls back to the nearest page that exists."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        if fallback is None:
            raise
        url = reverse(fallback)
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


def _computed(request) -> list[tuple[TodoSource, list[TodoItem]]]:
    """Every to-do source of the person's roles, computed once per request: the home page's list
    and the navigation badges read the same numbers.

    The counts are kept per viewer and day until a record of SECTION_APPS changes (and each
    source's own `version`, the duty ledger's for the duty flags): the office's to-dos are one
    statement over the whole county (~35 ms of PostgreSQL at ten counties' scale, issue 13) and
    as many querysets to build, read on every visit of a home page. The unread notifications,
    read with them when they are computed, are not kept: the layout then reads them alone."""
    cached = getattr(request, "_cppcc_todos", None)
    if cached is None:
        user = request.user
        roles = roles_of(user)
        sources = [s for s in registry.todos if s.roles & roles]

        def compute() -> list[tuple[str, list[TodoItem]]]:
            computed, request._cppcc_unread = _read(
                [(s, list(s.items(user))) for s in sources], user
            )
            # Labels as text: a kept value is pickled, and the key holds the language.
            return [
                (source.key, [replace(item, label=str(item.label)) for item in items])
                for source, items in computed
            ]

        versions = [source.version() for source in sources if source.version is not None]
        if None in versions:
            kept = compute()
        else:
            key = f"todos:{'.'.join(versions)}:{viewer_key(user)}"
            kept = SECTIONS.remembered(key, compute, timeout=SECTION_TIMEOUT, daily=True)
        by_key = dict(kept)
        cached = [(source, by_key.get(source.key, [])) for source in sources]
        request._cppcc_todos = cached
        _remember_badges(request, _badges_of(cached, user))
    return cached


def _unread(value) -> "Pending | None":
    if isinstance(value, QuerySet):
        return Pending.count(value)
    return value if isinstance(value, Pending) else None


def _read(computed, user) -> tuple[list, int]:
    """The to-dos with every unread count and due date read, and the person's unread
    notifications (which the layout shows beside them), in one query."""
    from .notifications import unread_pending

    pendings = [unread_pending(user)]
    for _source, items in computed:
        for item in items:
            pendings += [p for p in (_unread(item.count), _unread(item.due)) if p is not None]
    unread, *values = run_together(pendings)
    read = iter(values)

    def filled(item: TodoItem) -> TodoItem:
        changes = {}
        for name in ("count", "due"):
            if _unread(getattr(item, name)) is not None:
                changes[name] = next(read)
        if callable(item.level):
            changes["level"] = item.level(changes.get("due", item.due))
        return replace(item, **changes) if changes else item

    return [(source, [filled(item) for item in items]) for source, items in computed], unread


def read_todo_items(items: list[TodoItem]) -> list[TodoItem]:
    """One source's items with their counts and due dates read, for a caller outside a page
    (a test of the source, a command)."""
    [(_none, read)], _unread_count = _read([(None, items)], None)
    return read


def todos_for(request, roles: Iterable[str]) -> list[TodoItem]:
    """The to-dos a home page shows: those of the sources for the page's roles that the person
    holds; an item counting nothing is left out (the list then says 暂无待办)."""
    wanted = frozenset(roles) & roles_of(request.user)
    return [
        item
        for source, items in _computed(request)
        if source.roles & wanted
        for item in items
        if item.count
    ]


# The badges of the other pages come from the person's last home page visit (where login lands),
# kept in the session: computing every count on every page would add queries to each list. A
# snapshot older than this is recomputed on the page that finds it; with none (a session that
# never saw a home page) the navigation shows no badges.
BADGE_MAX_AGE = 300
_SESSION_KEY = "cppcc_todo_badges"


def _badges_of(computed, user) -> dict[str, int]:
    """Counts per navigation URL name: the nav item whose page a to-do links to, else the one
    the item names."""
    by_path = {urlsplit(item.url).path: item.url_name for item in nav_for(user)}
    badges: dict[str, int] = {}
    for _source, items in computed:
        for item in items:
            if not item.count or not item.badge:
                continue
            target = by_path.get(urlsplit(item.url).path) or item.nav
            if target:
                badges[target] = badges.get(target, 0) + item.count
    return badges


def _remember_badges(request, badges: dict[str, int]) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    kept = session.get(_SESSION_KEY) or {}
    # Rewrite the session row only when a number changed or the snapshot ages.
    if kept.get("badges") != badges or now - kept.get("at", 0) > BADGE_MAX_AGE / 2:
        session[_SESSION_KEY] = {"at": now, "badges": badges}


def expire_badges(request) -> None:
    """After a person changes something (a POST that succeeded), their next page recounts, so
    the badge of what they just dealt with does not linger for BADGE_MAX_AGE."""
    session = getattr(request, "session", None)
    kept = session.get(_SESSION_KEY) if session is not None else None
    if kept and kept.get("at"):
        session[_SESSION_KEY] = {**kept, "at": 0}


def nav_badges(request) -> dict[str, int]:
    """The to-do counts the navigation shows, by URL name (see BADGE_MAX_AGE)."""
    if getattr(request, "_cppcc_todos", None) is None:
        kept = getattr(request, "session", {}).get(_SESSION_KEY)
        if kept is None:
            return {}
        if time.time() - kept.get("at", 0) <= BADGE_MAX_AGE:
            return kept["badges"]
    return _badges_of(_computed(request), request.user)


def portal_todos(request, member) -> dict:
    """The member's to-dos as the first block of /portal/ (registered in cppcc.apps)."""
    return {"todos": todos_for(request, {Role.MEMBER})}


# --- several counts in one statement ----------------------------------------------------------
# A home page reads a dozen figures and to-do counts from as many tables. Sent one by one, each
# pays a round trip and the page's query count grows with every figure an app adds; sent as one
# statement (SELECT * FROM (q1) CROSS JOIN (q2) …) they cost one. Each part is a query the
# database answers with exactly one row: an aggregate without GROUP BY (one_row) or the COUNT(*)
# of any queryset.


def one_row(queryset: QuerySet, **aggregates) -> QuerySet:
    """`queryset.aggregate(**aggregates)` as a lazy queryset of exactly one row (grouping by a
    constant groups nothing, so the aggregates run over the whole queryset, as aggregate() does)."""
    return queryset.order_by().annotate(one=Value(1)).values("one").annotate(**aggregates)


@dataclass(frozen=True)
class Pending:
    """A value still to be read: `shape(rows)` of the one-row answers of `parts`, each a one-row
    queryset (one_row) or, for a `Counted`, the number of rows of a queryset."""

    parts: tuple
    shape: Callable

    def evaluate(self):
        return run_together([self])[0]

    @classmethod
    def count(cls, queryset: QuerySet) -> "Pending":
        """What `queryset.count()` returns."""
        return cls((Counted(queryset),), lambda rows: rows[0])

    @classmethod
    def combine(cls, shape: Callable, **pendings: "Pending") -> "Pending":
        """One Pending of several: `shape(**{name: value})`."""
        parts = tuple(part for pending in pendings.values() for part in pending.parts)

        def shaped(rows):
            values, start = {}, 0
            for name, pending in pendings.items():
                end = start + len(pending.parts)
                values[name] = pending.shape(rows[start:end])
                start = end
            return shape(**values)

        return cls(parts, shaped)


@dataclass(frozen=True)
class Counted:
    queryset: QuerySet


def _empty_row(query) -> list:
    """What the database would answer for a part that can match nothing (a `none()` queryset,
    which Django refuses to compile), as aggregate() answers it."""
    values = []
    for expression in query.annotation_select.values():
        value = getattr(expression, "empty_result_set_value", None)
        values.append(None if value is NotImplemented else value)
    return values


def run_together(pendings: list[Pending]) -> list:
    """The values of `pendings`, read in one statement whatever their number."""
    parts = [part for pending in pendings for part in pending.parts]
    froms, params, readers = [], [], []
    for i, part in enumerate(parts):
        if isinstance(part, Counted):
            try:
                sql, part_params = part.queryset.order_by().query.sql_with_params()
            except EmptyResultSet:
                readers.append((0, 0))
                continue
            froms.append(f"(SELECT COUNT(*) AS n FROM ({sql}) AS c{i}) AS b{i}")
            readers.append((1, None))
        else:
            query = part.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            compiler = query.get_compiler(part.db)
            try:
                sql, part_params = compiler.as_sql()
            except EmptyResultSet:
                readers.append((0, dict(zip(names, _empty_row(query), strict=True))))
                continue
            froms.append(f"({sql}) AS b{i}")
            readers.append((len(names), (compiler, names)))
        params.extend(part_params)
    row = ()
    if froms:
        alias = parts[0].queryset.db if isinstance(parts[0], Counted) else parts[0].db
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT * FROM " + " CROSS JOIN ".join(froms), params)
            row = cursor.fetchone()
    rows, start = [], 0
    for width, reader in readers:
        cells = row[start : start + width]
        start += width
        if width == 0:
            rows.append(reader)  # answered without asking: 0 rows counted, or empty aggregates
        elif reader is None:
            rows.append(int(cells[0]))
        else:
            compiler, names = reader
            converted = next(iter(compiler.results_iter(results=[[cells]])))
            rows.append(dict(zip(names, converted, strict=True)))
    values, start = [], 0
    for pending in pendings:
        end = start + len(pending.parts)
        values.append(pending.shape(rows[start:end]))
        start = end
    return values
