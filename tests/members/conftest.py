"""Helpers for the register's tests: valid fictional ID numbers and spreadsheets in memory."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from members import services
from members.importing import COLUMNS

# 綦江 county's code while it was in Sichuan, as in the demo register (members/demo.py).
REGION = "510223"


def make_id(birth: datetime.date = datetime.date(1975, 5, 1), seq: int = 123) -> str:
    body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


# 綦江's current code for someone born long before it existed, its 1997–2011 code for a 1980
# birth, 巴县's code (until 1994) for a 2000 birth, 南山区 for 1980: each was refused before
# ("出生日期或地区码无效") because stdnum wants the code valid in the birth year.
REGISTERED_ELSEWHERE_IN_TIME = [
    "500110198005061228",
    with_check_digit("50022219800101123"),
    with_check_digit("51022220000101123"),
    with_check_digit("44030519800101123"),
]


def bad_checksum(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def xlsx(rows: list[dict], headers: list[str] | None = None) -> io.BytesIO:
    """A workbook with the template's headers and `rows` keyed by header."""
    headers = headers or [c.header for c in COLUMNS]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def row(i: int, **overrides) -> dict:
    """A valid import row; i makes the name, ID number and mobile unique."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=20 * i)
    data = {
        "姓名": f"导入{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i}",
        "身份证号": make_id(birth, 100 + (i % 800)),
        "手机号码": f"139{i:08d}",
        "界别": "教育界",
        "政治面貌": "中共党员",
        "工作单位": "綦江中学",
        "专委会": "提案委员会",
    }
    data.update(overrides)
    return data


def read_xlsx(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def tables(db, term):
    """The default sector and committee tables and the current term (the cast's term)."""
    services.ensure_default_tables()
    return term
