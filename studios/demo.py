"""The demo county's towns, studios, Party groups and a year of their work (綦江区, seeds 000/001).

Called by the project's demo command as studios.demo.load(log), after members.demo.load has
made the 365 members. Everything is written through studios.services and studios.workflow, so
the demo is also a smoke test of the rules. Idempotent: towns, villages and studios are matched
by name, members are placed only while they have no town studio, and a studio's activities,
problems, rota, postings and contact pairs are made only while it has none. Deterministic
(Random(2026)).

Each town's united-front officer (统战委员) is a Party member working in that town (the members
loader gives them the post; _officers finds them), sits in the town studio and leads its Party
group. A few held activities carry small photos drawn in code (Pillow) under Chinese names.

Sizes: the seed's district placed all 365 members in town studios *and* kept 5–12 per town;
with the 20 towns below both cannot hold (20 × 12 = 240). The rule "every active member in
exactly one town studio" wins, so most demo studios carry 18–19 members and the list flags
them against CPPCC_TOWN_STUDIO_SIZE; 东溪镇 keeps the seed's 12 members, 5 of them Party members.
"""

import datetime
import io
import random
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from members import services as member_services
from members.models import Member, MemberStatus, PartyAffiliation

from . import selectors, services, workflow
from .models import (
    Activity,
    ActivityKind,
    Attendance,
    ContactPair,
    ContactWay,
    DutyShift,
    HonoraryVillageHead,
    MembershipRole,
    PartyGroup,
    Problem,
    Studio,
    StudioKind,
    StudioLevel,
    StudioMembership,
    Town,
    TownKind,
    Village,
    VillageKind,
)

SEED = 2026
YEAR = 2026
PLACED_ON = datetime.date(2022, 3, 1)  # seed 000: town studios were set up from 2022

# (town, kind, villages as (name, has a consultation room)); 古南街道 first, as the office lists it.
TOWNS = [
    (
        "古南街道",
        TownKind.STREET,
        [("春光村", True), ("桥河社区", True), ("沙溪社区", False), ("九龙社区", False)],
    ),
    ("文龙街道", TownKind.STREET, [("沙溪村", True), ("大坪社区", False), ("文龙社区", False)]),
    (
        "三江街道",
        TownKind.STREET,
        [("圆通寺社区", True), ("重洽社区", False), ("滨江社区", False), ("三河街社区", False)],
    ),
    ("新盛街道", TownKind.STREET, [("新盛社区", True), ("长田村", False), ("德园村", False)]),
    ("通惠街道", TownKind.STREET, [("通惠社区", True), ("石桥社区", False), ("平等村", False)]),
    ("永新镇", TownKind.TOWN, [("永新社区", True), ("梨园坝村", False), ("石坪村", False)]),
    ("石角镇", TownKind.TOWN, [("石角社区", True), ("桥坝村", False), ("新农村", True)]),
    (
        "东溪镇",
        TownKind.TOWN,
        [("二居社区", True), ("东溪社区", False), ("永乐村", False), ("书院村", False)],
    ),
    ("赶水镇", TownKind.TOWN, [("赶水社区", True), ("草坪村", False), ("石房村", False)]),
    ("打通镇", TownKind.TOWN, [("打通社区", True), ("吹角村", False), ("天星村", False)]),
    ("石壕镇", TownKind.TOWN, [("石壕社区", True), ("万隆村", False), ("红岩村", False)]),
    ("篆塘镇", TownKind.TOWN, [("篆塘社区", True), ("堡堂村", False), ("通桥村", False)]),
    ("丁山镇", TownKind.TOWN, [("丁山社区", True), ("狸狮村", True), ("民主村", False)]),
    ("安稳镇", TownKind.TOWN, [("安稳社区", True), ("羊角村", True), ("崇河村", False)]),
    ("扶欢镇", TownKind.TOWN, [("扶欢社区", True), ("东城村", False), ("玉龙村", False)]),
    ("永城镇", TownKind.TOWN, [("永城社区", True), ("中华村", False), ("大兴村", False)]),
    ("中峰镇", TownKind.TOWN, [("中峰社区", True), ("天池村", False), ("大园村", False)]),
    ("横山镇", TownKind.TOWN, [("横山社区", True), ("茶园村", False), ("新木村", False)]),
    ("郭扶镇", TownKind.TOWN, [("郭扶社区", True), ("高庙村", False), ("酒店村", False)]),
    ("隆盛镇", TownKind.TOWN, [("隆盛社区", True), ("紫荆村", False), ("永丰村", False)]),
]

