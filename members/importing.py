"""The member spreadsheet: template, import (parse -> plan -> apply) and export.

Plain openpyxl with our own checks, because the office needs every problem of a file at once
as (Excel row, column header, Chinese reason), and a file is written all-or-nothing.
The office pages and `manage.py import_members` both call parse_workbook() and apply_plan().
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cppcc.exports import write_cell

from . import services
from .masking import values_for
from .models import (
    Gender,
    Level,
    Member,
    MemberStatus,
    PartyAffiliation,
    Post,
    Sector,
    SpecialCommittee,
    Term,
)
from .validators import normalize_id_number, normalize_mobile, validate_id_number, validate_mobile


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    text: bool = False  # cell format "@" so Excel keeps long digit strings as typed


# The import template and the export share these headers, so an export by someone allowed to
# see full values can be corrected and imported again.
COLUMNS = (
    Column("name", "姓名", required=True, width=10),
    Column("gender", "性别", width=6),
    Column("ethnicity", "民族", width=8),
    Column("birth_date", "出生日期", width=12, text=True),
    Column("id_number", "身份证号", required=True, width=22, text=True),
    Column("mobile", "手机号码", width=14, text=True),
    Column("employer", "工作单位", width=24),
    Column("job_title", "职务", width=16),
    Column("expertise", "专业特长", width=16),
    Column("sector", "界别", required=True, width=14),
    Column("party", "政治面貌", required=True, width=12),
    Column("special_committee", "专委会", width=18),
    Column("post", "政协职务", width=10),
    Column("level", "委员层级", width=20),
    Column("terms", "任职届次", width=20),
    Column("wishes", "履职意愿", width=30),
)
EXPORT_EXTRA = (("status", "状态"), ("left_on", "退出日期"), ("left_reason", "退出原因"))
HEADER_OF = {c.key: c.header for c in COLUMNS}
MAX_LENGTHS = {
    "name": 30,
    "ethnicity": 20,
    "employer": 100,
    "job_title": 100,
    "expertise": 200,
}
# Short names people type for 政治面貌, beside the labels themselves.
PARTY_ALIASES = {
    "中共": PartyAffiliation.CPC,
    "中共党员": PartyAffiliation.CPC,
    "中国共产党党员": PartyAffiliation.CPC,
    "党员": PartyAffiliation.CPC,
    "民革": PartyAffiliation.RCCK,
    "民盟": PartyAffiliation.CDL,
    "民建": PartyAffiliation.CNDCA,
    "民进": PartyAffiliation.CAPD,
    "农工党": PartyAffiliation.CPWDP,
    "致公党": PartyAffiliation.CZGP,
    "九三学社": PartyAffiliation.JS,
    "台盟": PartyAffiliation.TDSGL,
    "无党派": PartyAffiliation.NON_PARTY,
    "群众": PartyAffiliation.MASSES,
}
LEVEL_ALIASES = {"市政协委员": Level.CITY}
# One county's register is a few hundred rows and the template has 16 columns; the limits
# keep a hostile or runaway file from holding a worker (see _read_sheet).
MAX_ROWS = 5000
MAX_COLUMNS = 60
SPLIT_TERMS = re.compile(r"[、,，;；\s]+")


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("第 %(row)d 行「%(column)s」：%(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass
class PlannedRow:
    row: int
    action: str  # "new" | "changed" | "unchanged"
    name: str
    id_number: str
    values: dict
    terms: list
    member: Member | None = None
    changed_fields: list = field(default_factory=list)

    # Marked for extraction here, translated when shown (line below).
    ACTION_LABELS = {"new": N_("新增"), "changed": N_("修改"), "unchanged": N_("无变化")}

    @property
    def action_label(self) -> str:
        return _(self.ACTION_LABELS[self.action])


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict:
        return {a: self.count(a) for a in ("new", "changed", "unchanged")}


# --- template ----------------------------------------------------------------------------------


def _header_row(ws, headers, widths=None):
    fill = PatternFill("solid", fgColor="F2DCDB")
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        if widths:
            ws.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    ws.freeze_panes = "A2"


def _choices_sheet(wb) -> dict[str, str]:
    """A sheet listing the allowed values; returns {column key: range formula} for drop-downs."""
    ws = wb.create_sheet(_("可选值"))
    lists = {
        "gender": [str(label) for label in Gender.labels],
        "sector": list(Sector.objects.filter(is_active=True).values_list("name", flat=True)),
        "party": [str(label) for label in PartyAffiliation.labels],
        "special_committee": list(
            SpecialCommittee.objects.filter(is_active=True).values_list("name", flat=True)
        ),
        "post": [str(label) for label in Post.labels],
        "level": [str(label) for label in Level.labels],
        "terms": list(Term.objects.values_list("name", flat=True)),
    }
    ranges = {}
    for col, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=HEADER_OF[key]).font = Font(bold=True)
        ws.column_dimensions[letter].width = 22
        for i, value in enumerate(values, start=2):
            write_cell(ws, i, col, value)
        if values and key != "terms":
            ranges[key] = f"'{ws.title}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def build_template() -> bytes:
    """The import template: Chinese headers, ID/mobile/date columns as text, drop-downs."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("委员名册")
    _header_row(
        ws, [c.header + ("*" if c.required else "") for c in COLUMNS], [c.width for c in COLUMNS]
    )
    for i, column in enumerate(COLUMNS, start=1):
        if column.text:
            letter = get_column_letter(i)
            for row in range(2, 1002):
                ws[f"{letter}{row}"].number_format = "@"
    ranges = _choices_sheet(wb)
    for i, column in enumerate(COLUMNS, start=1):
        if column.key in ranges:
            dv = DataValidation(type="list", formula1=f"={ranges[column.key]}", allow_blank=True)
            dv.error = _("请从下拉列表中选择。")
            dv.errorTitle = _("取值无效")
            ws.add_data_validation(dv)
            letter = get_column_letter(i)
            dv.add(f"{letter}2:{letter}1001")
    notes = wb.create_sheet(_("填写说明"))
    for i, line in enumerate(
        [
            _("带 * 的列必填。以身份证号匹配已有委员：已有则更新，没有则新增。"),
            _(
                "身份证号、手机号码、出生日期三列已设为文本格式，请勿改为数字，否则身份证号末几位会丢失。"
            ),
            _("出生日期、性别留空时按身份证号自动填写；出生日期格式如 1975-05-01。"),
            _("更新已有委员时，留空的非必填列保持系统中原值不变。"),
            _("任职届次可填多个，用顿号分隔，如：第十四届、第十五届；新增委员留空时记为本届。"),
            _("界别、政治面貌、专委会、政协职务、委员层级请按“可选值”表填写。"),
            _("文件有任何一行错误时不会写入任何数据，请按提示改正后重新上传。"),
        ],
        start=1,
    ):
        notes.cell(row=i, column=1, value=line)
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- parsing -----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _Lookups:
    """Everything a row refers to, fetched once per file (no per-row queries)."""

    def __init__(self, id_numbers: set[str]):
        self.sectors = {s.name: s for s in Sector.objects.all()}
        self.committees = {}
        for c in SpecialCommittee.objects.all():
            self.committees[c.name] = c
            if c.short_name:
                self.committees.setdefault(c.short_name, c)
        self.terms = {t.name: t for t in Term.objects.all()}
        self.current_term = next((t for t in self.terms.values() if t.is_current), None)
        self.parties = {
            str(label): code for code, label in PartyAffiliation.choices
        } | PARTY_ALIASES
        self.genders = {str(label): code for code, label in Gender.choices}
        self.posts = {str(label): code for code, label in Post.choices}
        self.levels = {str(label): code for code, label in Level.choices} | LEVEL_ALIASES
        self.active = {}
        self.left = set()
        for member in Member.objects.filter(id_number__in=id_numbers).prefetch_related("terms"):
            if member.status == MemberStatus.ACTIVE:
                self.active[member.id_number] = member
            else:
                self.left.add(member.id_number)


