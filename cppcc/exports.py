"""Downloads every app shares: a list as .xlsx and the Chinese file name it is saved under.

Each list page's export view filters with the page's own filterset and scoped queryset, masks
with the page's own rules, then hands the rows here; so the file holds exactly what the page
shows, under a name such as 委员名册-2026-11-30.xlsx.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dated_name(stem: str, extension: str) -> str:
    """`委员名册` -> `委员名册-2026-11-30.xlsx` (today in the server's time zone)."""
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def attachment(response: HttpResponse, filename: str, *, inline: bool = False) -> HttpResponse:
    """Sets Content-Disposition so browsers keep a Chinese name (RFC 6266 `filename*`), and
    keeps the download out of shared caches: exports and files carry personal data."""
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# A spreadsheet evaluates a typed cell starting with one of these as a formula (tab and CR are
# how CSV-era injection hid the sign); exported text from people must never run.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_cell(ws, row: int, column: int, value):
    """Writes `value` into the cell; text that Excel or WPS would evaluate stays text.

    openpyxl stores any string starting with "=" as a formula: the cell is forced back to a
    plain string, and quotePrefix (Excel's leading apostrophe) keeps it text even after someone
    edits the cell and presses Enter."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    # Text columns keep long digit strings (ID numbers, mobiles) from turning into numbers.
    text: bool = False


def workbook_bytes(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's limit for a sheet name
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=str(column.header))
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = column.width
    ws.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            if value is None:
                value = ""
            elif column.text or not isinstance(value, int | float):
                value = str(value)
            cell = write_cell(ws, r, c, value)
            if column.text:
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(stem: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> HttpResponse:
    """The whole download: a sheet named `stem`, saved as `stem-<today>.xlsx`."""
    response = HttpResponse(workbook_bytes(stem, columns, rows), content_type=XLSX)
    return attachment(response, dated_name(stem, "xlsx"))