# (name, host unit, core sectors, core size, linked size, founded)
SECTOR_STUDIOS = [
    (
        "媒体委员工作室",
        "区融媒体中心",
        ("新闻出版界", "文化艺术界"),
        8,
        22,
        datetime.date(2023, 5, 18),
    ),
    (
        "经济界别委员工作室",
        "綦江工业园区",
        ("经济界", "工商联", "民建"),
        6,
        12,
        datetime.date(2023, 3, 10),
    ),
    (
        "医卫界别委员工作室",
        "区人民医院",
        ("医药卫生界", "农工党"),
        5,
        8,
        datetime.date(2023, 8, 19),
    ),
]

# Weighted activity kinds of a town studio (茶园夜话 and 院坝会 most often, seed 000).
TOWN_KINDS = (
    [ActivityKind.TEA_TALK] * 5
    + [ActivityKind.COURTYARD] * 4
    + [ActivityKind.RESEARCH] * 3
    + [ActivityKind.RECEPTION] * 3
    + [ActivityKind.LECTURE] * 2
    + [ActivityKind.LEGAL_AID] * 2
    + [
        ActivityKind.CLINIC,
        ActivityKind.INSPECTION,
        ActivityKind.LIVESTREAM,
        ActivityKind.VOLUNTEER,
    ]
    + [ActivityKind.READING, ActivityKind.DUTY]
)
TITLES = {
    ActivityKind.TEA_TALK: "“茶园夜话”听民声",
    ActivityKind.COURTYARD: "院坝会：{village}发展规划",
    ActivityKind.RESEARCH: "{village}产业发展调研",
    ActivityKind.INSPECTION: "视察场镇老旧小区改造",
    ActivityKind.LECTURE: "社区老年大学政策宣讲",
    ActivityKind.CLINIC: "委员义诊进{village}",
    ActivityKind.LEGAL_AID: "法律服务进{village}",
    ActivityKind.RECEPTION: "委员接待群众来访",
    ActivityKind.LIVESTREAM: "“萤火虫直播工程”助农直播",
    ActivityKind.DUTY: "委员驻站值日",
    ActivityKind.READING: "委员读书活动",
    ActivityKind.VOLUNTEER: "委员志愿服务",
    ActivityKind.OTHER: "委员活动",
}
PROBLEMS = [
    ("场镇停车难", "协调新划停车位60个，错时开放机关停车场"),
    ("老旧小区院坝改造", "纳入年度老旧小区改造计划，院坝已硬化"),
    ("场镇路面破损", "区交通局完成路面整治"),
    ("农贸市场选址", "镇政府确定新址并启动建设"),
    ("路灯不亮", "供电所更换路灯32盏"),
    ("饮水管网老化", "更换主管网1.2公里"),
    ("学校门口交通拥堵", "增设护学岗和减速带"),
    ("垃圾清运不及时", "增加清运频次至每日两次"),
    ("农产品销路不畅", "委员直播带货并对接商超"),
    ("河道淤积", "水利站完成清淤"),
    ("便民服务点缺少", "在村委会设立便民服务点"),
    ("公交班次少", "增开早晚班车各2班"),
]
# Seed 001's 名誉村主任 figures: (acres, enterprises, funds 万元, live-streams, income 万元, notes).
HEAD_FIGURES = [
    (
        "300",
        3,
        "120",
        8,
        "260",
        "免费提供蔬菜种子并传授技术，带动农户加入合作社，发展蔬菜种植300余亩",
    ),
    ("150", 2, "80", 12, "95", "引进种植大户发展高山蔬菜，牵头与网络销售平台签订长期种销协议"),
    ("20", 1, "35", 6, "12", "荷塘养虾基地，带动500多人就业，为村集体增收12万元"),
    ("500", 4, "200", 15, "310", "发展方竹笋深加工，打造“定制水稻”"),
    ("80", 1, "45", 20, "43", "组织乡村公益主播直播带货峰峰茶、狸狮村大米、红提、蓝莓"),
]


