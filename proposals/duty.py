"""What proposals and public-opinion reports add to the duty ledger (members.duty).
Registered from ProposalsConfig.ready().

Dates are those of the duty: a proposal's submission (lead), the co-signer's confirmation, its
registration (立案; key and excellent proposals too, which record no date of their own), a
report's submission, each adoption's and each instruction's day."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.duty import Fact, Scope, Source, Touch, Watch, key_of, members_touch, source_key
from members.models import DutyKind

from .models import (
    REGISTERED_OR_LATER,
    CosignStatus,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
)

ADOPTION_KINDS = {
    "district": DutyKind.OPINION_ADOPTED_DISTRICT,
    "city": DutyKind.OPINION_ADOPTED_CITY,
    "province": DutyKind.OPINION_ADOPTED_PROVINCE,
    "national": DutyKind.OPINION_ADOPTED_NATIONAL,
}


def _day(moment):
    return timezone.localdate(moment) if moment else None


def proposal_facts(scope: Scope) -> list[Fact]:
    """The lead proposer's filed (non-draft) proposals, their registration, key and excellent
    marks (two queries: proposals, confirmed co-signers)."""
    proposals = scope.filter(
        Proposal.objects.exclude(status=ProposalStatus.DRAFT).filter(lead_proposer__isnull=False),
        "lead_proposer_id",
        "submitted_on",
    ) | scope.filter(
        Proposal.objects.filter(lead_proposer__isnull=False, status__in=REGISTERED_OR_LATER),
        "lead_proposer_id",
        "registered_at__date",
    )
    facts = []
    rows = proposals.distinct().values_list(
        "pk",
        "lead_proposer_id",
        "title",
        "status",
        "submitted_on",
        "registered_at",
        "is_key",
        "is_excellent",
    )
    for pk, lead, title, status, submitted_on, registered_at, is_key, is_excellent in rows:
        key, url = key_of(Proposal, pk), reverse("proposals:detail", args=[pk])
        registered_on = _day(registered_at) if status in REGISTERED_OR_LATER else None
        marks = [(DutyKind.PROPOSAL_LEAD, submitted_on, _("领衔提案：%(t)s"))]
        if registered_on:
            marks += [(DutyKind.PROPOSAL_REGISTERED, registered_on, _("提案立案：%(t)s"))]
            if is_key:
                marks += [(DutyKind.PROPOSAL_KEY, registered_on, _("重点提案：%(t)s"))]
            if is_excellent:
                marks += [(DutyKind.PROPOSAL_EXCELLENT, registered_on, _("优秀提案：%(t)s"))]
        facts += [
            Fact(lead, kind, day, key, text % {"t": title}, url)
            for kind, day, text in marks
            if day is not None
        ]
    return facts + _cosign_facts(scope)


def _cosign_facts(scope: Scope) -> list[Fact]:
    rows = scope.filter(
        ProposalCosigner.objects.filter(
            status=CosignStatus.CONFIRMED, proposal__deleted_at__isnull=True
        ).exclude(proposal__status=ProposalStatus.DRAFT),
        "member_id",
        "confirmed_at__date",
    ).values_list("member_id", "proposal_id", "confirmed_at", "proposal__title")
    return [
        Fact(
            member_id,
            DutyKind.PROPOSAL_COSIGN,
            _day(confirmed_at),
            key_of(Proposal, proposal_id),
            _("联名提案：%(t)s") % {"t": title},
            reverse("proposals:detail", args=[proposal_id]),
        )
        for member_id, proposal_id, confirmed_at, title in rows
    ]


def opinion_facts(scope: Scope) -> list[Fact]:
    """Reports submitted by members, each level's adoption and each leader's instruction, for
    every member author (three queries)."""
    authors = OpinionReport.members.through.objects.all()
    if scope.member_ids is not None:
        authors = authors.filter(member_id__in=sorted(scope.member_ids))
    submitted = authors.filter(scope.years_q("opinionreport__submitted_on")).values_list(
        "member_id",
        "opinionreport_id",
        "opinionreport__submitted_on",
        "opinionreport__title",
    )
    facts = [
        Fact(
            member_id,
            DutyKind.OPINION_SUBMITTED,
            day,
            key_of(OpinionReport, pk),
            _("报送社情民意：%(t)s") % {"t": title},
            reverse("proposals:opinion_detail", args=[pk]),
        )
        for member_id, pk, day, title in submitted
    ]
    adoptions = authors.filter(scope.years_q("opinionreport__adoptions__adopted_on")).values_list(
        "member_id",
        "opinionreport_id",
        "opinionreport__title",
        "opinionreport__adoptions__pk",
        "opinionreport__adoptions__level",
        "opinionreport__adoptions__adopted_on",
    )
    for member_id, report_id, title, pk, level, day in adoptions:
        if pk is None:
            continue
        facts.append(
            Fact(
                member_id,
                ADOPTION_KINDS[level],
                day,
                key_of(OpinionAdoption, pk),
                _("社情民意被采用：%(t)s") % {"t": title},
                reverse("proposals:opinion_detail", args=[report_id]),
            )
        )
    instructions = authors.filter(
        scope.years_q("opinionreport__instructions__instructed_on")
    ).values_list(
        "member_id",
        "opinionreport_id",
        "opinionreport__title",
        "opinionreport__instructions__pk",
        "opinionreport__instructions__leader",
        "opinionreport__instructions__instructed_on",
    )
    for member_id, report_id, title, pk, leader, day in instructions:
        if pk is None:
            continue
        facts.append(
            Fact(
                member_id,
                DutyKind.OPINION_INSTRUCTION,
                day,
                key_of(LeaderInstruction, pk),
                _("社情民意获%(leader)s批示：%(t)s") % {"leader": leader, "t": title},
                reverse("proposals:opinion_detail", args=[report_id]),
            )
        )
    return facts


def _later(key: str, members) -> Touch:
    return Touch(sources=(key,), later=(lambda: [(m, None) for m in members()],))


def _proposal_touch(proposal: Proposal, deleted: bool) -> Touch:
    key = source_key(proposal)
    # Moved to the trash: its entries go as if it were deleted (proposal_facts reads `objects`).
    if deleted or proposal.deleted_at is not None:
        return Touch(sources=(key,))
    pk = proposal.pk

    def members():
        lead = Proposal.objects.filter(pk=pk, lead_proposer__isnull=False)
        cosigners = ProposalCosigner.objects.filter(proposal_id=pk)
        return [
            *lead.values_list("lead_proposer_id", flat=True),
            *cosigners.values_list("member_id", flat=True),
        ]

    return _later(key, members)


def _report_touch(report: OpinionReport, deleted: bool) -> Touch:
    key = source_key(report)
    if deleted:
        return Touch(sources=(key,))
    pk = report.pk
    return _later(
        key,
        lambda: OpinionReport.members.through.objects.filter(opinionreport_id=pk).values_list(
            "member_id", flat=True
        ),
    )


def _report_child_touch(child, deleted: bool) -> Touch:
    """An adoption or an instruction: its report's authors."""
    key = source_key(child)
    if deleted:
        return Touch(sources=(key,))
    report_id = child.report_id
    return _later(
        key,
        lambda: OpinionReport.members.through.objects.filter(
            opinionreport_id=report_id
        ).values_list("member_id", flat=True),
    )


SOURCES = (
    Source(
        "proposals.proposals",
        proposal_facts,
        (Watch(Proposal, _proposal_touch), Watch(ProposalCosigner, members_touch)),
    ),
    Source(
        "proposals.opinions",
        opinion_facts,
        (
            Watch(OpinionReport, _report_touch),
            Watch(OpinionReport, _report_touch, m2m="members"),
            Watch(OpinionAdoption, _report_child_touch),
            Watch(LeaderInstruction, _report_child_touch),
        ),
    ),
)
