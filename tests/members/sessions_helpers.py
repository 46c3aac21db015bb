"""Sessions and their members for the session tests (tests/members/test_session*.py)."""

import datetime

from django.utils import timezone

from members.models import CommitteeSession, Post, SessionAudience, SessionKind

from ..factories import MemberFactory


def today() -> datetime.date:
    return timezone.localdate()


def make_session(term, *, kind=SessionKind.PLENARY, ordinal=1, days=-10, audience=None, **kw):
    """A session starting `days` from today (negative: held)."""
    starts = today() + datetime.timedelta(days=days)
    fields = {
        "name": f"{term.name}第{ordinal}次{kind}",
        "starts_on": starts,
        "ends_on": starts + datetime.timedelta(days=kw.pop("length", 0)),
        "audience": audience
        or (SessionAudience.STANDING if kind == SessionKind.STANDING else SessionAudience.ALL),
        **kw,
    }
    return CommitteeSession.objects.create(term=term, kind=kind, ordinal=ordinal, **fields)


def make_members(term, n: int, *, post=Post.MEMBER, prefix="委员"):
    members = [MemberFactory(name=f"{prefix}{i}", post=post) for i in range(n)]
    for m in members:
        m.terms.add(term)
    return members
