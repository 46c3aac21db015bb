"""Word, PDF and chart helpers every generated document shares (年度履职成绩单, 述职报告 …).

Word: `new_document()` gives an A4 document whose styles all name one font, Noto Sans CJK SC,
in every slot including the East-Asian one (`w:eastAsia`; python-docx's `font.name` sets only the
Latin slots, and Chinese text would fall back to a font of Word's choosing). `docx_bytes()` then
embeds that font, subset to the characters the document uses and converted to TrueType outlines
(Word embeds only TrueType), as an obfuscated part `word/fonts/font1.odttf` referenced from the
font table, with `w:embedTrueTypeFonts` in the settings: the document reads the same on a machine
without the font (a county office's Windows PC has none of the Noto fonts).

PDF: `pdf_bytes(html)` renders through WeasyPrint with `PDF_CSS`, whose font is the same Noto
Sans CJK SC (Debian's fonts-noto-cjk); WeasyPrint embeds the subset itself. Without a CJK font
it silently draws Chinese with a Latin font, so tests check `pdf_fonts()`.

Charts: `chart_png()` draws a bar or pie chart with matplotlib's Agg backend in the same font.

Speed and sameness: a summary is compiled again after a killed worker and must come out byte for
byte as an undisturbed run would (tests/cppcc/test_task_reliability.py). So every zip entry
carries one time stamp and the core properties the document's as-of date (`ooxml_bytes`), the
font subset keeps the source font's own time stamps, and PDF and charts hold no clock. Cutting
the CJK font (CFF outlines, 65,000 glyphs) costs about a second per document; `base_font()` cuts
it once per machine to the characters of GB 2312 in TrueType outlines, kept on disk
(settings.CPPCC_FONT_CACHE_DIR), and each document's subset is cut from that in a tenth of it.

`pdf_fonts`, `pdf_text` and `docx_fonts` read the files back for tests (no PDF library is
installed: WeasyPrint's output is regular enough to read with zlib and its ToUnicode maps).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import json
import logging
import os
import re
import tempfile
import threading
import uuid
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.styles.style import ParagraphStyle
    from docx.table import Table
    from docx.text.paragraph import Paragraph

logger = logging.getLogger(__name__)

FONT_NAME = "Noto Sans CJK SC"
# Debian's fonts-noto-cjk; the face is picked from the collection by its family name.
FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

STYLES_USED = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
ODTTF_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
EMBEDDED_FONT_PART = "word/fonts/font1.odttf"

# Characters always kept in the subset, so a reader who edits the figures finds digits and
# common punctuation in the embedded font.
ALWAYS_KEPT = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！“”‘’（）《》—…％"


# --- Word ---------------------------------------------------------------------------------


def new_document(
    *,
    body: str = FONT_NAME,
    heading: str = FONT_NAME,
    latin: str = FONT_NAME,
    table_size: float = 10.5,
) -> DocumentObject:
    """An A4 document with the margins of official documents (GB/T 9704): Chinese text in
    `body` (headings and the title in `heading`), Latin text in `latin`, every style in every
    slot. By default all FONT_NAME, which docx_bytes() embeds; proposals.documents asks for
    宋体, 黑体 and Times New Roman, which every Chinese Windows and WPS has."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles
    sizes = {
        "Normal": (12, body),
        "Title": (22, heading),
        "Heading 1": (16, heading),
        "Heading 2": (14, heading),
        "Heading 3": (12, heading),
        "Table Grid": (table_size, body),
    }
    for name, (size, east_asian) in sizes.items():
        set_fonts(styles[name], Pt(size), latin=latin, east_asian=east_asian)
    set_chinese_lang(styles["Normal"])
    styles["Normal"].paragraph_format.line_spacing = 1.5
    # The default Title style draws a blue rule under itself; an official document has none.
    title_ppr = styles["Title"].element.pPr
    if title_ppr is not None:
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)
    return document


def title(document: DocumentObject, text: str) -> Paragraph:
    paragraph = document.add_paragraph(text, style="Title")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    return document.add_paragraph(text, style=f"Heading {level}")


def paragraph(
    document: DocumentObject,
    text: str,
    *,
    bold: bool = False,
    center: bool = False,
    indent: bool = True,
) -> Paragraph:
    """A body paragraph; `indent` gives the two-character first-line indent of Chinese prose."""
    para = document.add_paragraph()
    run = para.add_run(text)
    run.bold = bold
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        para.paragraph_format.first_line_indent = Pt(24)
    return para


