"""DELETE in the API: the same workflow as the pages' delete button (cppcc.softdelete).

Its own module because cppcc.api is loaded by DRF's settings, before the schema tools can be."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from . import softdelete
from .api_schema import CONFLICT, ERRORS


class SoftDeleteDestroyMixin:
    """DELETE on a record that mattered moves it to the 回收站 (an unused draft is deleted for
    real), through the same workflow function as the page's delete button. The object comes from
    the viewset's scoped queryset (404 outside it); who may delete is who may edit it (403)."""

    @extend_schema(
        summary="删除（移入回收站；未使用的草稿直接删除）",
        description="可在回收站撤销。无权修改该记录时答 403，已被他人删除时答 409。",
        responses={204: None, **ERRORS, **CONFLICT},
    )
    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        if not softdelete.can_delete(request.user, obj):
            self.permission_denied(request)
        # ConflictError (someone deleted it first) answers 409 through cppcc.api_errors.
        softdelete.delete(obj, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
