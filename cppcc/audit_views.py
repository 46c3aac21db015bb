"""The audit trail's page and its xlsx export, for holders of the audit permission
(cppcc.view_auditevent: the 系统管理员 role and the 审计日志查看 group)."""

import django_filters
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import can_view_audit
from .exports import Column, xlsx_response
from .filters import DateRangeForm, ListFilterSet, date_filters, search
from .models import AuditEvent, AuditKind, AuditOutcome
from .views import allowed_if

audit_required = allowed_if(can_view_audit)


class AuditFilter(ListFilterSet):
    user = django_filters.CharFilter(
        label=_("用户"), field_name="username", lookup_expr="icontains", max_length=150
    )
    kind = django_filters.ChoiceFilter(
        label=_("类别"), choices=AuditKind.choices, empty_label=_("全部类别")
    )
    outcome = django_filters.ChoiceFilter(
        label=_("结果"), choices=AuditOutcome.choices, empty_label=_("全部结果")
    )
    date_from, date_to = date_filters("at__date")
    # A prefix, so "10.2.3." finds a whole office network.
    ip = django_filters.CharFilter(
        label=_("来源地址"), field_name="client_ip", lookup_expr="startswith", max_length=45
    )
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q", max_length=100)

    class Meta:
        form = DateRangeForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placeholders = {"user": _("用户名"), "ip": _("来源地址"), "q": _("操作 / 对象 / 路径")}
        for name, text in placeholders.items():
            self.form.fields[name].widget.attrs["placeholder"] = text

    def filter_q(self, qs, name, value):
        return search(qs, ("action", "object_repr", "path", "detail"), value)


def _filtered(request) -> AuditFilter:
    qs = AuditEvent.objects.select_related("content_type").order_by("-at", "-id")
    return AuditFilter(request.GET, queryset=qs, request=request)


@audit_required
def audit_list(request):
    filterset = _filtered(request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "cppcc/audit_list.html", {"filter": filterset, "page_obj": page})


AUDIT_COLUMNS = (
    Column(_("时间"), 26),
    Column(_("用户名"), 16, text=True),
    Column(_("类别"), 12),
    Column(_("操作"), 28),
    Column(_("对象类型"), 14),
    Column(_("对象编号"), 10, text=True),
    Column(_("对象"), 24),
    Column(_("结果"), 8),
    Column(_("HTTP 状态"), 9),
    Column(_("来源地址"), 16, text=True),
    Column(_("请求方法"), 8),
    Column(_("路径"), 36),
    Column(_("说明"), 30),
)


@audit_required
def audit_export(request):
    filterset = _filtered(request)
    rows = (
        (
            # With its offset (+08:00), so the file states the zone of every time.
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            e.username,
            e.get_kind_display(),
            e.action,
            e.content_type.name if e.content_type else "",
            e.object_id,
            e.object_repr,
            e.get_outcome_display(),
            e.status_code,
            e.client_ip or "",
            e.method,
            e.path,
            e.detail,
        )
        for e in filterset.qs.iterator(chunk_size=2000)
    )
    return xlsx_response(_("审计日志"), AUDIT_COLUMNS, rows)
