"""Reads that check access. One function per access rule; views and the API start from these."""

from django.db.models import QuerySet

from cppcc.roles import Role, clerk_town_id, has_role, is_countywide


def members_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Admin, office and leaders: every member. A town clerk: the members of their town's
    studios. A member: only themself. Handling units: none."""
    from .models import Member

    qs = Member.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_countywide(user):
        return qs
    town_id = clerk_town_id(user)
    if town_id is not None:
        in_town = Member.objects.filter(
            studio_memberships__studio__town_id=town_id, studio_memberships__end_on__isnull=True
        ).values("pk")
        return qs.filter(pk__in=in_town)
    if has_role(user, Role.MEMBER) and user.member_id:
        return qs.filter(pk=user.member_id)
    return qs.none()


def can_view_sensitive(user) -> bool:
    """Full ID number, mobile and birth date: office staff holding the member register right."""
    return has_role(user, Role.ADMIN, Role.OFFICE) and user.has_perm(
        "members.view_member_sensitive"
    )


def can_manage_members(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OFFICE)
