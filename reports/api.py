"""/api/v1/stats/?year=&town=: the figures of the dashboard, from the same functions
(reports.figures.page_figures, through the figure cache), with the period, the same span a year earlier and the change.

Who: office, admin, leaders (any town or the county) and town clerks, whose figures are always
their own town's: a clerk asking for another town gets 403. Members and handling units get 403.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cppcc.roles import Role, clerk_town_id, has_role

from . import figure_cache, statistics
from .figures import cached_page_figures, towns_for
from .periods import Period

FIGURE_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN)


class SeesFigures(permissions.IsAuthenticated):
    message = _("只有机关、领导和镇街工作人员可以查看统计数据。")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and has_role(request.user, *FIGURE_ROLES)


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        help_text=_("统计年度，默认今年；须在记录覆盖的年度内"),
        error_messages={"invalid": _("年度须为数字，如 2025。")},
    )
    town = serializers.IntegerField(
        required=False,
        help_text=_("镇街编号；不填为全区（镇街工作人员固定为本镇街）"),
        error_messages={"invalid": _("镇街编号须为数字。")},
    )

    def validate_year(self, value: int) -> int:
        covered = figure_cache.years_covered()
        if value not in covered:
            raise serializers.ValidationError(
                _("没有%(y)s年的记录，可查询%(first)d年至%(last)d年。")
                % {"y": value, "first": covered[-1], "last": covered[0]}
            )
        return value


def _period_json(period: Period) -> dict:
    before = period.previous()
    return {
        "year": period.year,
        "start": period.start,
        "end": period.end,
        "label": period.label,
        "comparison_label": period.comparison_label,
        "previous": {"year": before.year, "start": before.start, "end": before.end},
    }


class StatsViewSet(viewsets.ViewSet):
    permission_classes = [SeesFigures]

    @extend_schema(
        summary="统计数据（任一年度，含上年同期比较）",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="统计年度，默认今年"),
            OpenApiParameter("town", OpenApiTypes.INT, description="镇街编号，默认全区"),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="period（统计范围与比较范围）、town、members、studios；"
                "activities、problems、consultations.meetings、consultations.totals、"
                "proposals（选镇街时为 null）、opinions 各含 current / previous / change。",
            ),
            400: OpenApiResponse(description="年度或镇街参数无效（中文说明）"),
            403: OpenApiResponse(description="委员、承办单位，或镇街工作人员查看其他镇街"),
        },
    )
    def list(self, request):
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        year = query.validated_data.get("year") or statistics.current_year()
        town_id = query.validated_data.get("town")
        own = clerk_town_id(user)
        if own is not None and town_id not in (None, own):
            raise PermissionDenied(_("镇街工作人员只能查看本镇街的统计。"))
        town = None
        if own is not None or town_id is not None:
            town = towns_for(user).filter(pk=own or town_id).first()
            if town is None:
                raise serializers.ValidationError({"town": [_("镇街不存在或您无权查看。")]})
        period = Period.for_year(year)
        figures, _years, _extra = cached_page_figures(user, period, town)
        figures["period"] = _period_json(period)
        figures["town"] = {"id": town.pk, "name": town.name} if town else None
        return Response(figures)


routes = [("stats", StatsViewSet, "stats")]
