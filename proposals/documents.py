"""Word (.docx) output: one proposal in the usual layout, and a session's 提案汇编.

Both are built with python-docx on A4 with the margins of official documents (GB/T 9704), through
cppcc.documents.new_document: it sets the East-Asian font slot (`w:eastAsia` of `w:rFonts`) on
every style used (python-docx's `font.name` sets only the Latin slots, and without the East-Asian
one Word and WPS fall back to a font of their choosing for Chinese) and removes the default
headings' theme-font attributes, which win over explicit names.

Views (`proposals:docx` and the compilation download) call these functions and send the bytes
with cppcc.exports.attachment; pass a queryset through `for_documents` first so a compilation of
a few hundred proposals costs a fixed handful of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cppcc.documents import docx_bytes, new_document
from proposals.models import (
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalCategory,
    ProposalKind,
    ProposalReply,
)

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import _Cell

    from members.models import CommitteeSession, Term

# 宋体 for the body, 黑体 for headings: present on every Chinese Windows and in WPS.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"

# Style names used below; the tests check each has its East-Asian font.
STYLES_USED = ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid")


def for_documents(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`queryset` with what the documents read loaded up front (a fixed number of queries)."""
    return queryset.select_related("term", "session", "lead_proposer").prefetch_related(
        "cosigners__member",
        "assignments__unit",
        Prefetch(
            "assignments__replies",
            queryset=ProposalReply.objects.filter(released_at__isnull=False).order_by(
                "released_at", "pk"
            ),
            to_attr="released_replies",
        ),
    )


def proposal_docx(proposal: Proposal) -> bytes:
    """One proposal as a .docx: a title line, then a table of 案号, 案由, 提案人, 类别, 理由,
    建议, 承办单位 (lead unit first), then each released reply (办理答复)."""
    document = _new_document()
    _title(document, _committee_name())
    _centered(document, _session_label(proposal))
    _proposal_body(document, proposal)
    return _to_bytes(document)