def load(log: Callable[[str], None]) -> None:
    term = selectors.current_term()
    if term is None:
        log("工作室：未找到本届届次，请先载入委员数据")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        towns = _towns(log)
        branches = services.ensure_party_branches()
        log(f"功能型党支部新增 {branches} 个")
        studios = _town_studios(rng, towns, log)
        officers = _officers(towns)
        _place_members(rng, towns, studios, term, officers, log)
        _officers_and_groups(rng, towns, studios, term, officers, log)
        sectors = _sector_studios(rng, term, log)
    everything = [studios[t.pk] for t in towns] + sectors
    with transaction.atomic():
        n_act = sum(_activities(rng, s, today) for s in everything)
        n_prob = sum(_problems(rng, s, today) for s in everything)
        n_duty = sum(_duty(s, today) for s in everything if s.kind == StudioKind.TOWN)
        n_heads = _heads(rng, towns, studios)
        n_pairs = sum(
            _contacts(rng, s, term, today) for s in everything if s.kind == StudioKind.TOWN
        )
        n_photos = _photos(today)
    log(f"活动新增 {n_act} 场，民生问题新增 {n_prob} 个，值日新增 {n_duty} 班")
    log(f"活动照片新增 {n_photos} 张")
    log(f"名誉村主任新增 {n_heads} 人，党员联系党外委员对子新增 {n_pairs} 对")


def _towns(log) -> list[Town]:
    existing = {t.name: t for t in Town.objects.all()}
    made = villages = 0
    towns = []
    for order, (name, kind, village_rows) in enumerate(TOWNS, start=1):
        town = existing.get(name)
        if town is None:
            town = services.create_town(
                {
                    "name": name,
                    "kind": kind,
                    "order": order,
                    "office_name": f"{name}政协工作办公室",
                },
                by=None,
            )
            made += 1
        have = set(Village.objects.filter(town=town).values_list("name", flat=True))
        for vname, room in village_rows:
            if vname not in have:
                kind_v = VillageKind.COMMUNITY if vname.endswith("社区") else VillageKind.VILLAGE
                services.create_village(
                    town, {"name": vname, "kind": kind_v, "has_consultation_room": room}, by=None
                )
                villages += 1
        towns.append(town)
    log(f"镇街新增 {made} 个，村/社区新增 {villages} 个")
    return towns


def _town_studios(rng, towns, log) -> dict[int, Studio]:
    existing = {s.town_id: s for s in Studio.objects.filter(kind=StudioKind.TOWN)}
    made = 0
    for town in towns:
        if town.pk in existing:
            continue
        met = rng.randint(4, 6)
        flags = {
            f"has_{key}": i < met
            for i, key in enumerate(("venue", "sign", "rules", "process", "activities", "results"))
        }
        existing[town.pk] = services.create_studio(
            {
                "name": f"{town.name}委员工作室",
                "kind": StudioKind.TOWN,
                "town": town,
                "address": f"{town.name}便民服务中心二楼",
                "founded_on": datetime.date(2022, rng.randint(3, 9), rng.randint(1, 28)),
                **flags,
                "venue_evidence": "活动室约80平方米" if flags["has_venue"] else "",
                "sign_evidence": "门牌、上墙制度" if flags["has_sign"] else "",
                "rules_evidence": "委员工作室工作制度" if flags["has_rules"] else "",
                "process_evidence": "群众诉求收集办理流程图" if flags["has_process"] else "",
                "activities_evidence": "每月“茶园夜话”" if flags["has_activities"] else "",
                "results_evidence": "年度民生实事清单" if flags["has_results"] else "",
            },
            by=None,
        )
        made += 1
    log(f"镇街委员工作室新增 {made} 个")
    return existing