def _read_rows(fileobj) -> tuple[dict[str, int], list[tuple[int, tuple]], list[RowError]]:
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:
        return (
            {},
            [],
            [RowError(0, _("文件"), _("无法读取该文件，请确认是 .xlsx 格式的 Excel 文件。"))],
        )
    try:
        return _read_sheet(wb.worksheets[0])
    except _TooLarge as exc:
        return {}, [], [RowError(exc.row, _("文件"), exc.reason)]
    except Exception:
        # A damaged sheet (a cell reference such as "A0" or "1A", a string index that does
        # not exist) surfaces only while its rows are read.
        return (
            {},
            [],
            [RowError(0, _("文件"), _("文件内容已损坏，无法读取，请在 Excel 中另存后重新上传。"))],
        )
    finally:
        wb.close()


class _TooLarge(Exception):
    def __init__(self, row: int, reason: str):
        self.row, self.reason = row, reason


def _read_sheet(ws) -> tuple[dict[str, int], list[tuple[int, tuple]], list[RowError]]:
    """The header and the non-empty data rows, reading no further than the limits.

    A sheet's declared <dimension> is whatever the file says (A1:XFD1048576 makes openpyxl
    pad every row to 16,384 cells and walk a million rows), so it is dropped. The header is
    read to its last cell, and more than MAX_COLUMNS headed columns refuse the file; data rows
    are cut at MAX_COLUMNS (a cell without a header is never imported) and read one row past
    MAX_ROWS: content there refuses the file."""
    ws.reset_dimensions()
    header = next(ws.iter_rows(max_row=1, values_only=True), None) or ()
    _check_width(1, header)
    by_header = {}
    for i, cell in enumerate(header[:MAX_COLUMNS]):
        text = _text(cell).rstrip("*").strip()
        if text:
            by_header[text] = i
    index = {}
    errors = []
    for column in COLUMNS:
        if column.header in by_header:
            index[column.key] = by_header[column.header]
        elif column.required:
            errors.append(RowError(1, column.header, _("缺少必需的列。")))
    rows = ws.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True)
    data = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        if number > MAX_ROWS + 1:
            raise _TooLarge(
                number, _("文件最多 %(n)d 行委员数据，请分成几个文件导入。") % {"n": MAX_ROWS}
            )
        data.append((number, values))
    return index, data, errors


