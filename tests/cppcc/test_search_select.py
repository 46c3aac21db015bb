"""Search selects (cppcc.widgets) and their endpoints (cppcc.search_views): each kind answers
only what the person may see, the widget renders the chosen label and nothing else, and a value
outside the scope stays "无效的选择。"."""

import pytest
from django.urls import reverse

from consultations.filters import MeetingListFilter
from consultations.models import ConsultationMeeting
from cppcc import search_views
from cppcc.widgets import SearchSelect, SearchSelectMultiple
from members.services import name_pinyin
from studios.models import Town

from ..factories import (
    HandlingUnitFactory,
    MemberFactory,
    MembershipFactory,
    ProposalFactory,
    StudioFactory,
    TownFactory,
)


def _search(client, kind, q="", **params):
    response = client.get(reverse("search", kwargs={"kind": kind}), {"q": q, **params})
    assert response.status_code == 200
    return response.json()


def _labels(data):
    return [row["label"] for row in data["results"]]


def test_town_clerk_finds_only_their_own_town(client_for, town_user, gunan, dongxi):
    assert _labels(_search(client_for(town_user), "towns")) == ["古南街道"]
    assert _labels(_search(client_for(town_user), "towns", "东溪")) == []


def test_office_finds_any_town_by_part_of_its_name(client_for, office_user, gunan, dongxi):
    c = client_for(office_user)
    assert _labels(_search(c, "towns")) == ["古南街道", "东溪镇"]
    assert _labels(_search(c, "towns", "东溪")) == ["东溪镇"]


def test_town_clerk_finds_only_their_towns_studios(
    client_for, town_user, gunan_studio, dongxi_studio
):
    data = _search(client_for(town_user), "studios", "委员工作室")
    assert _labels(data) == ["古南街道委员工作室"]
    assert data["results"][0]["detail"] == "古南街道"


def test_member_search_hides_members_outside_the_clerks_town(
    client_for, town_user, member_a, member_b
):
    c = client_for(town_user)
    assert _labels(_search(c, "members", "张古南")) == ["张古南"]
    assert _labels(_search(c, "members", "李东溪")) == []
    assert "李东溪" not in _labels(_search(c, "members"))


def test_member_search_matches_pinyin_initials_and_the_last_four_mobile_digits(
    client_for, office_user, db
):
    for name, mobile in (("王大明", "13800001234"), ("刘小红", "13900005678")):
        pinyin, initials = name_pinyin(name)
        MemberFactory(name=name, mobile=mobile, name_pinyin=pinyin, name_initials=initials)
    c = client_for(office_user)
    assert _labels(_search(c, "members", "wdm")) == ["王大明"]
    assert _labels(_search(c, "members", "wangdaming")) == ["王大明"]
    assert _labels(_search(c, "members", "5678")) == ["刘小红"]
    # Only the last four: a longer run of digits cannot confirm a whole number.
    assert _labels(_search(c, "members", "13900005678")) == []


def test_member_search_for_pickers_offers_serving_members_only(client_for, office_user, db):
    MemberFactory(name="赵在任")
    MemberFactory(name="赵已退", status="left")
    c = client_for(office_user)
    assert _labels(_search(c, "members", "赵", active="1")) == ["赵在任"]
    assert sorted(_labels(_search(c, "members", "赵"))) == ["赵在任", "赵已退"]


def test_unit_login_finds_only_its_own_unit(client_for, unit_user, unit):
    HandlingUnitFactory(name="区住房城乡建委")
    assert _labels(_search(client_for(unit_user), "units")) == ["区交通局"]


def test_unit_search_for_pickers_offers_active_units_only(client_for, office_user, unit):
    HandlingUnitFactory(name="区已撤销局", is_active=False)
    c = client_for(office_user)
    assert _labels(_search(c, "units", "区", active="1")) == ["区交通局"]
    assert sorted(_labels(_search(c, "units", "区"))) == sorted(["区交通局", "区已撤销局"])