def _place_members(rng, towns, studios, term, officers, log) -> None:
    """Each town studio gets 5–12 members, as in seed 000 (东溪镇 the seed's 12 with 5 Party
    members), with Party members enough to form its group. 20 towns × at most 12 seats cannot
    hold all 365 members, so the rest stay unplaced and show on the studio list as
    "未分配工作室的委员": the office's to-do, as it would be mid-allocation.
    Only towns with no members yet are filled, so a second run changes nothing."""
    counts = dict(
        StudioMembership.objects.filter(is_town_studio=True, end_on__isnull=True, term=term)
        .values_list("studio__town_id")
        .annotate(n=Count("pk"))
    )
    empty = [t for t in towns if not counts.get(t.pk)]
    if not empty:
        log("镇街工作室均已有委员")
        return
    # Each town's officer takes one of its Party seats; nobody else's draw may take them.
    reserved = {m.pk for m in officers.values()}
    pool = list(selectors.unassigned_members(term).exclude(pk__in=reserved).order_by("pk"))
    unplaced = set(selectors.unassigned_members(term).values_list("pk", flat=True))
    rng.shuffle(pool)
    cpc = [m for m in pool if m.party == PartyAffiliation.CPC]
    others = [m for m in pool if m.party != PartyAffiliation.CPC]
    placed = 0
    for town in empty:
        size, party = (12, 5) if town.name == "东溪镇" else (rng.randint(9, 12), rng.randint(3, 5))
        officer = officers.get(town.pk)
        chosen = [officer] if officer is not None and officer.pk in unplaced else []
        chosen += [cpc.pop() for _ in range(min(party - len(chosen), len(cpc)))]
        chosen += [others.pop() for _ in range(min(size - len(chosen), len(others)))]
        if chosen:
            placed += services.assign_members(
                studios[town.pk],
                chosen,
                role=MembershipRole.MEMBER,
                term=term,
                by=None,
                on=PLACED_ON,
            )
    log(f"分配委员到镇街工作室 {placed} 人")


def _officers(towns) -> dict[int, Member]:
    """Each town's united-front officer (统战委员): a Party member working in that town. The
    members loader gives the 中共 sector's first members such a post in each town; the one whose
    employer names the town is chosen. A town already with an officer keeps them."""
    result: dict[int, Member] = {}
    taken: set[int] = set()
    for town in towns:
        officer = town.united_front_officer
        if officer is None:
            officer = (
                Member.objects.active()
                .filter(
                    party=PartyAffiliation.CPC,
                    employer__startswith=town.name,
                    job_title__contains="统战委员",
                )
                .exclude(pk__in=taken)
                .order_by("pk")
                .first()
            )
        if officer is None:
            # A members loader without those posts: an unplaced Party member takes the office
            # (one with a special committee, so the group has a guiding branch).
            officer = (
                selectors.unassigned_members()
                .filter(party=PartyAffiliation.CPC)
                .exclude(pk__in=taken)
                .order_by(F("special_committee").asc(nulls_last=True), "pk")
                .first()
            )
        if officer is None:
            continue
        _works_in_town(officer, town)
        result[town.pk] = officer
        taken.add(officer.pk)
    return result


def _works_in_town(member: Member, town: Town) -> None:
    """A 统战委员 works in the town: the town government (副镇长) or, in a 街道, its Party
    working committee. Only a member whose record says otherwise is changed."""
    if member.employer.startswith(town.name) and "统战委员" in member.job_title:
        return
    if town.kind == TownKind.STREET:
        employer, post = f"{town.name}党工委", "党工委委员、统战委员"
    else:
        employer, post = f"{town.name}人民政府", "副镇长、统战委员"
    member_services.update_member(member, by=None, employer=employer, job_title=post)


def _officers_and_groups(rng, towns, studios, term, officers, log) -> None:
    groups = 0
    for town in towns:
        studio = studios[town.pk]
        officer = officers.get(town.pk)
        if officer is None:
            continue
        if not selectors.is_current_member(studio, officer):
            services.assign_members(
                studio, [officer], role=MembershipRole.MEMBER, term=term, by=None, on=PLACED_ON
            )
        if town.united_front_officer_id != officer.pk:
            # Moves the town group's leadership with the office when the group exists.
            services.set_united_front_officer(town, officer, by=None)
            town.refresh_from_db()
        if not PartyGroup.objects.filter(studio=studio).exists():
            services.create_party_group(
                studio,
                officer,
                founded_on=datetime.date(2022, rng.randint(6, 11), rng.randint(1, 28)),
                by=None,
            )
            groups += 1
    log(f"统战委员已设置，党小组新增 {groups} 个")


