"""What other apps may hear about a member without members importing them (arrows point one
way: studios imports members, never the reverse).

`member_changed` is sent by members.services and members.workflow when a member's party
affiliation or status changed, with `member`, `changed` (the names of the changed fields) and
`by` (who changed it). It is sent INSIDE the transaction that wrote the change, so a receiver's
own writes (studios flags a Party group whose leader is no longer eligible) commit or roll back
with it: a refused or failed change leaves no flag behind, and a committed change never lacks
one. A receiver that raises therefore undoes the change; receivers do their side effects that
leave the database (email) on commit.
"""

from django.dispatch import Signal

member_changed = Signal()

# The fields a receiver may care about; save paths compare these before and after a write.
TRACKED_FIELDS = ("party", "status")


def tracked_values(member) -> dict:
    """The stored values of TRACKED_FIELDS for an existing member, {} for a new one."""
    if member.pk is None:
        return {}
    stored = type(member)._default_manager.filter(pk=member.pk).values(*TRACKED_FIELDS).first()
    return stored or {}


def send_if_changed(member, before: dict, *, by) -> frozenset[str]:
    """Sends member_changed when a tracked field differs from `before` (tracked_values taken
    before the write); returns the changed field names."""
    if not before:
        return frozenset()
    changed = frozenset(
        name for name in TRACKED_FIELDS if before.get(name) != getattr(member, name)
    )
    if changed:
        member_changed.send(sender=type(member), member=member, changed=changed, by=by)
    return changed
