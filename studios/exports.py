"""The studio lists as .xlsx: one function per list, given the rows its page filtered (same
filterset, same visible_to), so a file never holds more than the page would show. None of these
lists shows a member's sensitive fields (ID number, mobile, birth date), so none exports them."""

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from cppcc.exports import Column, xlsx_response

from . import selectors


def _date(value) -> str:
    return value.isoformat() if value else ""


def activities(rows: Iterable) -> HttpResponse:
    columns = [
        Column(_("活动日期"), 12),
        Column(_("活动主题"), 30),
        Column(_("活动类型"), 12),
        Column(_("工作室"), 24),
        Column(_("镇街"), 12),
        Column(_("活动地点"), 20),
        Column(_("出席委员"), 10),
        Column(_("其他参加人数"), 12),
        Column(_("服务群众人数"), 12),
        Column(_("带货销售额（万元）"), 16),
    ]
    return xlsx_response(
        _("活动记录"),
        columns,
        (
            (
                _date(a.date),
                a.title,
                a.get_kind_display(),
                a.studio.name,
                a.studio.town.name if a.studio.town else "",
                a.place,
                a.present_count,
                a.other_participants,
                a.residents_reached,
                float(a.sales_wan) if a.sales_wan is not None else None,
            )
            for a in rows
        ),
    )


def problems(rows: Iterable) -> HttpResponse:
    columns = [
        Column(_("反映日期"), 12),
        Column(_("问题"), 30),
        Column(_("工作室"), 24),
        Column(_("镇街"), 12),
        Column(_("村/社区"), 14),
        Column(_("反映人"), 12),
        Column(_("跟进委员"), 10),
        Column(_("状态"), 10),
        Column(_("解决日期"), 12),
        Column(_("解决情况"), 40),
    ]
    return xlsx_response(
        _("民生问题"),
        columns,
        (
            (
                _date(p.raised_on),
                p.title,
                p.studio.name,
                p.studio.town.name if p.studio.town else "",
                p.village.name if p.village else "",
                p.raised_by,
                p.follower_count,
                p.get_status_display(),
                _date(p.solved_on),
                p.resolution,
            )
            for p in rows
        ),
    )


def studios(rows: Iterable, year: int) -> HttpResponse:
    columns = [
        Column(_("工作室"), 28),
        Column(_("类型"), 18),
        Column(_("级别"), 8),
        Column(_("镇街"), 12),
        Column(_("依托单位"), 20),
        Column(_("成员"), 8),
        Column(_("核心委员"), 10),
        Column(_("联动委员"), 10),
        Column(_("党员委员"), 10),
        Column(_("人数提示"), 10),
        Column(_("党小组组长"), 12),
        Column(_("%(year)d年活动") % {"year": year}, 10),
        Column(_("未解决问题"), 10),
        Column(_("已解决问题"), 10),
        Column(_("“六有”达标项"), 12),
    ]
    flags = {"small": _("人数偏少"), "large": _("人数超额"), "": ""}
    return xlsx_response(
        _("委员工作室"),
        columns,
        (
            (
                s.name,
                s.get_kind_display(),
                s.get_level_display(),
                s.town.name if s.town else "",
                s.host_unit,
                s.member_count,
                s.core_count,
                s.linked_count,
                s.party_count,
                flags[selectors.size_flag(s)],
                _group_leader(s),
                s.activities_this_year,
                s.open_problems,
                s.solved_problems,
                f"{s.six_has_met}/6",
            )
            for s in rows
        ),
    )


def _group_leader(studio) -> str:
    group = getattr(studio, "party_group", None)
    return group.leader.name if group else ""


def party_groups(rows: Iterable) -> HttpResponse:
    columns = [
        Column(_("党小组"), 28),
        Column(_("工作室"), 24),
        Column(_("镇街"), 12),
        Column(_("组长"), 10),
        Column(_("指导党支部"), 24),
        Column(_("党员委员"), 10),
        Column(_("成立日期"), 12),
        Column(_("组长状态"), 12),
        Column(_("待调整原因"), 40),
    ]
    return xlsx_response(
        _("党小组"),
        columns,
        (
            (
                g.name,
                g.studio.name,
                g.studio.town.name if g.studio.town else "",
                g.leader.name,
                g.guiding_branch.name if g.guiding_branch else "",
                g.party_count,
                _date(g.founded_on),
                _("待更换组长") if g.leader_vacant_since else _("正常"),
                g.leader_vacant_reason,
            )
            for g in rows
        ),
    )


def contact_pairs(rows: Iterable) -> HttpResponse:
    columns = [
        Column(_("党员委员"), 12),
        Column(_("党外委员"), 12),
        Column(_("政治面貌"), 14),
        Column(_("届次"), 12),
        Column(_("建立联系日期"), 14),
        Column(_("联系记录"), 10),
    ]
    return xlsx_response(
        _("党员委员联系党外委员"),
        columns,
        (
            (
                p.party_member.name,
                p.non_party_member.name,
                p.non_party_member.get_party_display(),
                p.term.name,
                _date(p.since),
                p.record_count,
            )
            for p in rows
        ),
    )
