"""The figure pages' figures kept in Django's cache (Redis in production), so that a repeat
visit neither compiles the forty-odd aggregates of reports.figures.page_figures nor has the
database run them over the whole county (issue 13).

An entry is shared by the viewers who see the same records: the roles seeing the whole county
share one, a town clerk's is their town's; any other viewer is not cached. It is keyed by a data
generation, which every write to a record a figure reads moves on (post_save, post_delete,
m2m_changed of the models in FED_BY; writers that send no signal call `changed`), and by today's
date, since "to date" periods and overdue counts move with it. TIMEOUT bounds what a write that
escaped both could cost.

Writers that bypass the model signals announce their writes with cppcc.changes.announce (the
apps cannot import reports).
"""

from collections.abc import Callable

from cppcc.generations import Generation
from cppcc.roles import clerk_town_id, is_countywide

from . import statistics

TIMEOUT = 600

# The models whose rows a cached figure reads (page_figures, years_covered, the dashboard's
# charts but the points, which follow the duty ledger's version, the office home's session
# attendance), directly or through a viewer's scope (a town's members are those of its
# studios' memberships).
FED_BY = (
    "members.Member",
    "members.Sector",
    "members.Term",
    "members.CommitteeSession",
    "members.SessionAttendance",
    "members.LeaveRequest",
    "studios.Town",
    "studios.Studio",
    "studios.StudioMembership",
    "studios.Activity",
    "studios.Problem",
    "consultations.Matter",
    "consultations.ConsultationMeeting",
    "consultations.MeetingAttendance",
    "consultations.LivelihoodProject",
    "proposals.Proposal",
    "proposals.ProposalUnit",
    "proposals.ProposalReply",
    "proposals.ProposalRating",
    "proposals.OpinionReport",
    "proposals.OpinionAdoption",
    "proposals.LeaderInstruction",
)


FIGURES = Generation("figures", FED_BY)


def generation() -> int:
    return FIGURES.current()


def clear() -> None:
    """Leaves every entry cached so far behind, now: for tests, whose rolled-back rows the
    cache outlives, and for writers outside any transaction and signal (the bench's generator)."""
    FIGURES.bump()


def changed(using: str | None = None) -> None:
    """Records read by the figures changed: entries cached so far are not read again."""
    FIGURES.changed(using)


def watch() -> None:
    """Connects the signals of every model in FED_BY (reports' AppConfig.ready)."""
    FIGURES.watch()


def scope_key(user, town) -> str | None:
    """Who shares the figures `user` sees for `town`: "county" for the roles that see every
    record, "town-<id>" for a town clerk looking at their town, None (not cached) otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    if is_countywide(user):
        return "county"
    own = clerk_town_id(user)
    if own is not None and town is not None and town.pk == own:
        return f"town-{own}"
    return None


def remembered(parts: list, compute: Callable):
    """compute(), or the value it gave before for the same `parts` (and generation, and day);
    not kept by a transaction that changed the records (Generation.remembered)."""
    return FIGURES.remembered(":".join(map(str, parts)), compute, timeout=TIMEOUT, daily=True)


def years_covered() -> list[int]:
    """statistics.years_covered, cached."""
    return remembered(["years"], statistics.years_covered)