def test_answers_are_capped_and_say_there_are_more(client_for, office_user, db):
    for i in range(search_views.LIMIT + 5):
        TownFactory(name=f"搜索{i:02d}镇", order=10 + i)
    data = _search(client_for(office_user), "towns", "搜索")
    assert len(data["results"]) == search_views.LIMIT
    assert data["more"]


def test_members_may_not_search_and_anonymous_must_log_in(client, client_for, member_user):
    url = reverse("search", kwargs={"kind": "members"})
    assert client_for(member_user).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_an_unknown_kind_is_not_found(client_for, office_user):
    assert client_for(office_user).get("/search/secrets/").status_code == 404


# --- proposals ---------------------------------------------------------------------------------


def test_office_finds_a_proposal_by_part_of_its_title_or_its_number(client_for, office_user, unit):
    from ..proposals.test_unit_pages import assigned

    road = assigned(office_user, unit, title="关于农村公路养护的提案")
    ProposalFactory(title="关于校车安全的提案")
    c = client_for(office_user)
    assert _labels(_search(c, "proposals", "公路养护")) == [str(road)]
    for said in (road.number, f"第{road.number}号"):
        assert [r["id"] for r in _search(c, "proposals", said)["results"]] == [road.pk]
    assert len(_search(c, "proposals")["results"]) == 2


def test_town_clerk_finds_no_proposal_and_a_unit_only_those_assigned_to_it(
    client_for, office_user, town_user, unit, unit_user
):
    from ..proposals.test_unit_pages import assigned

    ours = assigned(office_user, unit, title="关于农村公路养护的提案")
    assigned(office_user, HandlingUnitFactory(name="区教育局"), title="关于校车安全的提案")
    ProposalFactory(title="关于菜市场的提案")
    assert _search(client_for(town_user), "proposals")["results"] == []
    assert _labels(_search(client_for(unit_user), "proposals")) == [str(ours)]
    assert _search(client_for(unit_user), "proposals", "校车")["results"] == []


def test_matter_form_refuses_a_proposal_outside_the_scope_and_does_not_name_it(
    town_user, gunan, member_a, office_user, unit
):
    from consultations.forms import MatterForm

    from ..proposals.test_unit_pages import assigned

    hidden = assigned(office_user, unit, title="关于农村公路养护的提案")
    data = {"town": gunan.pk, "year": hidden.year, "title": "议题", "proposal": hidden.pk}
    form = MatterForm(data, towns=Town.objects.filter(pk=gunan.pk), user=town_user)
    assert not form.is_valid()
    assert form.errors["proposal"] == ["无效的选择。"]
    html = str(form["proposal"])
    assert "公路养护" not in html and "<option" not in html
    office = MatterForm(data, towns=Town.objects.filter(pk=gunan.pk), user=office_user)
    assert office.is_valid(), office.errors
    assert office.cleaned_data["proposal"] == hidden
    assert "公路养护" in str(office["proposal"])