def table(
    document: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> Table:
    """A bordered table: a bold header row, then one row per item (None shows as empty)."""
    grid = document.add_table(rows=1, cols=len(headers), style="Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(header)).bold = True
    for row in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    document.add_paragraph()
    return grid


def picture(document: DocumentObject, png: bytes, *, width_cm: float = 15) -> Paragraph:
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    last = document.paragraphs[-1]
    last.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return last


def docx_bytes(
    document: DocumentObject, *, embed_font: bool = True, as_of: datetime.date | None = None
) -> bytes:
    """The .docx file, with FONT_NAME embedded (subset to the text used) unless told not to.
    The same document gives the same bytes in any process; `as_of` dates it (ooxml_bytes)."""
    out = io.BytesIO()
    document.save(out)
    parts = _read_zip(out.getvalue())
    if embed_font:
        _embed_font(parts)
    return _write_zip(parts, as_of)


# Zip entries need a date from 1980 on; a file with no as-of date gets the earliest.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
DCTERMS_NS = "http://purl.org/dc/terms/"
CORE_PART = "docProps/core.xml"


def ooxml_bytes(data: bytes, as_of: datetime.date | None = None) -> bytes:
    """An Office file (.docx, .xlsx) written again so that the same content gives the same
    bytes: python-docx and openpyxl stamp each zip entry with the time of writing, and
    openpyxl the core properties' modified date too. Every entry gets `as_of` (midnight)
    as its time stamp, and with `as_of` the core properties' created and modified dates say
    it as well, e.g. a yearly summary's 统计截至 date."""
    return _write_zip(_read_zip(data), as_of)


def _read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_zip(parts: dict[str, bytes], as_of: datetime.date | None) -> bytes:
    stamp = ZIP_EPOCH
    if as_of is not None:
        stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
        if CORE_PART in parts:
            parts[CORE_PART] = _core_dated(parts[CORE_PART], as_of)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def _core_dated(content: bytes, as_of: datetime.date) -> bytes:
    root = etree.fromstring(content)
    when = f"{as_of.isoformat()}T00:00:00Z"
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    for local in ("created", "modified"):
        element = root.find(f"{{{DCTERMS_NS}}}{local}")
        if element is None:
            element = etree.SubElement(root, f"{{{DCTERMS_NS}}}{local}")
        element.set(xsi_type, "dcterms:W3CDTF")
        element.text = when
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_fonts(
    style: ParagraphStyle, size: Pt, *, latin: str = FONT_NAME, east_asian: str = FONT_NAME
) -> None:
    """Black text of `size` in `latin` (the Latin and complex-script slots) and `east_asian`
    (the slot Word uses for Chinese). proposals.documents sets 宋体/黑体 with Times New Roman."""
    style.font.name = latin
    style.font.size = size
    style.font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    # Theme-font attributes win over explicit names; the default headings carry them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:cs"), latin)


def set_chinese_lang(style: ParagraphStyle) -> None:
    # Tells Word the text is Chinese, so ambiguous characters (quotes, dashes) use the
    # East-Asian slot too.
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _document_text(parts: dict[str, bytes]) -> str:
    chunks = []
    for name, content in parts.items():
        if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", name):
            root = etree.fromstring(content)
            chunks.extend(t.text or "" for t in root.iter(f"{{{W_NS}}}t"))
    return "".join(chunks)


def _embed_font(parts: dict[str, bytes]) -> None:
    """Adds the subset font to a .docx's parts, in place."""
    font = subset_font(frozenset(_document_text(parts) + ALWAYS_KEPT), truetype=True)
    # A key derived from the content keeps two compilations of the same text byte-identical.
    key = uuid.UUID(hashlib.md5(font).hexdigest())
    font_key = "{" + str(key).upper() + "}"
    parts["word/fontTable.xml"] = _font_table_with_embedded(parts["word/fontTable.xml"], font_key)
    parts["word/settings.xml"] = _settings_with_embedding(parts["word/settings.xml"])
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b'<Default Extension="rels"',
        f'<Default Extension="odttf" ContentType="{ODTTF_TYPE}"/>'
        '<Default Extension="rels"'.encode(),
        1,
    )
    parts["word/_rels/fontTable.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdFont1" Type="{FONT_REL}" Target="fonts/font1.odttf"/>'
        "</Relationships>"
    ).encode()
    parts[EMBEDDED_FONT_PART] = _obfuscate(font, key)


def _obfuscate(font: bytes, key: uuid.UUID) -> bytes:
    """ECMA-376 Part 1 §17.8.1: the first 32 bytes XORed with the key's bytes, least
    significant first."""
    key_bytes = key.bytes[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def _font_table_with_embedded(content: bytes, font_key: str) -> bytes:
    root = etree.fromstring(content)
    w = f"{{{W_NS}}}"
    for existing in root.findall(f"{w}font"):
        if existing.get(f"{w}name") == FONT_NAME:
            root.remove(existing)
    font = etree.SubElement(root, f"{w}font", {f"{w}name": FONT_NAME})
    etree.SubElement(font, f"{w}charset", {f"{w}val": "86"})  # GB2312
    etree.SubElement(font, f"{w}family", {f"{w}val": "swiss"})
    etree.SubElement(font, f"{w}pitch", {f"{w}val": "variable"})
    etree.SubElement(
        font,
        f"{w}embedRegular",
        {f"{{{R_NS}}}id": "rIdFont1", f"{w}fontKey": font_key, f"{w}subsetted": "1"},
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# Elements that come before w:embedTrueTypeFonts in CT_Settings.
_SETTINGS_BEFORE = (
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
)


def _settings_with_embedding(content: bytes) -> bytes:
    root = etree.fromstring(content)
    w = f"{{{W_NS}}}"
    if root.find(f"{w}embedTrueTypeFonts") is None:
        position = 0
        for index, child in enumerate(root):
            if etree.QName(child).localname in _SETTINGS_BEFORE:
                position = index + 1
        root.insert(position, etree.Element(f"{w}embedTrueTypeFonts"))
        root.insert(position + 1, etree.Element(f"{w}saveSubsetFonts"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- fonts --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _font_number() -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(FONT_FILE, lazy=True)
    for number, face in enumerate(collection.fonts):
        if face["name"].getDebugName(1) == FONT_NAME:
            return number
    raise LookupError(f"{FONT_NAME} is not in {FONT_FILE}")


def _gb2312() -> str:
    """The characters of GB 2312: 6,763 hanzi, and the punctuation, full-width forms, numerals,
    Greek, kana and box drawing of its first rows."""
    found = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                found.append(bytes((high, low)).decode("gb2312"))
    return "".join(found)


# Marks Chinese text uses that Python's GB 2312 table gives other code points or lacks (the
# middle dot of "渝事好商量·一镇一事商量办" is U+00B7, not GB 2312's U+30FB).
EXTRA_MARKS = "".join(
    chr(c)
    for start, end in (
        (0x00A0, 0x00FF),  # Latin-1: · × ÷ ± ° « » © ®
        (0x2010, 0x205E),  # general punctuation: dashes, quotes, ‰, ※
        (0x2100, 0x218B),  # letterlike symbols and number forms: ℃ № Ⅰ–Ⅻ
        (0x2190, 0x21FF),  # arrows
        (0x2460, 0x24FF),  # enclosed numbers ①–⑳
        (0x3000, 0x303F),  # CJK punctuation
        (0xFF01, 0xFFEE),  # full-width and half-width forms
    )
    for c in range(start, end + 1)
)
# What the base font holds. A document using a character outside it (a rare character in a
# name) is cut from the full font instead: slower, and the same bytes every time.
BASE_CHARACTERS = frozenset(_gb2312() + EXTRA_MARKS + ALWAYS_KEPT)
# Change when the base font's recipe changes, so a machine's cached file is not used again.
BASE_FONT_RECIPE = 2
# Word uses neither OpenType layout tables nor BASE in an embedded font, and the subsetter's
# closure over GSUB (vertical and other alternate forms) nearly doubles the glyphs kept.
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE")


def _subset(font, characters: frozenset[str]) -> None:
    from fontTools import subset

    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    options.drop_tables += list(DROPPED_TABLES)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters})
    subsetter.subset(font)


def _font_bytes(font) -> bytes:
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _source_font():
    from fontTools.ttLib import TTFont

    # Lazy: only the tables the subsetter touches are parsed (a third of the time). The
    # source's own time stamps are kept: saving would otherwise write the time of day into
    # the head table, and no two documents would be the same.
    return TTFont(FONT_FILE, fontNumber=_font_number(), lazy=True, recalcTimestamp=False)


def font_cache_dirs() -> list[Path]:
    """Where the base font is kept: settings.CPPCC_FONT_CACHE_DIR (the environment variable of
    that name where Django is not set up, as in the Dockerfile's build step; by default
    .cache/fonts in the project), then the system's temporary folder if that cannot be
    written."""
    from django.conf import settings

    if settings.configured:
        configured = getattr(settings, "CPPCC_FONT_CACHE_DIR", None)
    else:
        configured = os.environ.get("CPPCC_FONT_CACHE_DIR")
    project = Path(__file__).resolve().parent.parent
    first = Path(configured) if configured else project / ".cache" / "fonts"
    return [first, Path(tempfile.gettempdir()) / "cppcc-fonts"]


def _base_font_name() -> str:
    import fontTools

    stat = os.stat(FONT_FILE)
    recipe = json.dumps(
        [FONT_FILE, stat.st_size, stat.st_mtime_ns, fontTools.version, BASE_FONT_RECIPE]
    )
    return f"noto-cjk-sc-base-{hashlib.sha256(recipe.encode()).hexdigest()[:16]}.ttf"


@functools.lru_cache(maxsize=1)
def base_font() -> bytes:
    """FONT_NAME cut to BASE_CHARACTERS in TrueType outlines: 8 s of CPU, so it is made once
    per machine and kept in the first writable folder of font_cache_dirs() (the
    Dockerfile and CI make it ahead; otherwise the first document does). Two processes
    making it at once write the same bytes, each through its own temporary file."""
    name = _base_font_name()
    folders = font_cache_dirs()
    for folder in folders:
        with contextlib.suppress(OSError):
            return (folder / name).read_bytes()
    font = _source_font()
    _subset(font, BASE_CHARACTERS)
    _cff_to_truetype(font)
    data = _font_bytes(font)
    for folder in folders:
        try:
            _keep(folder, name, data)
            break
        except OSError:
            logger.warning("cannot keep the base font in %s", folder, exc_info=True)
    return data


def _keep(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as file:
        temporary = Path(file.name)
        try:
            file.write(data)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise
    # Readable by the app's user when made at image build time by another.
    temporary.chmod(0o644)
    temporary.replace(folder / name)
    for stale in folder.glob("noto-cjk-sc-base-*.ttf"):
        if stale.name != name:  # made by an earlier recipe or font version
            stale.unlink(missing_ok=True)


def warm_up() -> None:
    """Loads what a process's first document would otherwise load: the base font (made if
    this machine has none yet), fontTools' subsetter, matplotlib, WeasyPrint and its font
    configuration. A Celery worker calls it as it starts, so its first yearly summary is as
    quick as the next (a county's: 1.1 s of CPU warm, 2.3 s cold)."""
    try:
        base_font()
    except OSError:
        logger.warning("no CJK font to embed in Word files: %s", FONT_FILE, exc_info=True)
    import matplotlib
    from fontTools import subset  # noqa: F401 - imported ahead, the point of warming up

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: F401

    _pdf_tools()


@functools.lru_cache(maxsize=8)
def subset_font(characters: frozenset[str], *, truetype: bool = False) -> bytes:
    """FONT_NAME cut down to `characters`; with `truetype`, in the quadratic TrueType
    outlines Word embeds (cut from base_font() when it holds every character)."""
    from fontTools.ttLib import TTFont

    if truetype and characters <= BASE_CHARACTERS:
        # Bounding boxes and maxima are the base font's already: recalculating them would
        # decode and encode every glyph again, two thirds of the time.
        font = TTFont(io.BytesIO(base_font()), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
        _subset(font, characters)
        return _font_bytes(font)
    font = _source_font()
    _subset(font, characters)
    if truetype:
        _cff_to_truetype(font)
    return _font_bytes(font)


def _cff_to_truetype(font) -> None:
    """fontTools' otf2ttf snippet: draw each CFF glyph through cu2qu into a glyf table."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 1 if attribute == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


# --- PDF ----------------------------------------------------------------------------------

PDF_CSS = f"""
@page {{ size: A4; margin: 25mm 22mm 25mm 22mm;
         @bottom-center {{ content: counter(page); font-size: 9pt; }} }}
html {{ font-family: "{FONT_NAME}"; font-size: 11pt; line-height: 1.6; color: #000; }}
h1 {{ text-align: center; font-size: 20pt; margin: 0 0 12pt; }}
h2 {{ font-size: 14pt; margin: 14pt 0 6pt; }}
h3 {{ font-size: 12pt; margin: 10pt 0 4pt; }}
p {{ text-indent: 2em; margin: 0 0 6pt; }}
p.center {{ text-align: center; text-indent: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 9.5pt; }}
th, td {{ border: 0.5pt solid #444; padding: 2pt 4pt; text-align: left; }}
th {{ background: #eef3f8; }}
td.num {{ text-align: right; }}
img.chart {{ display: block; margin: 6pt auto; width: 150mm; }}
"""


def pdf_bytes(html: str, *, css: str = PDF_CSS) -> bytes:
    """`html` as an A4 PDF in FONT_NAME (WeasyPrint embeds the glyphs used). Images are given
    as data: URIs (see `png_data_uri`): nothing else is fetched, not a file, not a URL."""
    from weasyprint import HTML

    tools = _pdf_tools()
    document = HTML(string=html, url_fetcher=tools.fetcher)
    return document.write_pdf(stylesheets=[_stylesheet(css)], font_config=tools.fonts)


_pdf_local = threading.local()


def _pdf_tools():
    """WeasyPrint's font configuration and URL fetcher, made once per thread: a new font
    configuration loads fontconfig's font list and the CJK font again, and a new fetcher an
    SSL context, a fifth of a summary's PDF."""
    if not hasattr(_pdf_local, "fonts"):
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        _pdf_local.fonts = FontConfiguration()
        _pdf_local.fetcher = URLFetcher(allowed_protocols=("data",))
        _pdf_local.stylesheets = {}
    return _pdf_local


def _stylesheet(css: str):
    from weasyprint import CSS

    tools = _pdf_tools()
    if css not in tools.stylesheets:
        tools.stylesheets[css] = CSS(string=css, font_config=tools.fonts, url_fetcher=tools.fetcher)
    return tools.stylesheets[css]


def png_data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- charts -------------------------------------------------------------------------------

CHART_COLORS = ("#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d")


def chart_png(
    kind: str,
    labels: Sequence[str],
    values: Sequence[float] | dict[str, Sequence[float]],
    *,
    chart_title: str = "",
    unit: str = "",
    size: tuple[float, float] = (7.0, 3.6),
) -> bytes:
    """A bar or pie chart as PNG bytes (150 dpi).

    `values` is one series, or for a grouped bar chart a dict of series name -> values
    (e.g. {"2024年": [...], "2025年": [...]}). A chart asked for again (a summary's Word file
    and its PDF show the same ones) is drawn once.
    """
    key = json.dumps(
        [kind, list(labels), values, chart_title, unit, list(size)],
        ensure_ascii=False,
        default=str,
    )
    return _chart_png(key)


@functools.lru_cache(maxsize=16)
def _chart_png(key: str) -> bytes:
    kind, labels, values, chart_title, unit, size = json.loads(key)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=150)
    axes = figure.add_subplot()
    font = {"family": FONT_NAME}
    if kind == "pie":
        series = list(values.values())[0] if isinstance(values, dict) else values
        shown = [(label, v) for label, v in zip(labels, series, strict=True) if v]
        if shown:
            axes.pie(
                [v for _label, v in shown],
                labels=[label for label, _v in shown],
                autopct="%1.0f%%",
                colors=CHART_COLORS,
                textprops=font,
            )
        axes.axis("equal")
    elif kind == "bar":
        groups = values if isinstance(values, dict) else {"": values}
        width = 0.8 / len(groups)
        for index, (name, series) in enumerate(groups.items()):
            positions = [i + (index - (len(groups) - 1) / 2) * width for i in range(len(labels))]
            bars = axes.bar(positions, series, width, label=name, color=CHART_COLORS[index % 7])
            axes.bar_label(bars, fontsize=7, **{"fontfamily": FONT_NAME})
        axes.set_xticks(range(len(labels)), labels, fontfamily=FONT_NAME, fontsize=8)
        if len(groups) > 1:
            axes.legend(prop=font)
        if unit:
            axes.set_ylabel(unit, fontfamily=FONT_NAME)
        axes.spines[["top", "right"]].set_visible(False)
    else:
        raise ValueError(f"unknown chart kind {kind!r}")
    if chart_title:
        axes.set_title(chart_title, fontfamily=FONT_NAME, fontsize=11)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# --- reading files back (tests) ------------------------------------------------------------


def docx_fonts(data: bytes) -> list[str]:
    """Names of the fonts a .docx embeds: font-table entries with an embedded part that
    exists in the package and de-obfuscates to a font file."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    if "word/_rels/fontTable.xml.rels" not in names:
        return []
    rels = etree.fromstring(archive.read("word/_rels/fontTable.xml.rels"))
    targets = {rel.get("Id"): "word/" + rel.get("Target") for rel in rels}
    table_root = etree.fromstring(archive.read("word/fontTable.xml"))
    w = f"{{{W_NS}}}"
    found = []
    for font in table_root.findall(f"{w}font"):
        for embed in font:
            if not etree.QName(embed).localname.startswith("embed"):
                continue
            part = targets.get(embed.get(f"{{{R_NS}}}id"))
            if part not in names:
                continue
            key = uuid.UUID(embed.get(f"{w}fontKey").strip("{}"))
            plain = _obfuscate(archive.read(part), key)
            if plain[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
                found.append(font.get(f"{w}name"))
    return found


def _pdf_streams(data: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end]
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def pdf_fonts(data: bytes) -> list[str]:
    """Base names of the fonts a PDF embeds (a font file present), subset prefix removed."""
    text = b"\n".join([data, *_pdf_streams(data)])
    names = set()
    for match in re.finditer(rb"/FontName\s*/([^\s/<>\[\]()]+)", text):
        descriptor = text[match.start() : match.start() + 2000]
        if re.search(rb"/FontFile[23]?\s", descriptor[: descriptor.find(b">>") + 2 or None]):
            names.add(re.sub(rb"^[A-Z]{6}\+", b"", match.group(1)).decode("latin-1"))
    return sorted(names)


def _pdf_objects(data: bytes) -> dict[int, bytes]:
    """Object number -> its body (a stream's decompressed content appended), including the
    objects packed in object streams."""
    objects: dict[int, bytes] = {}
    for match in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S):
        body = match.group(2)
        start = re.search(rb"stream\r?\n", body)
        if start:
            raw = body[start.end() : body.rfind(b"endstream")]
            with contextlib.suppress(zlib.error):
                raw = zlib.decompress(raw)
            body = body[: start.start()] + b"\nstream\n" + raw
        objects[int(match.group(1))] = body
    for body in list(objects.values()):
        if b"/ObjStm" not in body.split(b"\nstream\n")[0]:
            continue
        head, content = body.split(b"\nstream\n", 1)
        first = int(re.search(rb"/First\s+(\d+)", head).group(1))
        pairs = [int(n) for n in content[:first].split()]
        offsets = list(zip(pairs[::2], pairs[1::2], strict=True))
        for i, (number, offset) in enumerate(offsets):
            end = offsets[i + 1][1] if i + 1 < len(offsets) else len(content) - first
            objects[number] = content[first + offset : first + end]
    return objects


def pdf_text(data: bytes) -> str:
    """The text WeasyPrint drew, in drawing order, read through each font's ToUnicode map.

    Good enough for tests to find figures and words; not a general PDF text extractor.
    """
    objects = _pdf_objects(data)
    cmaps = {}
    for number, body in objects.items():
        found = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if found and int(found.group(1)) in objects:
            cmaps[number] = _read_cmap(objects[int(found.group(1))])
    # Resource names (/TSPJMR …) -> font object numbers, wherever the font dictionaries sit.
    names: dict[bytes, int] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/([^\s/<>\[\]]+)\s+(\d+) 0 R", body):
            if int(number) in cmaps:
                names[name] = int(number)
    out = []
    for body in objects.values():
        if b"\nstream\n" not in body:
            continue
        content = body.split(b"\nstream\n", 1)[1]
        if b"BT" not in content or b"Tf" not in content:
            continue
        mapping: dict[int, str] = {}
        tokens = re.finditer(rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|(ET)", content)
        for token in tokens:
            if token.group(1):
                mapping = cmaps.get(names.get(token.group(1), -1), {})
            elif token.group(3):
                out.append("\n")
            else:
                hexes = re.sub(rb"\s", b"", token.group(2))
                if len(hexes) % 2:
                    hexes += b"0"
                codes = bytes.fromhex(hexes.decode())
                for i in range(0, len(codes) - 1, 2):
                    out.append(mapping.get(int.from_bytes(codes[i : i + 2], "big"), ""))
    return "".join(out)


def _read_cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def decode(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be", "replace")

    for section in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(code, 16)] = decode(target)
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, target in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section
        ):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping
