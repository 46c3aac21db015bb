"""Word output: the files open again with python-docx, say what they should in Chinese, and
name an East-Asian font so Word and WPS render it."""

import datetime
import io
import itertools

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from members.models import CommitteeSession, SessionKind
from proposals import documents
from proposals.models import (
    AnswerType,
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalCategory,
    ProposalCosigner,
    ProposalKind,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import HandlingUnitFactory, MemberFactory

_serials = itertools.count(1)


@pytest.fixture
def session(term):
    return CommitteeSession.objects.create(
        term=term,
        kind=SessionKind.PLENARY,
        name="第十五届第三次会议",
        ordinal=3,
        starts_on=datetime.date(2026, 1, 10),
        ends_on=datetime.date(2026, 1, 13),
    )


def make_proposal(session, title, *, category=ProposalCategory.SOCIETY, **fields):
    serial = next(_serials)
    values = {
        "term": session.term,
        "session": session,
        "category": category,
        "title": title,
        "reasons": f"{title}的理由第一段。\n理由第二段。",
        "suggestions": f"{title}的建议。",
        "status": ProposalStatus.ASSIGNED,
        "serial": serial,
        "number": str(serial),
        "lead_proposer": MemberFactory(),
    }
    values.update(fields)
    return Proposal.objects.create(**values)


@pytest.fixture
def school_bus(session):
    """A joint proposal with a dropped co-signer, two units, a unit given back, and replies."""
    lead = MemberFactory(name="王领衔")
    proposal = make_proposal(
        session, "关于加强农村学校校车安全管理的建议", kind=ProposalKind.JOINT, lead_proposer=lead
    )
    now = timezone.now()
    ProposalCosigner.objects.create(
        proposal=proposal,
        member=MemberFactory(name="赵联名"),
        status=CosignStatus.CONFIRMED,
        confirmed_at=now,
    )
    ProposalCosigner.objects.create(
        proposal=proposal,
        member=MemberFactory(name="钱退出"),
        status=CosignStatus.DROPPED,
        dropped=True,
    )
    due = datetime.date(2026, 4, 13)
    transport = ProposalUnit.objects.create(
        proposal=proposal,
        unit=HandlingUnitFactory(name="县交通局"),
        is_lead=False,
        due_on=due,
        status=AssignmentStatus.ASSIGNED,
    )
    education = ProposalUnit.objects.create(
        proposal=proposal,
        unit=HandlingUnitFactory(name="县教育委员会"),
        is_lead=True,
        due_on=due,
        status=AssignmentStatus.RELEASED,
    )
    ProposalUnit.objects.create(
        proposal=proposal,
        unit=HandlingUnitFactory(name="县民政局"),
        due_on=due,
        status=AssignmentStatus.GIVEN_BACK,
    )
    ProposalReply.objects.create(
        assignment=education,
        answer_type=AnswerType.SOLVED,
        text="已新增校车二十辆，并提高运营补贴。",
        released_at=now,
    )
    ProposalReply.objects.create(
        assignment=transport,
        answer_type=AnswerType.PLANNED,
        text="交通局尚未发布的答复草稿。",
    )
    return proposal


def open_docx(data: bytes):
    assert data[:2] == b"PK"  # a zip package, as every .docx is
    return Document(io.BytesIO(data))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def table_rows(document) -> dict[str, str]:
    return {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}


def is_a4(section) -> bool:
    # Word stores sizes in twentieths of a point, so millimetres come back rounded.
    return abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1


def east_asian_font(style) -> str | None:
    rfonts = style.element.rPr.rFonts
    return rfonts.get(qn("w:eastAsia"))


def test_proposal_docx_has_the_usual_layout_in_chinese(school_bus):
    document = open_docx(documents.proposal_docx(school_bus))

    rows = table_rows(document)
    assert list(rows)[:3] == ["案号", "案由", "提案人"]
    assert rows["案号"] == f"第{school_bus.number}号"
    assert rows["案由"] == "关于加强农村学校校车安全管理的建议"
    assert rows["提案人"] == "王领衔、赵联名"
    assert rows["类别"] == "社会"
    assert "的理由第一段。\n理由第二段。" in rows["理由"]
    assert rows["建议"] == "关于加强农村学校校车安全管理的建议的建议。"
    # Lead unit first; the unit whose give-back was granted is gone.
    assert rows["承办单位"] == "县教育委员会（主办）、县交通局（协办）"
    text = all_text(document)
    assert "政协綦江区委员会" in document.paragraphs[0].text
    assert "第十五届第三次会议" in text


def test_proposal_docx_shows_released_replies_only(school_bus):
    text = all_text(open_docx(documents.proposal_docx(school_bus)))

    assert "办理答复" in text
    assert "已新增校车二十辆，并提高运营补贴。" in text
    assert "解决或采纳" in text
    assert "尚未发布的答复草稿" not in text


def test_proposal_without_replies_has_no_reply_heading(session):
    proposal = make_proposal(
        session,
        "关于打造区域茶叶公用品牌的建议",
        status=ProposalStatus.SUBMITTED,
        serial=None,
        number="",
    )

    text = all_text(open_docx(documents.proposal_docx(proposal)))

    assert "办理答复" not in text
    assert "（未立案）" in text


def test_collective_proposal_names_its_source_and_contact(session):
    proposal = make_proposal(
        session,
        "关于推进农村居家养老服务的建议",
        kind=ProposalKind.COLLECTIVE,
        lead_proposer=None,
        collective_source="民革綦江区委员会",
        contact_person="孙联络",
    )

    rows = table_rows(open_docx(documents.proposal_docx(proposal)))

    assert rows["提案人"] == "民革綦江区委员会"
    assert rows["联系人"] == "孙联络"


def test_east_asian_font_is_set_on_every_style_used_and_page_is_a4(school_bus):
    document = open_docx(documents.proposal_docx(school_bus))

    for name in documents.STYLES_USED:
        style = document.styles[name]
        assert east_asian_font(style) in {"宋体", "黑体"}, name
        # A theme font attribute would override the name Word reads.
        assert style.element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None, name
    assert east_asian_font(document.styles["Normal"]) == "宋体"
    assert east_asian_font(document.styles["Heading 1"]) == "黑体"
    used = {p.style.name for p in document.paragraphs}
    used |= {document.tables[0].style.name}
    assert used <= set(documents.STYLES_USED)
    section = document.sections[0]
    assert is_a4(section)


@pytest.fixture
def compilation(session, school_bus):
    tea = make_proposal(
        session, "关于打造区域茶叶公用品牌的建议", category=ProposalCategory.ECONOMY
    )
    river = make_proposal(
        session, "关于加强綦河流域水环境综合治理的建议", category=ProposalCategory.ECOLOGY
    )
    road = make_proposal(
        session, "关于改善乡村公路通行条件的建议", category=ProposalCategory.ECONOMY
    )
    proposals = documents.for_documents(
        Proposal.objects.filter(pk__in=[school_bus.pk, tea.pk, river.pk, road.pk])
    ).order_by("serial")
    return open_docx(documents.compilation_docx(session, proposals)), [tea, road, school_bus, river]


def test_compilation_has_a_cover_with_the_committee_and_session(compilation):
    document, _proposals = compilation
    cover = document.sections[0]
    cover_text = "\n".join(p.text for p in document.paragraphs[:30])

    assert "政协綦江区委员会" in cover_text
    assert "第十五届第三次会议" in cover_text
    assert "提案汇编" in cover_text
    assert is_a4(cover)


def test_compilation_contents_are_grouped_by_category_in_order(compilation):
    document, (tea, road, school_bus, river) = compilation
    texts = [p.text for p in document.paragraphs]
    start = texts.index("目  录")
    first_proposal = next(
        i for i, p in enumerate(document.paragraphs) if p.style.name == "Heading 1"
    )
    contents = [t for t in texts[start + 1 : first_proposal] if t]

    assert contents[0] == "经济（2件）"
    assert contents[1].startswith(f"第{tea.number}号  {tea.title}")
    assert contents[2].startswith(f"第{road.number}号  {road.title}")
    assert contents[3] == "社会（1件）"
    assert contents[4] == f"第{school_bus.number}号  {school_bus.title}（王领衔、赵联名）"
    assert contents[5] == "生态（1件）"
    assert contents[6].startswith(f"第{river.number}号  {river.title}")
    assert len(contents) == 7


def test_compilation_has_one_section_per_proposal_each_on_a_new_page(compilation):
    document, proposals = compilation
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]

    # Cover, contents, then one section per proposal, in the contents' order.
    assert len(document.sections) == 2 + len(proposals)
    assert headings == [p.title for p in proposals]
    assert {s.start_type for s in document.sections[1:]} == {2}  # WD_SECTION_START.NEW_PAGE
    assert len(document.tables) == len(proposals)
    assert "已新增校车二十辆，并提高运营补贴。" in all_text(document)
    assert "关于打造区域茶叶公用品牌的建议的理由第一段。" in all_text(document)


def test_compilation_reads_in_a_fixed_number_of_queries(
    session, school_bus, django_assert_max_num_queries
):
    for i in range(5):
        make_proposal(session, f"关于第{i}件事的建议")
    queryset = documents.for_documents(Proposal.objects.filter(session=session))

    # proposals with term/session/lead, co-signers, their members, assignments, units, replies
    with django_assert_max_num_queries(6):
        documents.compilation_docx(session, queryset)
