"""ECharts option objects built from reports.statistics figures (rendered with json_script).
A row with a "url" becomes a data item {"value", "url"}: static/js/app.js follows it on click."""

from django.utils.translation import gettext as _

PALETTE = ["#a61b1b", "#d9822b", "#3b7dd8", "#2f9e44", "#7048e8", "#868e96", "#e8590c", "#1098ad"]


def _item(row: dict, **extra) -> dict | int:
    if not row.get("url") and not extra:
        return row["count"]
    item = {"value": row["count"], **extra}
    if row.get("url"):
        item["url"] = row["url"]
    return item


def bar(title: str, rows: list[dict], horizontal: bool = False) -> dict:
    names = [r["name"] for r in rows]
    values = [_item(r) for r in rows]
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
                "data": [_item(r, name=r["name"]) for r in rows],
            }
        ],
    }


def months(title: str, counts: list[int], urls: list[str] | None = None) -> dict:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 20, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [_("%(m)d月") % {"m": m} for m in range(1, 13)]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "line",
                "smooth": True,
                "areaStyle": {},
                "data": [
                    _item({"count": n, "url": urls[i] if urls else ""})
                    for i, n in enumerate(counts)
                ],
                "name": title,
            }
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
            {
                "type": "bar",
                "stack": "p",
                "name": _("已解决"),
                "data": [_item({"count": r["solved"], "url": r.get("solved_url")}) for r in rows],
            },
            {
                "type": "bar",
                "stack": "p",
                "name": _("未解决"),
                "data": [_item({"count": r["open"], "url": r.get("open_url")}) for r in rows],
            },
        ],
    }


def steps(title: str, rows: list[dict]) -> dict:
    """The year's matters per step (reports.statistics.matters_by_step), finished ones last in
    green. Bars lie flat so the eight step names stay readable on a 375 px phone (side by side
    they overlapped)."""
    option = bar(title, rows, horizontal=True)
    option["series"][0]["data"] = [
        _item(r, itemStyle={"color": "#2f9e44"}) if r["step"] == "completed" else _item(r)
        for r in rows
    ]
    option["grid"]["left"] = 70
    return option


def pipeline(title: str, towns: list[dict], steps: list[tuple[str, str]]) -> dict:
    """Towns × steps stacked bars (reports.statistics.matters_by_town_and_step): one series per
    step, in the steps' order; `steps` are (value, label), "completed" last. Each town row may
    carry "urls": {step: url}. Bars lie flat so town names stay readable on a phone."""
    series = [
        {
            "type": "bar",
            "stack": "steps",
            "name": label,
            "data": [
                _item({"count": t["counts"].get(step, 0), "url": t.get("urls", {}).get(step)})
                for t in towns
            ],
        }
        for step, label in steps
    ]
    return {
        "color": [*PALETTE[:7], "#2f9e44"],
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 80, "right": 20, "bottom": 50, "top": 40},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [t["name"] for t in towns]},
        "series": series,
    }