def compilation_docx(
    session_or_term: CommitteeSession | Term, proposals: Iterable[Proposal]
) -> bytes:
    """A 提案汇编 of a session (or a whole term) as a .docx.

    A cover page (the committee of settings.CPPCC_COUNTY_NAME, the session's or term's name,
    the year), a contents list grouped by category in the categories' order (a plain list, not a
    Word field: it reads the same in WPS and needs no "update field"), then each proposal in a
    section of its own, which starts on a new page. Within a category the proposals keep the
    order given: pass them ordered by serial.
    """
    proposals = list(proposals)
    groups = _by_category(proposals)
    document = _new_document()

    # Cover: the first section, without a page number.
    for _blank in range(6):
        document.add_paragraph()
    _title(document, _committee_name())
    _centered(document, str(session_or_term), size=Pt(18))
    cover = _title(document, "提案汇编")
    cover.paragraph_format.space_before = Pt(36)
    for _blank in range(10):
        document.add_paragraph()
    _centered(document, f"政协{settings.CPPCC_COUNTY_NAME}委员会提案委员会  编", size=Pt(14))
    _centered(document, _year_label(session_or_term, proposals), size=Pt(14))

    # Contents: its own section, where the page numbers start.
    contents = document.add_section(WD_SECTION_START.NEW_PAGE)
    contents.footer.is_linked_to_previous = False
    _page_number(contents.footer.paragraphs[0])
    heading = document.add_paragraph("目  录", style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for category, members in groups:
        document.add_paragraph(f"{category.label}（{len(members)}件）", style="Heading 2")
        for proposal in members:
            line = document.add_paragraph()
            line.paragraph_format.left_indent = Cm(0.74)
            line.add_run(f"{_number_label(proposal)}  {proposal.title}")
            proposers = _proposers_label(proposal)
            if proposers:
                line.add_run(f"（{proposers}）")

    # One section per proposal: each starts on a new page, and a reader of the file can jump
    # to it by its heading.
    for _category, members in groups:
        for proposal in members:
            document.add_section(WD_SECTION_START.NEW_PAGE)
            document.add_paragraph(proposal.title, style="Heading 1")
            _proposal_body(document, proposal)
    return _to_bytes(document)


# --- content ---------------------------------------------------------------------------------


def _proposal_body(document: DocumentObject, proposal: Proposal) -> None:
    table = document.add_table(rows=0, cols=2, style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [
        ("案号", _number_label(proposal)),
        ("案由", proposal.title),
        ("提案人", _proposers_label(proposal)),
        ("类别", proposal.get_category_display()),
        ("理由", proposal.reasons),
        ("建议", proposal.suggestions),
        ("承办单位", _units_label(proposal)),
    ]
    if proposal.kind == ProposalKind.COLLECTIVE and proposal.contact_person:
        rows.insert(3, ("联系人", proposal.contact_person))
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width = Cm(2.6)
        cells[1].width = Cm(13.0)
        label_run = cells[0].paragraphs[0].add_run(label)
        label_run.bold = True
        _set_text(cells[1], value)

    replies = [
        (assignment, reply)
        for assignment in _active_assignments(proposal)
        for reply in _released_replies(assignment)
    ]
    if not replies:
        return
    document.add_paragraph("办理答复", style="Heading 2")
    for assignment, reply in replies:
        released = timezone.localtime(reply.released_at).date()
        heading = document.add_paragraph()
        heading.add_run(
            f"{assignment.unit.name}（{'主办' if assignment.is_lead else '协办'}）"
        ).bold = True
        heading.add_run(
            f"  答复类型：{reply.get_answer_type_display()}  发布日期：{released:%Y年%m月%d日}"
        )
        for paragraph in _paragraphs(reply.text):
            document.add_paragraph(paragraph).paragraph_format.first_line_indent = Pt(24)


def _number_label(proposal: Proposal) -> str:
    return str(proposal.display_number) if proposal.number else "（未立案）"


def _session_label(proposal: Proposal) -> str:
    return proposal.session.name if proposal.session_id else f"{proposal.term.name}闭会期间"


def _proposers_label(proposal: Proposal) -> str:
    """Lead proposer first, then the co-signers still on it; or the collective source."""
    if proposal.kind == ProposalKind.COLLECTIVE:
        return proposal.collective_source
    names = [proposal.lead_proposer.name] if proposal.lead_proposer_id else []
    # .all() then filter in Python, so a prefetched list is used as it is.
    names += [
        c.member.name
        for c in sorted(proposal.cosigners.all(), key=lambda c: c.pk)
        if c.status != CosignStatus.DROPPED
    ]
    return "、".join(names)


def _active_assignments(proposal: Proposal) -> list:
    # Lead unit first; a unit whose give-back was granted no longer handles the proposal.
    return sorted(
        (a for a in proposal.assignments.all() if a.status != AssignmentStatus.GIVEN_BACK),
        key=lambda a: (not a.is_lead, a.unit.name),
    )


def _released_replies(assignment) -> Sequence[ProposalReply]:
    released = getattr(assignment, "released_replies", None)
    if released is not None:
        return released
    return [r for r in assignment.replies.all() if r.released_at is not None]


def _units_label(proposal: Proposal) -> str:
    return "、".join(
        f"{a.unit.name}（{'主办' if a.is_lead else '协办'}）" for a in _active_assignments(proposal)
    )


def _by_category(proposals: list[Proposal]) -> list[tuple[ProposalCategory, list[Proposal]]]:
    groups = []
    for category in ProposalCategory:
        members = [p for p in proposals if p.category == category]
        if members:
            groups.append((category, members))
    return groups


def _committee_name() -> str:
    return f"政协{settings.CPPCC_COUNTY_NAME}委员会"


def _year_label(session_or_term: CommitteeSession | Term, proposals: list[Proposal]) -> str:
    starts_on = getattr(session_or_term, "starts_on", None)
    if starts_on:
        return f"{starts_on:%Y年%m月}"
    years = sorted({p.year for p in proposals})
    if years:
        return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
    return f"{timezone.localdate():%Y年}"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _set_text(cell: _Cell, text: str) -> None:
    paragraphs = _paragraphs(text) or [""]
    cell.paragraphs[0].add_run(paragraphs[0])
    for paragraph in paragraphs[1:]:
        cell.add_paragraph(paragraph)


# --- page and fonts --------------------------------------------------------------------------


def _new_document() -> DocumentObject:
    return new_document(body=BODY_FONT, heading=HEADING_FONT, latin=LATIN_FONT, table_size=12)


def _title(document: DocumentObject, text: str):
    paragraph = document.add_paragraph(text, style="Title")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _centered(document: DocumentObject, text: str, *, size: Pt | None = None):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    if size is not None:
        run.font.size = size
    return paragraph


def _page_number(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _to_bytes(document: DocumentObject) -> bytes:
    # Word and WPS have 宋体 and 黑体: nothing to embed. Fixed zip time stamps: the same
    # proposal gives the same file.
    return docx_bytes(document, embed_font=False)
