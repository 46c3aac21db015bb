"""Reads that check access. Which members a person may see is MemberQuerySet.visible_to
(models.py); the checks here decide what they may do with them."""

from django.utils.translation import gettext as _

from cppcc.roles import Role, has_role


def can_view_sensitive(user) -> bool:
    """Full ID number, mobile and birth date: office staff holding the member register right."""
    return has_role(user, Role.ADMIN, Role.OFFICE) and user.has_perm(
        "members.view_member_sensitive"
    )


def can_manage_members(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OFFICE)


# --- to-dos on the home pages (registered in apps.py) -------------------------------------------


def todo_change_requests(user) -> list:
    """Members' change requests waiting for review, among the members the reviewer may see."""
    from cppcc.navigation import TodoItem, todo_url

    from .models import ChangeRequestStatus, Member, MemberChangeRequest

    pending = MemberChangeRequest.objects.filter(
        status=ChangeRequestStatus.PENDING, member__in=Member.objects.visible_to(user)
    ).count()
    return [
        TodoItem(
            _("委员信息修改待审核"),
            pending,
            todo_url("members:change_requests", {"status": ChangeRequestStatus.PENDING}),
        )
    ]
