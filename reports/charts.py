"""ECharts option objects built from reports.statistics figures (rendered with json_script)."""

from django.utils.translation import gettext as _

PALETTE = ["#a61b1b", "#d9822b", "#3b7dd8", "#2f9e44", "#7048e8", "#868e96", "#e8590c", "#1098ad"]


def bar(title: str, rows: list[dict], horizontal: bool = False) -> dict:
    names = [r["name"] for r in rows]
    values = [r["count"] for r in rows]
    category = {
        "type": "category",
        "data": names,
        "axisLabel": {"interval": 0, "rotate": 0 if horizontal else 40},
    }
    value = {"type": "value", "minInterval": 1}
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {
            "left": 90 if horizontal else 40,
            "right": 20,
            "bottom": 30 if horizontal else 80,
            "top": 40,
        },
        "xAxis": value if horizontal else category,
        "yAxis": {**category, "inverse": True} if horizontal else value,
        "series": [{"type": "bar", "data": values, "name": title}],
    }


def pie(title: str, rows: list[dict]) -> dict:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "top": 30,
                "data": [{"name": r["name"], "value": r["count"]} for r in rows],
            }
        ],
    }


def months(title: str, counts: list[int]) -> dict:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 20, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [_("%(m)d月") % {"m": m} for m in range(1, 13)]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "smooth": True, "areaStyle": {}, "data": counts, "name": title}
        ],
    }


def stacked_towns(title: str, rows: list[dict]) -> dict:
    return {
        "color": ["#2f9e44", "#d9822b"],
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [_("已解决"), _("未解决")]},
        "grid": {"left": 40, "right": 20, "bottom": 90, "top": 40},
        "xAxis": {
            "type": "category",
            "data": [r["name"] for r in rows],
            "axisLabel": {"interval": 0, "rotate": 45},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "stack": "p", "name": _("已解决"), "data": [r["solved"] for r in rows]},
            {"type": "bar", "stack": "p", "name": _("未解决"), "data": [r["open"] for r in rows]},
        ],
    }


def steps(title: str, rows: list[dict]) -> dict:
    """The year's matters per step (reports.statistics.matters_by_step), finished ones last in
    green. Bars lie flat so the eight step names stay readable on a 375 px phone (side by side
    they overlapped)."""
    option = bar(title, rows, horizontal=True)
    option["series"][0]["data"] = [
        {"value": r["count"], "itemStyle": {"color": "#2f9e44"}}
        if r["step"] == "completed"
        else r["count"]
        for r in rows
    ]
    option["grid"]["left"] = 70
    return option
