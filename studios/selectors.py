"""Reads that check access for towns, studios and what hangs off them."""

from django.db.models import QuerySet

from cppcc.roles import Role, clerk_town_id, has_role, is_countywide


def scope_to_town(qs: QuerySet, user) -> QuerySet:
    """The access rule for every town-scoped record (the queryset class names its paths):
    county roles see all; a town clerk sees their town's rows; a member sees the rows of their
    own studios (or their own rows, as the queryset says); anyone else sees nothing."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_countywide(user):
        return qs
    town_id = clerk_town_id(user)
    if town_id is not None:
        return qs.filter(pk__in=qs.model.objects.filter(**{qs.town_path: town_id}).values("pk"))
    if has_role(user, Role.MEMBER) and user.member_id:
        return qs.filter(pk__in=qs.model.objects.filter(qs.member_q(user.member_id)).values("pk"))
    return qs.none()


def can_edit_town_records(user, town_id: int | None) -> bool:
    """Office staff edit everywhere; a town clerk only inside their own town; leaders never."""
    if has_role(user, Role.ADMIN, Role.OFFICE):
        return True
    return town_id is not None and clerk_town_id(user) == town_id