def test_town_clerk_keeps_the_matters_proposal_when_editing_it(
    client_for, town_user, office_user, gunan, member_a, unit
):
    """The clerk sees no proposals, yet saving their matter must not drop the one it came from."""
    from consultations import services as matter_services
    from consultations.forms import MatterForm

    from ..proposals.test_unit_pages import assigned

    source = assigned(office_user, unit, title="关于农村公路养护的提案")
    matter = matter_services.create_matter(
        gunan,
        {"title": "公路养护", "year": source.year, "proposal": source},
        [member_a],
        by=office_user,
    )
    data = {
        "title": "公路养护（改）",
        "proposers": [member_a.pk],
        "proposal": source.pk,
        "version": matter.version,
    }
    form = MatterForm(
        data,
        towns=Town.objects.filter(pk=gunan.pk),
        matter=matter,
        initial={"town": gunan.pk, "year": matter.year},
        user=town_user,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["proposal"] == source


@pytest.mark.parametrize("towns", [2, 30])
def test_search_query_count_does_not_grow_with_the_county(
    client_for, office_user, towns, django_assert_max_num_queries
):
    for i in range(towns):
        StudioFactory(town=TownFactory(name=f"规模{i:02d}镇", order=i), name=f"规模{i:02d}室")
    c = client_for(office_user)
    c.get("/search/towns/")  # the first request writes the session's last-seen time
    for kind in ("towns", "studios", "members", "units", "proposals", "villages", "contact_pairs"):
        # session, user, roles, the rows
        with django_assert_max_num_queries(4):
            c.get(f"/search/{kind}/", {"q": "规模"})


# --- the widget ------------------------------------------------------------------------------


def test_filter_renders_the_chosen_town_label_and_no_other_option(
    rf, town_user, gunan, dongxi, django_assert_num_queries
):
    request = rf.get("/")
    request.user = town_user
    filterset = MeetingListFilter(
        {"town": str(gunan.pk)}, queryset=ConsultationMeeting.objects.none(), request=request
    )
    assert filterset.is_valid()  # as the list does before rendering: the town is checked once
    form = filterset.form
    with django_assert_num_queries(1):  # the chosen town's label, through the scoped queryset
        html = str(form["town"])
    assert "古南街道" in html
    assert "东溪镇" not in html
    assert "<option" not in html
    assert 'data-url="/search/towns/"' in html


def test_town_outside_the_scope_is_an_invalid_choice_and_not_named(rf, town_user, gunan, dongxi):
    request = rf.get("/")
    request.user = town_user
    filterset = MeetingListFilter(
        {"town": str(dongxi.pk)}, queryset=ConsultationMeeting.objects.none(), request=request
    )
    assert not filterset.is_valid()
    assert filterset.form.errors["town"] == ["无效的选择。"]
    assert "东溪镇" not in str(filterset.form["town"])


def test_widget_without_a_route_stays_a_plain_input(db):
    """Until /search/ is routed, a page with a search select still renders (and works)."""
    from types import ModuleType

    from django import forms
    from django.urls import set_urlconf

    class Form(forms.Form):
        town = forms.ModelChoiceField(queryset=Town.objects.all(), widget=SearchSelect("towns"))

    no_routes = ModuleType("no_routes")
    no_routes.urlpatterns = []
    set_urlconf(no_routes)
    try:
        html = str(Form()["town"])
    finally:
        set_urlconf(None)
    assert 'data-url=""' in html
    assert 'type="number"' in html


def test_multiple_widget_splits_typed_ids_and_keeps_ticked_ones():
    from django.http import QueryDict

    widget = SearchSelectMultiple("members")
    data = QueryDict("proposers=3&proposers=5%EF%BC%8C7+9&proposers=")
    assert widget.value_from_datadict(data, {}, "proposers") == ["3", "5", "7", "9"]


# --- in a browser --------------------------------------------------------------------------------

from ..browser.conftest import browser, open_page  # noqa: E402, F401  (the browser fixtures)
from ..browser.test_login import log_in  # noqa: E402


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_town_clerk_picks_a_proposer_by_typing_and_saves_the_matter(
    open_page,  # noqa: F811
    live_server,
    town_user,
    member_a,
    member_b,
):
    from consultations.models import Matter

    page = open_page()
    log_in(page, live_server, town_user.username)
    page.goto(f"{live_server.url}{reverse('consultations:matter_create')}")
    # The clerk's own town is chosen and shown by name; the search replaced the number input.
    assert page.locator("#id_town_search").input_value() == "古南街道"
    page.get_by_label("议题名称").fill("场镇停车难")
    proposers = page.locator("#id_proposers_search")
    proposers.fill("东溪")  # another town's member: not offered
    page.locator("text=没有找到").wait_for()
    proposers.fill("张古")
    page.locator("[data-search-result]", has_text="张古南").click()
    assert page.get_by_role("checkbox", name="张古南").is_checked()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    matter = Matter.objects.get(title="场镇停车难")
    assert list(matter.proposers.all()) == [member_a]
    assert page.errors == [], page.errors
    assert page.outside_requests == []


# --- villages and contact pairs (issue 13: the last selects that grew with the county) ---------


def _pair(party_name, other_name, studio, term):
    import datetime

    from studios.models import ContactPair

    party = MemberFactory(name=party_name, party="cpc")
    other = MemberFactory(name=other_name, party="masses")
    for member in (party, other):
        MembershipFactory(member=member, studio=studio, term=term)
    return ContactPair.objects.create(
        party_member=party, non_party_member=other, term=term, since=datetime.date(2026, 3, 1)
    )


def test_contact_pairs_are_found_by_either_name_within_the_scope(
    client_for, office_user, town_user, gunan_studio, dongxi_studio, term
):
    _pair("王党员", "赵党外", gunan_studio, term)
    _pair("钱党员", "孙党外", dongxi_studio, term)
    office = client_for(office_user)
    assert _labels(_search(office, "contact_pairs", "赵党外")) == ["王党员 → 赵党外"]
    assert _labels(_search(office, "contact_pairs", "钱党员")) == ["钱党员 → 孙党外"]
    assert _search(office, "contact_pairs", "赵党外")["results"][0]["detail"] == "2026-03-01"
    clerk = client_for(town_user)
    assert _labels(_search(clerk, "contact_pairs")) == ["王党员 → 赵党外"]
    assert _labels(_search(clerk, "contact_pairs", "孙党外")) == []


def test_villages_are_found_by_their_or_their_towns_name_within_the_scope(
    client_for, office_user, town_user, gunan, dongxi
):
    from studios.models import Village

    Village.objects.create(town=gunan, name="文龙社区")
    Village.objects.create(town=dongxi, name="东溪村")
    office = client_for(office_user)
    assert _labels(_search(office, "villages", "东溪")) == ["东溪镇东溪村"]
    assert _labels(_search(office, "villages", "古南")) == ["古南街道文龙社区"]
    assert _labels(_search(client_for(town_user), "villages")) == ["古南街道文龙社区"]


def test_contact_record_form_searches_pairs_and_refuses_one_outside_the_scope(
    gunan_studio, dongxi_studio, term
):
    from studios.forms import ContactRecordForm
    from studios.models import ContactPair

    mine = _pair("王党员", "赵党外", gunan_studio, term)
    other = _pair("钱党员", "孙党外", dongxi_studio, term)
    pairs = ContactPair.objects.filter(pk=mine.pk)
    form = ContactRecordForm(pairs=pairs)
    html = str(form["pair"])
    assert 'data-url="/search/contact_pairs/"' in html
    # No option list: neither pair is written into the page until one is chosen.
    assert "赵党外" not in html and "孙党外" not in html
    data = {"date": "2026-05-01", "way": "phone", "content": "电话联系"}
    assert ContactRecordForm({**data, "pair": mine.pk}, pairs=pairs).is_valid()
    refused = ContactRecordForm({**data, "pair": other.pk}, pairs=pairs)
    assert not refused.is_valid()
    assert "孙党外" not in str(refused.errors)


def test_honorary_head_form_searches_villages_only_for_a_sector_studio(gunan, gunan_studio):
    from studios.forms import HonoraryHeadForm
    from studios.models import Village

    Village.objects.create(town=gunan, name="文龙社区")
    town_form = HonoraryHeadForm(studio=gunan_studio)
    assert "文龙社区" in str(town_form["village"])  # a town's own villages: a short select
    sector = StudioFactory(town=None, kind="sector", name="教育界别工作室", host_unit="区教委")
    sector_form = HonoraryHeadForm(studio=sector)
    html = str(sector_form["village"])
    assert 'data-url="/search/villages/"' in html and "文龙社区" not in html