def _check_width(number: int, values: tuple) -> None:
    if len(values) > MAX_COLUMNS and any(_text(v) for v in values[MAX_COLUMNS:]):
        raise _TooLarge(
            number, _("文件最多 %(n)d 列，请删去多余的列后重新上传。") % {"n": MAX_COLUMNS}
        )


def parse_workbook(fileobj) -> ImportPlan:
    """Reads and checks a whole file and says what importing it would do; writes nothing."""
    plan = ImportPlan()
    index, data, errors = _read_rows(fileobj)
    plan.errors.extend(errors)
    if errors:
        return plan
    if not data:
        plan.errors.append(RowError(2, _("文件"), _("文件中没有委员数据。")))
        return plan

    def cell(values, key):
        i = index.get(key)
        return values[i] if i is not None and i < len(values) else None

    id_numbers = {normalize_id_number(_text(cell(v, "id_number"))) for _n, v in data}
    lookups = _Lookups(id_numbers - {""})
    seen_ids: dict[str, int] = {}

    for number, raw in data:
        errs: list[RowError] = []

        def fail(key, reason, number=number, errs=errs):
            errs.append(RowError(number, HEADER_OF[key], reason))

        values: dict = {}
        name = _text(cell(raw, "name"))
        if not name:
            fail("name", _("姓名不能为空。"))
        else:
            values["name"] = name
        for key, limit in MAX_LENGTHS.items():
            if key == "name":
                if len(name) > limit:
                    fail(key, _("不能超过 %(n)d 个字。") % {"n": limit})
                continue
            text = _text(cell(raw, key))
            if len(text) > limit:
                fail(key, _("不能超过 %(n)d 个字。") % {"n": limit})
            elif text:
                values[key] = text
        wishes = _text(cell(raw, "wishes"))
        if wishes:
            values["wishes"] = wishes

        raw_id = cell(raw, "id_number")
        id_number = normalize_id_number(_text(raw_id))
        if isinstance(raw_id, int | float):
            fail(
                "id_number",
                _("身份证号被存成了数字，末几位可能已丢失；请把该列设为文本格式后重新填写。"),
            )
            id_number = ""
        elif not id_number:
            fail("id_number", _("身份证号不能为空。"))
        else:
            try:
                validate_id_number(id_number)
            except ValidationError as exc:
                fail("id_number", exc.messages[0])
                id_number = ""
        if id_number:
            if id_number in seen_ids:
                fail(
                    "id_number", _("与第 %(row)d 行的身份证号重复。") % {"row": seen_ids[id_number]}
                )
            else:
                seen_ids[id_number] = number
            if id_number in lookups.left and id_number not in lookups.active:
                fail("id_number", _("该身份证号属于已退出的委员，请先在其页面办理恢复在任。"))
            values["id_number"] = id_number

        birth_raw = cell(raw, "birth_date")
        id_birth = None
        if id_number:
            id_birth = datetime.date(
                int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
            )
        if _text(birth_raw):
            try:
                birth = _parse_date(birth_raw)
            except ValueError:
                fail("birth_date", _("日期格式不正确，应如 1975-05-01。"))
            else:
                if id_birth and birth != id_birth:
                    fail("birth_date", _("与身份证号中的出生日期不一致。"))
                values["birth_date"] = birth
        elif id_birth:
            values["birth_date"] = id_birth

        gender_text = _text(cell(raw, "gender"))
        id_gender = None
        if id_number:
            id_gender = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        if gender_text:
            gender = lookups.genders.get(gender_text)
            if gender is None:
                fail("gender", _("只能填“男”或“女”。"))
            elif id_gender and gender != id_gender:
                fail("gender", _("与身份证号中的性别不一致。"))
            else:
                values["gender"] = gender
        elif id_gender:
            values["gender"] = id_gender

        mobile_raw = cell(raw, "mobile")
        mobile = normalize_mobile(_text(mobile_raw))
        if _text(mobile_raw):
            try:
                validate_mobile(mobile)
            except ValidationError as exc:
                fail("mobile", exc.messages[0])
            else:
                values["mobile"] = mobile

        sector_name = _text(cell(raw, "sector"))
        if not sector_name:
            fail("sector", _("界别不能为空。"))
        elif sector_name not in lookups.sectors:
            fail("sector", _("未知的界别“%(v)s”。") % {"v": sector_name})
        else:
            values["sector"] = lookups.sectors[sector_name]

        party_text = _text(cell(raw, "party"))
        if not party_text:
            fail("party", _("政治面貌不能为空。"))
        elif party_text not in lookups.parties:
            fail("party", _("未知的政治面貌“%(v)s”。") % {"v": party_text})
        else:
            values["party"] = lookups.parties[party_text]

        committee_name = _text(cell(raw, "special_committee"))
        if committee_name:
            if committee_name not in lookups.committees:
                fail("special_committee", _("未知的专委会“%(v)s”。") % {"v": committee_name})
            else:
                values["special_committee"] = lookups.committees[committee_name]

        for key, table in (("post", lookups.posts), ("level", lookups.levels)):
            text = _text(cell(raw, key))
            if text:
                if text not in table:
                    fail(key, _("未知的取值“%(v)s”。") % {"v": text})
                else:
                    values[key] = table[text]

        terms = []
        terms_text = _text(cell(raw, "terms"))
        for term_name in [t for t in SPLIT_TERMS.split(terms_text) if t]:
            if term_name not in lookups.terms:
                fail("terms", _("未知的届次“%(v)s”。") % {"v": term_name})
            else:
                terms.append(lookups.terms[term_name])

        if errs:
            plan.errors.extend(errs)
            continue
        plan.rows.append(_plan_row(number, values, terms, lookups))
    return plan


