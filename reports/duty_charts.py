"""ECharts options for the duty pages (rendered with json_script, drawn by static/js/app.js)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from .charts import PALETTE


def radar(title: str, by_category: list[dict], median: dict[str, Decimal]) -> dict:
    """履职画像: the member's points per category (reports.duty.points_by_category) against the
    county median (reports.duty.county_median_by_category). Each axis is scaled to the larger of
    the two so a category where everyone scores little still shows its shape."""
    mine = [float(row["points"]) for row in by_category]
    middle = [float(median.get(row["category"], 0)) for row in by_category]
    indicators = [
        {"name": row["name"], "max": max(a, b, 1) * 1.2, "min": min(a, b, 0)}
        for row, a, b in zip(by_category, mine, middle, strict=True)
    ]
    return {
        "color": [PALETTE[0], PALETTE[5]],
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "data": [_("本人"), _("全县中位数")]},
        "radar": {"indicator": indicators, "radius": "60%", "center": ["50%", "52%"]},
        "series": [
            {
                "type": "radar",
                "name": title,
                "data": [
                    {"name": _("本人"), "value": mine, "areaStyle": {"opacity": 0.25}},
                    {"name": _("全县中位数"), "value": middle, "lineStyle": {"type": "dashed"}},
                ],
            }
        ],
    }
