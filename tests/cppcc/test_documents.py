"""The shared document helpers (cppcc.documents): the same content gives the same bytes in any
process, the Word file's embedded font has every character it shows, and a PDF fetches nothing
but the images handed to it as data: URIs."""

import datetime
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from openpyxl import Workbook

from cppcc import documents

from ..conftest import need

ROOT = Path(__file__).resolve().parents[2]
AS_OF = datetime.date(2025, 12, 31)

# Built in this process and in another one; the text mixes GB 2312 hanzi, digits and marks.
BUILD = """
import datetime, hashlib, io
from openpyxl import Workbook
from cppcc import documents

def build():
    doc = documents.new_document()
    documents.title(doc, "綦江区政协2025年度履职成绩单")
    documents.paragraph(doc, "全年开展议前协商79场次、现场协商31场次，各方参与3000余人次（较上年提高12%）。")
    documents.table(doc, ["镇街", "协商会议"], [["古南街道", 12], ["东溪镇", 7]])
    docx = documents.docx_bytes(doc, as_of=datetime.date(2025, 12, 31))
    wb = Workbook()
    wb.active.append(["项目", "本期"])
    wb.active.append(["协商会议", 19])
    out = io.BytesIO()
    wb.save(out)
    xlsx = documents.ooxml_bytes(out.getvalue(), datetime.date(2025, 12, 31))
    return [hashlib.sha256(data).hexdigest() for data in (docx, xlsx)]
"""


def build_here() -> list[str]:
    scope: dict = {}
    exec(BUILD, scope)  # noqa: S102 - the same source the other process runs
    return scope["build"]()


@pytest.fixture
def cjk_font():
    need(os.path.exists(documents.FONT_FILE), f"{documents.FONT_FILE} (fonts-noto-cjk) missing")


def embedded_font(docx: bytes) -> TTFont:
    archive = zipfile.ZipFile(io.BytesIO(docx))
    table = etree.fromstring(archive.read("word/fontTable.xml"))
    embed = table.find(f".//{{{documents.W_NS}}}embedRegular")
    key = documents.uuid.UUID(embed.get(f"{{{documents.W_NS}}}fontKey").strip("{}"))
    plain = documents._obfuscate(archive.read(documents.EMBEDDED_FONT_PART), key)
    return TTFont(io.BytesIO(plain))


def word_with(text: str) -> bytes:
    doc = documents.new_document()
    documents.paragraph(doc, text)
    return documents.docx_bytes(doc)


def test_word_and_excel_files_are_the_same_bytes_in_another_process(cjk_font):
    here = build_here()
    script = BUILD + "\nprint(' '.join(build()))\n"
    # Another string-hash seed and another second on the clock: neither may show in the bytes.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split() == here


def test_every_zip_entry_and_the_core_properties_carry_the_as_of_date(cjk_font):
    doc = documents.new_document()
    documents.paragraph(doc, "协商会议")
    wb = Workbook()
    out = io.BytesIO()
    wb.save(out)
    for data in (
        documents.docx_bytes(doc, as_of=AS_OF),
        documents.ooxml_bytes(out.getvalue(), AS_OF),
    ):
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert {info.date_time for info in archive.infolist()} == {(2025, 12, 31, 0, 0, 0)}
        core = etree.fromstring(archive.read("docProps/core.xml"))
        dates = [
            core.find(f"{{{documents.DCTERMS_NS}}}{name}").text for name in ("created", "modified")
        ]
        assert dates == ["2025-12-31T00:00:00Z", "2025-12-31T00:00:00Z"]


def test_the_embedded_font_has_a_truetype_glyph_for_every_character(cjk_font):
    text = "綦江区政协委员工作室：开展活动128场次，服务群众3400人次。"
    data = word_with(text)
    assert documents.docx_fonts(data) == [documents.FONT_NAME]
    font = embedded_font(data)
    assert "glyf" in font and "CFF " not in font  # Word embeds TrueType outlines only
    assert set(text) <= {chr(c) for c in font.getBestCmap()}


def test_text_in_gb2312_is_cut_from_the_base_font_not_the_full_font(cjk_font, monkeypatch):
    documents.base_font()  # made (or read from the cache folder) before the full font is barred
    documents.subset_font.cache_clear()
    monkeypatch.setattr(documents, "_source_font", lambda: pytest.fail("read the full font"))
    font = embedded_font(word_with("古南街道委员工作室"))
    assert set("古南街道委员工作室") <= {chr(c) for c in font.getBestCmap()}


def test_a_character_outside_gb2312_still_gets_its_glyph(cjk_font):
    name = "王珺"  # 珺 is common in names and missing from GB 2312
    assert "珺" not in documents.BASE_CHARACTERS
    font = embedded_font(word_with(f"{name}委员履职报告"))
    assert "珺" in {chr(c) for c in font.getBestCmap()}


def test_the_base_font_is_made_once_and_kept_readable_in_the_cache_folder(
    cjk_font, settings, tmp_path, monkeypatch
):
    settings.CPPCC_FONT_CACHE_DIR = str(tmp_path)
    (tmp_path / "noto-cjk-sc-base-0123456789abcdef.ttf").write_bytes(b"an older recipe's")
    made = []

    def cut(font, characters):
        made.append(len(characters))

    monkeypatch.setattr(documents, "_source_font", lambda: object())
    monkeypatch.setattr(documents, "_subset", cut)
    monkeypatch.setattr(documents, "_cff_to_truetype", lambda font: None)
    monkeypatch.setattr(documents, "_font_bytes", lambda font: b"base font bytes")
    documents.base_font.cache_clear()
    try:
        assert documents.base_font() == b"base font bytes"
        documents.base_font.cache_clear()
        assert documents.base_font() == b"base font bytes"  # read back, not made again
    finally:
        documents.base_font.cache_clear()
    assert made == [len(documents.BASE_CHARACTERS)]
    (kept,) = tmp_path.iterdir()  # the older one removed
    assert kept.name == documents._base_font_name()
    assert kept.stat().st_mode & 0o777 == 0o644  # another user (the app's) may read it


@pytest.fixture
def png(cjk_font) -> bytes:
    return documents.chart_png("bar", ["古南街道", "东溪镇"], [3, 1], chart_title="协商会议")


def test_a_pdf_shows_images_given_as_data_uris(png):
    html = f'<p>协商会议</p><img src="{documents.png_data_uri(png)}">'
    assert b"/Subtype /Image" in documents.pdf_bytes(html)


def test_a_pdf_fetches_no_file_and_no_url(png, tmp_path):
    picture = tmp_path / "chart.png"
    picture.write_bytes(png)
    html = f'<p>协商会议</p><img src="file://{picture}"><img src="http://127.0.0.1:9/x.png">'
    assert b"/Subtype /Image" not in documents.pdf_bytes(html)