def _plan_row(number: int, values: dict, terms: list, lookups: _Lookups) -> PlannedRow:
    existing = lookups.active.get(values["id_number"])
    if existing is None:
        if not terms and lookups.current_term:
            terms = [lookups.current_term]
        return PlannedRow(number, "new", values["name"], values["id_number"], values, terms)
    changed = []
    for key, value in values.items():
        if key in ("sector", "special_committee"):
            # Compare ids: reading existing.sector would cost a query per row.
            differs = getattr(existing, f"{key}_id") != value.pk
        else:
            differs = getattr(existing, key) != value
        if differs:
            changed.append(key)
    held = {t.pk for t in existing.terms.all()}
    new_terms = [t for t in terms if t.pk not in held]
    if new_terms:
        changed.append("terms")
    return PlannedRow(
        number,
        "changed" if changed else "unchanged",
        values["name"],
        values["id_number"],
        values,
        new_terms,
        member=existing,
        changed_fields=[HEADER_OF.get(k, k) for k in changed],
    )


def apply_plan(plan: ImportPlan, *, by) -> dict:
    """Writes a clean plan in one transaction (history rows stamped with `by`)."""
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    creates = []
    updates = []
    for row in plan.rows:
        if row.action == "new":
            creates.append((Member(**row.values), row.terms))
        elif row.action == "changed":
            for key, value in row.values.items():
                setattr(row.member, key, value)
            updates.append((row.member, row.terms))
    with transaction.atomic():
        services.bulk_save_members(creates, updates, by=by)
    return plan.counts