def _sector_studios(rng, term, log) -> list[Studio]:
    result = []
    for name, host, sectors, n_core, n_linked, founded in SECTOR_STUDIOS:
        studio = Studio.objects.filter(name=name).first()
        if studio is None:
            studio = services.create_studio(
                {
                    "name": name,
                    "kind": StudioKind.SECTOR,
                    "host_unit": host,
                    "address": host,
                    "founded_on": founded,
                    "level": StudioLevel.CITY
                    if name == "经济界别委员工作室"
                    else StudioLevel.DISTRICT,
                    "city_level_named_on": datetime.date(2024, 12, 20)
                    if name == "经济界别委员工作室"
                    else None,
                    **{
                        f"has_{k}": True
                        for k in ("venue", "sign", "rules", "process", "activities", "results")
                    },
                },
                by=None,
            )
        result.append(studio)
        if StudioMembership.objects.filter(studio=studio, end_on__isnull=True).exists():
            continue
        active = Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk")
        near = list(active.filter(sector__name__in=sectors))
        far = list(active.exclude(sector__name__in=sectors))
        rng.shuffle(near)
        rng.shuffle(far)
        # Core members from the studio's own sectors, a Party member among them to lead the group.
        near.sort(key=lambda m: m.party != PartyAffiliation.CPC)
        core = (near + far)[:n_core]
        linked = [m for m in near[n_core:] + far if m not in core][:n_linked]
        services.assign_members(
            studio, core, role=MembershipRole.CORE, term=term, by=None, on=founded
        )
        services.assign_members(
            studio, linked, role=MembershipRole.LINKED, term=term, by=None, on=founded
        )
        leader = next((m for m in core if m.party == PartyAffiliation.CPC), None)
        if leader is not None and not PartyGroup.objects.filter(studio=studio).exists():
            services.create_party_group(studio, leader, founded_on=founded, by=None)
    log(f"界别/行业委员工作室 {len(result)} 个")
    return result


