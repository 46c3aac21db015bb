"""The proposal flow a person must be able to click through on a phone: a member files a
proposal, the unit replies from a template, the member reads the released reply and rates it.
The office's moves between them go through the workflow functions."""

import pytest

from proposals import workflow
from proposals.models import AssignmentStatus, Proposal, ProposalRating, ProposalReply, ProposalUnit

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_member_files_on_a_phone_unit_replies_member_rates(
    open_page, live_server, member_user, member_a, term, office_user, unit, unit_user
):
    member_a.terms.add(term)
    member = open_page(**PHONE)
    member.on("dialog", lambda dialog: dialog.accept())
    log_in(member, live_server, member_user.username)

    member.get_by_test_id("portal-proposal-new").click()
    member.wait_for_load_state("networkidle")
    member.get_by_label("类别").select_option(label="社会")
    member.get_by_label("案由（标题）").fill("关于增设城区公共充电桩的提案")
    member.get_by_label("理由").fill("城区新能源汽车增长快，公共充电桩少，居民充电难。")
    member.get_by_label("建议").fill("建议在城区停车场和小区增设公共充电桩，简化报装手续。")
    member.get_by_label("建议").blur()  # the similar-proposals panel asks on change
    member.wait_for_load_state("networkidle")
    # No horizontal scrolling on the phone.
    assert member.evaluate("document.documentElement.scrollWidth") <= 375
    member.get_by_test_id("save-submit").click()
    member.wait_for_load_state("networkidle")

    proposal = Proposal.objects.get()
    assert proposal.status == "submitted" and proposal.lead_proposer == member_a
    assert member.get_by_test_id("proposal-status").inner_text() == "已提交"

    workflow.proposal_register(proposal, by=office_user)
    workflow.proposal_assign(proposal, lead_unit=unit, by=office_user)

    desk = open_page(**PHONE)
    desk.on("dialog", lambda dialog: dialog.accept())
    log_in(desk, live_server, unit_user.username)
    desk.get_by_role("link", name="关于增设城区公共充电桩的提案").click()
    desk.wait_for_load_state("networkidle")
    desk.get_by_test_id("template-planned").click()
    desk.wait_for_load_state("networkidle")
    text = desk.get_by_label("答复内容").input_value()
    assert "《关于增设城区公共充电桩的提案》" in text and "张古南委员" in text and "{" not in text
    desk.get_by_label("答复内容").fill(text.replace("拟于……年内", "拟于明年内"))
    desk.get_by_role("button", name="提交答复").click()
    desk.wait_for_load_state("networkidle")
    assert desk.get_by_test_id("assignment-status").inner_text() == "答复待审"

    reply = ProposalReply.objects.get()
    assert reply.answer_type == "planned" and "拟于明年内" in reply.text
    workflow.reply_release(reply, by=office_user)

    member.goto(f"{live_server.url}/portal/")
    member.get_by_role("link", name="关于增设城区公共充电桩的提案").click()
    member.wait_for_load_state("networkidle")
    assert "拟于明年内" in member.get_by_test_id("released-reply").inner_text()
    member.get_by_label("满意", exact=True).check()
    member.get_by_label("承办单位与您的沟通").select_option(label="电话沟通")
    member.get_by_role("button", name="提交评价").click()
    member.wait_for_load_state("networkidle")

    assert "满意" in member.get_by_test_id("my-rating").inner_text()
    rating = ProposalRating.objects.get()
    assert rating.rating == "satisfied" and rating.communication == "phone"
    assert ProposalUnit.objects.get().status == AssignmentStatus.RATED
    for page in (member, desk):
        assert page.errors == [], page.errors
        assert page.outside_requests == []