# --- export ------------------------------------------------------------------------------------


def export_queryset(qs):
    return qs.select_related("sector", "special_committee").prefetch_related("terms")


def export_members(members, user) -> bytes:
    """The filtered list as .xlsx; sensitive columns full only for holders of the register
    right (an export with full values is audited per member by the caller). `members` comes
    with sector, special_committee and terms already fetched (export_queryset)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("委员名册")
    headers = [c.header for c in COLUMNS] + [h for _k, h in EXPORT_EXTRA]
    _header_row(ws, headers, [c.width for c in COLUMNS] + [8, 12, 20])
    for r, member in enumerate(members, start=2):
        sensitive = values_for(member, user)
        row = {
            "name": member.name,
            "gender": member.get_gender_display(),
            "ethnicity": member.ethnicity,
            "birth_date": sensitive["birth_date"],
            "id_number": sensitive["id_number"],
            "mobile": sensitive["mobile"],
            "employer": member.employer,
            "job_title": member.job_title,
            "expertise": member.expertise,
            "sector": member.sector.name,
            "party": member.get_party_display(),
            "special_committee": member.special_committee.name if member.special_committee else "",
            "post": member.get_post_display(),
            "level": member.get_level_display(),
            "terms": "、".join(
                t.name for t in sorted(member.terms.all(), key=lambda t: t.start_year)
            ),
            "wishes": member.wishes,
            "status": member.get_status_display(),
            "left_on": member.left_on.isoformat() if member.left_on else "",
            "left_reason": member.left_reason,
        }
        keys = [c.key for c in COLUMNS] + [k for k, _h in EXPORT_EXTRA]
        for c, key in enumerate(keys, start=1):
            value = str(row[key]) if row[key] is not None else ""
            cell = write_cell(ws, r, c, value)
            if key in ("id_number", "mobile", "birth_date"):
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