def _members_of(studio) -> list[int]:
    return list(
        StudioMembership.objects.filter(studio=studio, end_on__isnull=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def _activities(rng, studio, today) -> int:
    if Activity.objects.filter(studio=studio, date__year=YEAR).exists():
        return 0
    members = _members_of(studio)
    villages = list(
        Village.objects.filter(town_id=studio.town_id).values_list("name", flat=True)
    ) or [studio.host_unit]
    media = studio.name == "媒体委员工作室"
    made = 0
    for month in range(1, 13):
        for _ in range(rng.choice((1, 2, 2, 3))):
            day = datetime.date(YEAR, month, rng.randint(1, 28))
            kind = (
                ActivityKind.LIVESTREAM if media and rng.random() < 0.6 else rng.choice(TOWN_KINDS)
            )
            village = rng.choice(villages)
            held = day <= today
            if not held and day > today + datetime.timedelta(days=45):
                continue
            attendance = {}
            if held:
                taking_part = (
                    rng.sample(members, k=min(len(members), rng.randint(6, 30))) if members else []
                )
                for pk in taking_part:
                    r = rng.random()
                    attendance[pk] = (
                        Attendance.PRESENT
                        if r < 0.82
                        else Attendance.LEAVE
                        if r < 0.94
                        else Attendance.ABSENT
                    )
            data = {
                "kind": kind,
                "title": TITLES[kind].format(village=village),
                "date": day,
                "place": village if studio.kind == StudioKind.TOWN else studio.host_unit,
                "other_participants": rng.randint(0, 15),
                "residents_reached": rng.randint(20, 200) if held else 0,
                "sales_wan": Decimal(rng.randint(50, 1500)) / 100
                if kind == ActivityKind.LIVESTREAM and held
                else None,
                "summary": "委员听取群众意见，梳理问题并明确跟进委员。" if held else "",
            }
            services.record_activity(studio, data, attendance, by=None)
            made += 1
    return made


def _problems(rng, studio, today) -> int:
    if Problem.objects.filter(studio=studio).exists():
        return 0
    members = list(Member.objects.filter(pk__in=_members_of(studio)))
    villages = list(Village.objects.filter(town_id=studio.town_id))
    # Seed 000: 东溪镇's studio saw 23 livelihood problems solved.
    if studio.name == "东溪镇委员工作室":
        total, solved = 25, 23
    elif studio.kind == StudioKind.TOWN:
        total = rng.randint(4, 9)
        solved = rng.randint(1, total - 1)
    else:
        total, solved = 3, 2
    made = 0
    for i in range(total):
        title, how = PROBLEMS[i % len(PROBLEMS)]
        raised = min(
            datetime.date(YEAR, 1, 5) + datetime.timedelta(days=rng.randint(0, 300)), today
        )
        problem = services.create_problem(
            studio,
            {
                "title": title if i < len(PROBLEMS) else f"{title}（{i // len(PROBLEMS) + 1}）",
                "raised_by": rng.choice(["居民", "村民代表", "商户", "“茶园夜话”群众"]),
                "raised_on": raised,
                "village": rng.choice(villages) if villages else None,
            },
            rng.sample(members, k=min(2, len(members))),
            by=None,
        )
        made += 1
        if i < solved:
            workflow.problem_take(problem, by=None)
            solved_on = min(raised + datetime.timedelta(days=rng.randint(7, 90)), today)
            workflow.problem_solve(problem, solved_on=solved_on, resolution=how, by=None)
        elif rng.random() < 0.5:
            workflow.problem_take(problem, by=None)
    return made


def _duty(studio, today) -> int:
    """The next working days, one member a day in turn, so every member of a town studio has a
    duty day on the portal."""
    if DutyShift.objects.filter(studio=studio, date__gte=today).exists():
        return 0
    members = list(Member.objects.filter(pk__in=_members_of(studio)).order_by("pk"))
    day, made = today + datetime.timedelta(days=1), 0
    for member in members:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        services.assign_duty(studio, member, day, note="驻站接待群众", by=None)
        day += datetime.timedelta(days=1)
        made += 1
    return made


def _heads(rng, towns, studios) -> int:
    made = 0
    picks = [t for t in towns if t.name in ("古南街道", "丁山镇", "安稳镇", "石角镇", "扶欢镇")]
    for town, (acres, firms, funds, streams, income, notes) in zip(
        picks, HEAD_FIGURES, strict=False
    ):
        village = (
            Village.objects.filter(town=town, kind=VillageKind.VILLAGE).order_by("name").first()
        )
        members = _members_of(studios[town.pk])
        if village is None or not members:
            continue
        if HonoraryVillageHead.objects.filter(village=village).exists():
            continue
        services.create_honorary_head(
            {
                "member": Member.objects.get(pk=members[rng.randrange(len(members))]),
                "village": village,
                "start_on": datetime.date(2024, 3, 1),
                "acres_developed": Decimal(acres),
                "enterprises_fostered": firms,
                "funds_secured_wan": Decimal(funds),
                "livestreams": streams,
                "income_raised_wan": Decimal(income),
                "notes": notes,
            },
            by=None,
        )
        made += 1
    return made


def _contacts(rng, studio, term, today) -> int:
    members = list(Member.objects.filter(pk__in=_members_of(studio)).order_by("pk"))
    cpc = [m for m in members if m.party == PartyAffiliation.CPC][:3]
    others = [m for m in members if m.party != PartyAffiliation.CPC]
    if not cpc or not others:
        return 0
    if ContactPair.objects.filter(party_member__in=cpc, term=term).exists():
        return 0
    made = 0
    for i, party_member in enumerate(cpc):
        for other in others[i * 2 : i * 2 + 2]:
            pair = services.create_contact_pair(
                party_member, other, term=term, since=datetime.date(2023, 1, 10), by=None
            )
            for _ in range(rng.randint(1, 3)):
                services.add_contact_record(
                    pair,
                    date=min(datetime.date(YEAR, rng.randint(1, 11), rng.randint(1, 28)), today),
                    way=rng.choice(ContactWay.values),
                    content=rng.choice(
                        [
                            "交流履职心得",
                            "共同研究提案选题",
                            "走访企业了解困难",
                            "商量“一镇一事”议题",
                        ]
                    ),
                    by=None,
                )
            made += 1
    return made


# (studio, activity kind, file name, background colour, shape colour): the photos the demo puts on
# a few held activities so the activity pages show thumbnails that open.
PHOTOS = [
    (
        "古南街道委员工作室",
        ActivityKind.TEA_TALK,
        "茶园夜话现场.jpg",
        (46, 125, 50),
        (255, 235, 59),
    ),
    (
        "古南街道委员工作室",
        ActivityKind.COURTYARD,
        "院坝会合影.jpg",
        (121, 85, 72),
        (255, 255, 255),
    ),
    ("东溪镇委员工作室", ActivityKind.RESEARCH, "产业调研走访.jpg", (25, 118, 210), (255, 193, 7)),
    (
        "东溪镇委员工作室",
        ActivityKind.RECEPTION,
        "接待群众来访.jpg",
        (183, 28, 28),
        (255, 255, 255),
    ),
    ("媒体委员工作室", ActivityKind.LIVESTREAM, "助农直播间.jpg", (123, 31, 162), (255, 152, 0)),
]


def _photo(background, shape, seed: int) -> bytes:
    """A small JPEG drawn in code (no downloads): a coloured field, a sun and a hill."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), background)
    draw = ImageDraw.Draw(image)
    x = 60 + (seed * 97) % 300
    draw.ellipse((x, 40, x + 90, 130), fill=shape)
    draw.polygon([(0, 320), (200 + seed * 13 % 80, 170), (480, 320)], fill=(255, 255, 255))
    draw.rectangle((0, 300, 480, 320), fill=shape)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _photos(today) -> int:
    """Attaches each of PHOTOS to the latest held activity of its kind in its studio (or, failing
    that, its latest held activity), through studios.services.attach_files, which keeps the
    Chinese name. A photo already on one of the studio's activities is not added again."""
    made = 0
    for i, (studio_name, kind, name, background, shape) in enumerate(PHOTOS):
        held = Activity.objects.filter(studio__name=studio_name, date__lte=today).order_by(
            "-date", "-id"
        )
        if held.filter(files__original_name=name).exists():
            continue
        activity = held.filter(kind=kind).first() or held.first()
        if activity is None:
            continue
        photo = ContentFile(_photo(background, shape, i), name=name)
        services.attach_files(activity, [(photo, name.removesuffix(".jpg"))])
        made += 1
    return made


def load_logins(log: Callable[[str], None]) -> list[tuple[str, str]]:
    """The `town` clerk login of 古南街道 and the `member` login of a plain member of its studio
    (hence here, after the members are placed). Idempotent; returns rows for the login table."""
    from cppcc.demo import demo_login
    from cppcc.models import User
    from cppcc.roles import Role

    gunan = Town.objects.get(name="古南街道")
    studio = Studio.objects.get(kind=StudioKind.TOWN, town=gunan)
    existing = User.objects.filter(username="member").select_related("member").first()
    if existing is not None and existing.member is not None:
        member = existing.member
    else:
        # A plain member of 古南's studio who is not already somebody's login.
        member = (
            Member.objects.filter(
                studio_memberships__studio=studio,
                studio_memberships__end_on__isnull=True,
                user__isnull=True,
            )
            .exclude(pk=gunan.united_front_officer_id)
            .order_by("name_pinyin", "pk")
            .first()
        )
    with transaction.atomic():
        demo_login("town", "古南街道政协工作办公室 刘洋", [Role.TOWN], town=gunan)
        demo_login("member", member.name, [Role.MEMBER], member=member)
    return [
        ("town", "镇街工作人员 · 古南街道"),
        ("member", f"委员 · {member.name}（古南街道委员工作室）"),
    ]
