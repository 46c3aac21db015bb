"""Pinyin keys, default tables, logins: the register's services."""

import pytest

from members import services
from members.models import Member, Sector, SpecialCommittee
from tests.factories import SectorFactory


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("曾国藩", "zeng guo fan", "zgf"),
        ("单雄信", "shan xiong xin", "sxx"),
        ("仇英", "qiu ying", "qy"),
        ("区寿年", "ou shou nian", "osn"),
        ("解缙", "xie jin", "xj"),
        ("朴树", "piao shu", "ps"),
        ("查良镛", "zha liang yong", "zly"),
        ("盖聂", "ge nie", "gn"),
        ("尉迟恭", "yu chi gong", "ycg"),
        ("万俟卨", "mo qi xie", "mqx"),
        ("吕布", "lv bu", "lb"),
        ("张三", "zhang san", "zs"),
    ],
)
def test_pinyin_key_reads_surnames_as_surnames(name, pinyin, initials):
    assert services.name_pinyin(name) == (pinyin, initials)


def test_list_sorts_polyphonic_surnames_by_their_surname_reading(db, office_user):
    sector = SectorFactory()
    for name in ("曾晓", "陈一", "单明", "沙二", "张三", "邓四"):
        services.create_member(by=office_user, name=name, gender="M", sector=sector, party="cpc")
    names = list(Member.objects.values_list("name", flat=True))
    # 曾 as zeng (before 张 zhang), 单 as shan (after 沙 sha); read as ceng / dan by pypinyin's
    # default they would land before 陈 and 邓.
    assert names == ["陈一", "邓四", "沙二", "单明", "曾晓", "张三"]


def test_list_page_is_sorted_by_pinyin(db, office_user, client_for):
    sector = SectorFactory()
    for name in ("曾晓", "陈一", "单明", "沙二"):
        services.create_member(by=office_user, name=name, gender="M", sector=sector, party="cpc")
    html = client_for(office_user).get("/members/").content.decode()
    positions = [html.index(n) for n in ("陈一", "沙二", "单明", "曾晓")]
    assert positions == sorted(positions)
    html = client_for(office_user).get("/members/?sort=-pinyin").content.decode()
    positions = [html.index(n) for n in ("曾晓", "单明", "沙二", "陈一")]
    assert positions == sorted(positions)


def test_search_finds_by_name_pinyin_and_initials(db, office_user, client_for):
    sector = SectorFactory()
    services.create_member(by=office_user, name="曾国藩", gender="M", sector=sector, party="cpc")
    services.create_member(by=office_user, name="陈一", gender="M", sector=sector, party="cpc")
    c = client_for(office_user)
    for query in ("国藩", "zengguofan", "zeng guo", "zgf"):
        html = c.get("/members/", {"q": query}).content.decode()
        assert "曾国藩" in html and "陈一" not in html, query
    data = c.get("/api/v1/members/", {"q": "zgf"}).json()
    assert [m["name"] for m in data["results"]] == ["曾国藩"]


def test_every_write_path_sets_pinyin_keys_on_update(db, office_user):
    sector = SectorFactory()
    member = services.create_member(
        by=office_user, name="张三", gender="M", sector=sector, party="cpc"
    )
    services.update_member(member, by=office_user, name="单三")
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("shan san", "ss")


def test_default_tables_are_created_once(db):
    assert services.ensure_default_tables() == (
        len(services.DEFAULT_SECTORS),
        len(services.DEFAULT_COMMITTEES),
    )
    assert services.ensure_default_tables() == (0, 0)
    assert Sector.objects.count() == len(services.DEFAULT_SECTORS)
    assert SpecialCommittee.objects.filter(name="提案委员会", short_name="提案委").exists()


def test_update_refuses_fields_outside_the_record(db, office_user):
    member = services.create_member(
        by=office_user, name="张三", gender="M", sector=SectorFactory(), party="cpc"
    )
    with pytest.raises(ValueError):
        services.update_member(member, by=office_user, status="left")


def test_history_row_names_the_user(db, office_user):
    member = services.create_member(
        by=office_user, name="张三", gender="M", sector=SectorFactory(), party="cpc"
    )
    assert member.history.first().history_user == office_user
