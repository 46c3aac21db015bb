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

`pdf_fonts`, `pdf_text` and `docx_fonts` read the files back for tests (no PDF library is
installed: WeasyPrint's output is regular enough to read with zlib and its ToUnicode maps).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
import uuid
import zipfile
import zlib
from collections.abc import Sequence
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


def new_document() -> DocumentObject:
    """An A4 document with the margins of official documents (GB/T 9704) whose styles carry
    FONT_NAME in every slot."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles
    sizes = {
        "Normal": 12,
        "Title": 22,
        "Heading 1": 16,
        "Heading 2": 14,
        "Heading 3": 12,
        "Table Grid": 10.5,
    }
    for name, size in sizes.items():
        _set_fonts(styles[name], Pt(size))
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


def docx_bytes(document: DocumentObject, *, embed_font: bool = True) -> bytes:
    """The .docx file, with FONT_NAME embedded (subset to the text used) unless told not to."""
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    return _embed_font(data) if embed_font else data


def _set_fonts(style: ParagraphStyle, size: Pt) -> None:
    style.font.name = FONT_NAME
    style.font.size = size
    style.font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    # Theme-font attributes win over explicit names; the default headings carry them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    rfonts.set(qn("w:eastAsia"), FONT_NAME)
    rfonts.set(qn("w:cs"), FONT_NAME)


def set_chinese_lang(style: ParagraphStyle) -> None:
    # Tells Word the text is Chinese, so ambiguous characters (quotes, dashes) use the
    # East-Asian slot too.
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _document_text(archive: zipfile.ZipFile) -> str:
    chunks = []
    for name in archive.namelist():
        if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", name):
            root = etree.fromstring(archive.read(name))
            chunks.extend(t.text or "" for t in root.iter(f"{{{W_NS}}}t"))
    return "".join(chunks)


def _embed_font(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    font = subset_font(frozenset(_document_text(source) + ALWAYS_KEPT), truetype=True)
    # A key derived from the content keeps two compilations of the same text byte-identical.
    key = uuid.UUID(hashlib.md5(font).hexdigest())
    font_key = "{" + str(key).upper() + "}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                content = _font_table_with_embedded(content, font_key)
            elif item.filename == "word/settings.xml":
                content = _settings_with_embedding(content)
            elif item.filename == "[Content_Types].xml":
                content = content.replace(
                    b'<Default Extension="rels"',
                    f'<Default Extension="odttf" ContentType="{ODTTF_TYPE}"/>'
                    '<Default Extension="rels"'.encode(),
                    1,
                )
            target.writestr(item, content)
        target.writestr(
            "word/_rels/fontTable.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdFont1" Type="{FONT_REL}" Target="fonts/font1.odttf"/>'
            "</Relationships>",
        )
        target.writestr(EMBEDDED_FONT_PART, _obfuscate(font, key))
    return out.getvalue()


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


@functools.lru_cache(maxsize=8)
def subset_font(characters: frozenset[str], *, truetype: bool = False) -> bytes:
    """FONT_NAME cut down to `characters`; with `truetype`, its cubic outlines converted to
    the quadratic TrueType ones Word embeds."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Lazy: only the tables the subsetter touches are parsed (a third of the time).
    font = TTFont(FONT_FILE, fontNumber=_font_number(), lazy=True)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters})
    subsetter.subset(font)
    if truetype:
        _cff_to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


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


def pdf_bytes(html: str, *, base_url: str | None = None, css: str = PDF_CSS) -> bytes:
    """`html` as an A4 PDF in FONT_NAME (WeasyPrint embeds the glyphs used). Images can be
    given as data: URIs (see `png_data_uri`), so nothing is fetched."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=css)])


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
    (e.g. {"2024年": [...], "2025年": [...]}).
    """
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
