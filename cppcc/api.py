"""What every app's API shares: permissions and pagination (errors: cppcc.api_errors)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, permissions

from .roles import Role, can_edit_county, has_role


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class NestedListPagination(Pagination):
    """Lists whose every row carries a list of its own (a meeting's or an activity's attendance,
    tens of rows each): twenty rows a page unless the client asks for more (`page_size`, up to
    200). Fifty such rows made these answers the slowest of the API at ten counties' scale
    (issue 13)."""

    page_size = 20


class IsStaffOrScopedReadOnly(permissions.IsAuthenticated):
    """Reads are open to every logged-in role: what they see is decided by each viewset's
    scoped queryset. Writes need office rights or, for town-scoped records, a town clerk."""

    message = _("您没有执行该操作的权限。")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if can_edit_county(request.user):
            return True
        return bool(
            getattr(view, "town_clerks_may_write", False) and has_role(request.user, Role.TOWN)
        )
