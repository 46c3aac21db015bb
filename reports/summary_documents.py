"""The yearly summary's files: Word (a year-end review), Excel (a sheet per table) and PDF.

All three read the figures the summary stored, so they show the same numbers as its page;
Word and PDF carry the narrative, a table per area (this span, the same span of the year before,
the change) and charts drawn by cppcc.documents.chart_png, with the Chinese font embedded.

The same figures give the same bytes in any process, dated by the summary's 统计截至 date rather
than the time of compiling: a compile rerun after a killed worker leaves files identical to an
undisturbed run's (tests/cppcc/test_task_reliability.py).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from cppcc import documents

from .models import YearlySummary
from .summary import display


def title_of(summary: YearlySummary) -> str:
    return _("%(county)s政协%(year)d年度履职成绩单") % {
        "county": settings.CPPCC_COUNTY_NAME,
        "year": summary.year,
    }


def item_rows(section: dict, whole_year: bool) -> tuple[list[str], list[list[str]]]:
    """A section's figures as a table: 项目, this span, the year before, 变化."""
    before = _("上年") if whole_year else _("上年同期")
    headers = [_("项目"), _("本期"), before, _("变化")]
    rows = [
        [
            item["label"],
            display(item["value"], item["unit"]),
            display(item["previous"], item["unit"]),
            item["change"],
        ]
        for item in section["items"]
    ]
    return headers, rows


def _paragraphs(summary: YearlySummary) -> list[str]:
    return [line for line in summary.narrative.splitlines() if line.strip()]


def charts(summary: YearlySummary) -> list[tuple[str, bytes]]:
    """(caption, PNG) per chart: consultation meetings by kind against the year before, and
    studio activities by kind."""
    sections = {s["key"]: s for s in summary.figures["sections"]}
    year = summary.year
    result = []
    meetings = [i for i in sections["consultations"]["items"] if i["key"].startswith("meetings_")]
    if any(i["value"] or i["previous"] for i in meetings):
        caption = _("协商会议场次")
        result.append(
            (
                caption,
                documents.chart_png(
                    "bar",
                    [i["label"] for i in meetings],
                    {
                        _("%(y)d年") % {"y": year - 1}: [i["previous"] for i in meetings],
                        _("%(y)d年") % {"y": year}: [i["value"] for i in meetings],
                    },
                    chart_title=caption,
                ),
            )
        )
    kinds = sections["studios"]["tables"][0]["rows"] if sections["studios"]["tables"] else []
    if any(row[1] for row in kinds):
        caption = _("工作室活动类型分布")
        result.append(
            (
                caption,
                documents.chart_png(
                    "pie", [r[0] for r in kinds], [r[1] for r in kinds], chart_title=caption
                ),
            )
        )
    return result


def summary_docx(summary: YearlySummary) -> bytes:
    figures = summary.figures
    whole = _is_whole(figures)
    doc = documents.new_document()
    documents.title(doc, title_of(summary))
    documents.paragraph(
        doc,
        f"{summary.scope_name} · {figures['period']['label']} · {figures['period']['comparison_label']}",
        center=True,
    )
    documents.heading(doc, _("一、总体情况"))
    for line in _paragraphs(summary):
        documents.paragraph(doc, line)
    chinese_numbers = "二三四五六七八九十"
    for index, section in enumerate(figures["sections"]):
        documents.heading(doc, f"{chinese_numbers[index]}、{section['title']}")
        if section["items"]:
            headers, rows = item_rows(section, whole)
            documents.table(doc, headers, rows)
        for table in section["tables"]:
            documents.heading(doc, table["title"], level=2)
            documents.table(doc, table["headers"], table["rows"])
    pictures = charts(summary)
    if pictures:
        documents.heading(doc, _("图表"))
        for caption, png in pictures:
            documents.picture(doc, png)
            documents.paragraph(doc, caption, center=True)
    properties = doc.core_properties
    properties.title = title_of(summary)
    properties.author = properties.last_modified_by = _author()
    properties.comments = ""
    return documents.docx_bytes(doc, as_of=summary.period_end)


def _author() -> str:
    return _("%(county)s政协") % {"county": settings.CPPCC_COUNTY_NAME}


def summary_xlsx(summary: YearlySummary) -> bytes:
    """One sheet per table: each area's figures, then each breakdown table. Numbers stay
    numbers; text cells are typed as text, so "=…" never becomes a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    whole = _is_whole(summary.figures)
    before = _("上年") if whole else _("上年同期")
    used: set[str] = set()
    for section in summary.figures["sections"]:
        if section["items"]:
            rows = [
                [i["label"], i["unit"], i["value"], i["previous"], i["change"]]
                for i in section["items"]
            ]
            _sheet(
                wb,
                used,
                section["title"],
                [_("项目"), _("单位"), _("本期"), before, _("变化")],
                rows,
            )
        for table in section["tables"]:
            _sheet(wb, used, table["title"], table["headers"], table["rows"])
    wb.properties.title = title_of(summary)
    wb.properties.creator = wb.properties.lastModifiedBy = _author()
    out = io.BytesIO()
    wb.save(out)
    return documents.ooxml_bytes(out.getvalue(), summary.period_end)


def _sheet(wb: Workbook, used: set[str], title: str, headers, rows) -> None:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    while name in used:
        name = name[:28] + str(len(used))
    used.add(name)
    ws = wb.create_sheet(name)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=c, value=str(header))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = 22 if c == 1 else 14
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                # openpyxl takes "=…" for a formula; a figure table holds none, so it is text.
                cell.data_type = "s"
    ws.freeze_panes = "A2"


def summary_pdf(summary: YearlySummary) -> bytes:
    whole = _is_whole(summary.figures)
    sections = []
    for section in summary.figures["sections"]:
        headers, rows = item_rows(section, whole) if section["items"] else ([], [])
        sections.append({**section, "item_headers": headers, "item_rows": rows})
    html = render_to_string(
        "reports/summary/document.html",
        {
            "title": title_of(summary),
            "summary": summary,
            "paragraphs": _paragraphs(summary),
            "sections": sections,
            "charts": [(caption, documents.png_data_uri(png)) for caption, png in charts(summary)],
        },
    )
    return documents.pdf_bytes(html, css=PDF_CSS)


# Column widths from the first row instead of measuring every cell's text twice (the automatic
# layout took a third of the PDF's time); the first column holds the names.
PDF_CSS = documents.PDF_CSS + (
    "table { table-layout: fixed; } th:first-child, td:first-child { width: 30%; }"
)


def _is_whole(figures: dict) -> bool:
    return not figures["period"]["comparison_label"].count("同期")
