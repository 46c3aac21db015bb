"""Navigation, portal sections and to-dos, registered by each app in its AppConfig.ready().

The registry keeps cppcc free of imports from the apps: each app says what it offers and to
which roles, and the base layout shows a person only what their roles may use.
"""

import datetime
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.urls import NoReverseMatch, reverse

from .roles import Role, roles_of


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
        return reverse(self.url_name)


@dataclass(frozen=True)
class PortalSection:
    """A block on the member's /portal/ page. `context(request, member)` returns the template's
    context, or None to leave the block out."""

    template: str
    context: Callable
    order: int = 100


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
    matters are counted among the stalled)."""

    label: str
    count: int
    url: str
    level: str = "warning"
    nav: str = ""
    badge: bool = True
    due: datetime.date | None = None


@dataclass(frozen=True)
class TodoSource:
    """An app's to-dos for the holders of `roles`: `items(user)` returns TodoItems, counted in
    one or two queries whatever the number of rows."""

    key: str
    roles: frozenset[str]
    items: Callable
    order: int = 100


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
    and the navigation badges read the same numbers."""
    cached = getattr(request, "_cppcc_todos", None)
    if cached is None:
        user = request.user
        roles = roles_of(user)
        cached = [(s, list(s.items(user))) for s in registry.todos if s.roles & roles]
        request._cppcc_todos = cached
        _remember_badges(request, _badges_of(cached, user))
    return cached


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
