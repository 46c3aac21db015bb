"""Bench data at scale S: S=1 is one county over ten years, S=10 ten counties in one database.

    python -m bench.generate --scale 10 --seed 1 [--anchor 2026-11-30]

Fills the current database (DJANGO_SETTINGS_MODULE and DATABASE_URL as for manage.py), which must
be freshly migrated and hold no county data. Everything is drawn from `random.Random(seed)` and
dated relative to `anchor` (default: today), so two builds with the same seed and anchor hold the
same rows apart from ids and insert timestamps (`fingerprint()` checks that).

Rows are written inside one transaction with `bulk_create` in batches, and with COPY on
PostgreSQL for the large leaf tables (attendance rows, many-to-many links, the ledger): no model
save(), so no history rows, no audit rows and no duty-ledger signals. The ledger
(members.DutyEntry) is built at the end, year by year, from the app's own sources and pricing
(`members.duty.collect` and `price`, what `duty.rebuild` writes), so its rows have exactly the
shape the app produces; only the insert differs (COPY instead of bulk_create).

Logins (password `bench-pass-1`): `admin`, `office`, `leader`, `town-<n>` (one per town, in
town order), `member-<n>` (every member of the current term; `member-1` sits in the first
town's studio), `unit-<n>` (one per handling unit).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import math
import os
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal

BENCH_PASSWORD = "bench-pass-1"
# Counties after the first one: their towns, studios and units carry the county's name, so the
# unique names of the single-county demo stay unique at S=10.
COUNTIES = ("綦江", "万盛", "南川", "江津", "巴南", "璧山", "铜梁", "永川", "荣昌", "大足")
YEARS = 10
BATCH = 2000

# Per county (S=1) figures the brief and issue 13 give.
TERM_MEMBERS = 365
CONTINUING = 230  # members of both terms: ~500 distinct over ten years
TOWNS_PER_COUNTY = 20
SECTOR_STUDIOS_PER_COUNTY = 5
UNITS_PER_COUNTY = 17
PROPOSALS_PER_YEAR = 300
OPINIONS_PER_YEAR = 200
EXTRA_MATTERS_PER_YEAR = 20  # besides one annual matter per town and year
SMALL_MEETINGS_PER_TOWN_YEAR = 2  # 协商工作例会 and 小微协商, outside the matters
TOWN_ACTIVITIES_PER_YEAR = 36
SECTOR_ACTIVITIES_PER_YEAR = 26
STANDING_SIZE = 40  # chair, vice-chairs, secretary-general and 常委 per county

SECTOR_STUDIO_PLAN = (
    ("媒体委员工作室", "区融媒体中心", ("新闻出版界", "文化艺术界")),
    ("经济界别委员工作室", "工业园区", ("经济界", "工商联", "民建")),
    ("医卫界别委员工作室", "区人民医院", ("医药卫生界", "农工党")),
    ("教育界别委员工作室", "区教师进修学院", ("教育界", "民进")),
    ("农业界别委员工作室", "现代农业园区", ("农业界", "九三学社")),
)
EMPLOYERS = (
    ("区人民医院", ("副院长", "主任医师", "护士长")),
    ("区实验中学", ("校长", "副校长", "教师")),
    ("{town}人民政府", ("副镇长", "党委委员", "统战委员")),
    ("{town}{village}", ("党支部书记", "村委会主任")),
    ("区农业农村委", ("副主任", "科长")),
    ("{town}农业专业合作社", ("理事长",)),
    ("重庆{brand}实业有限公司", ("董事长", "总经理")),
    ("{brand}律师事务所", ("主任", "律师")),
    ("区融媒体中心", ("记者", "编辑部主任")),
)
BRANDS = ("渝綦", "古剑", "綦州", "通惠", "南州", "綦河", "东溪", "红岩", "金桥", "华康")
MOBILE_PREFIXES = ("139", "138", "136", "135", "137", "151", "158", "187", "188", "177", "189")
COLLECTIVE_SOURCES = ("民革区委", "民盟区委", "民建区委", "农工党区委", "九三学社区委", "区工商联")
MATTER_TITLES = (
    "{village}停车难问题协商",
    "{village}老旧小区改造",
    "{village}农村饮水安全提升",
    "{village}通组公路硬化",
    "{town}农贸市场升级改造",
    "{village}人居环境整治",
    "{village}产业发展与集体经济壮大",
    "{town}学校周边交通安全",
    "{village}便民服务点建设",
    "{village}河道治理",
)
MEETING_PLACES = (
    "{village}协商议事室",
    "{town}政协工作办公室",
    "{village}院坝",
    "{town}委员工作室",
)
AGREED = (
    "与会各方同意分步实施，先行解决群众反映最集中的问题。",
    "明确责任单位和完成时限，委员定期跟踪督办。",
    "资金由区级部门统筹和镇街自筹相结合解决。",
)
ACTIVITY_TITLES = {
    "tea_talk": "“茶园夜话”听民声",
    "courtyard": "院坝会：{village}发展规划",
    "research": "{village}产业发展调研",
    "inspection": "视察场镇老旧小区改造",
    "lecture": "社区老年大学政策宣讲",
    "clinic": "委员义诊进{village}",
    "legal_aid": "法律服务进{village}",
    "reception": "委员接待群众来访",
    "livestream": "“萤火虫直播工程”助农直播",
    "duty": "委员驻站值日",
    "reading": "委员读书活动",
    "volunteer": "委员志愿服务",
}
TOWN_KIND_WEIGHTS = (
    ("tea_talk", 5),
    ("courtyard", 4),
    ("research", 3),
    ("reception", 3),
    ("lecture", 2),
    ("legal_aid", 2),
    ("clinic", 1),
    ("inspection", 1),
    ("livestream", 1),
    ("volunteer", 1),
    ("reading", 1),
    ("duty", 1),
)
PROBLEM_TITLES = (
    "场镇停车难",
    "老旧小区院坝改造",
    "路灯不亮",
    "饮水管网老化",
    "垃圾清运不及时",
    "农产品销路不畅",
    "公交班次少",
)
LEAVE_REASONS = ("因公出差", "身体原因", "参加市级会议", "家中有事")
CN_NUMERALS = "一二三四五六七八九十"


class BenchDataError(Exception):
    """The database is not one the generator may fill; the message says why, in Chinese."""


def _count(base: float, scale: float) -> int:
    return max(1, round(base * scale))


def _cn(n: int) -> str:
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    return str(n)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _check_database() -> None:
    from django.db import connection

    from members.models import Member
    from studios.models import Town

    tables = set(connection.introspection.table_names())
    needed = {Member._meta.db_table, Town._meta.db_table, "members_dutyentry"}
    if not needed <= tables:
        raise BenchDataError("数据库尚未迁移：请先运行 python manage.py migrate。")
    if Town.objects.exists() or Member.objects.exists():
        raise BenchDataError("数据库中已有县区数据（镇街或委员），请使用新建并迁移的空数据库。")


class _Builder:
    def __init__(self, scale: float, seed: int, anchor: datetime.date, out):
        self.scale, self.anchor, self.out = scale, anchor, out
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = {}
        self.first_year = anchor.year - YEARS + 1
        self.started = time.monotonic()

    # --- helpers ------------------------------------------------------------------------------
    def log(self, text: str) -> None:
        if self.out is not None:
            self.out.write(f"[{time.monotonic() - self.started:6.1f}s] {text}\n")
            self.out.flush()

    def put(self, model, rows: list, label: str | None = None) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        key = label or model._meta.label
        self.counts[key] = self.counts.get(key, 0) + len(rows)
        return created

    def copy(self, model, columns: tuple[str, ...], rows: list[tuple], label: str | None = None):
        """Inserts leaf rows (nothing refers to them, so no ids are needed) given as tuples of
        `columns` (attnames): COPY on PostgreSQL, which is several times faster than building
        model instances for bulk_create; bulk_create elsewhere (the tests' SQLite)."""
        from django.db import connection

        key = label or model._meta.label
        self.counts[key] = self.counts.get(key, 0) + len(rows)
        if connection.vendor != "postgresql":
            model.objects.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
            )
            return
        names = ", ".join(
            connection.ops.quote_name(model._meta.get_field(c).column) for c in columns
        )
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def day_in(self, year: int, first: tuple[int, int] = (1, 1), last=(12, 31)) -> datetime.date:
        start = datetime.date(year, *first)
        end = min(datetime.date(year, *last), self.anchor)
        if end < start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def past(self, day: datetime.date) -> bool:
        return day <= self.anchor

    # --- the build ----------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.log(f"规模 S={self.scale}，截止日期 {self.anchor}")
        self.tables()
        self.terms_and_towns()
        self.members()
        self.units()
        self.studios()
        self.users()
        self.sessions()
        self.proposals()
        self.opinions()
        self.matters()
        self.activities()
        self.ledger()
        return dict(sorted(self.counts.items()))

    def tables(self) -> None:
        from cppcc.roles import ensure_groups
        from members.models import Sector, SpecialCommittee
        from members.services import ensure_default_tables
        from studios.models import PartyBranch

        ensure_groups()
        ensure_default_tables()
        self.sectors = {s.name: s for s in Sector.objects.order_by("order", "name")}
        self.committees = list(SpecialCommittee.objects.order_by("order", "name"))
        have = set(PartyBranch.objects.values_list("special_committee_id", flat=True))
        self.put(
            PartyBranch,
            [
                PartyBranch(special_committee=c, name=f"{c.short_name or c.name}功能型党支部")
                for c in self.committees
                if c.pk not in have
            ],
        )

    def terms_and_towns(self) -> None:
        from members.models import Term
        from studios.demo import TOWNS
        from studios.models import Town, Village

        y = self.anchor.year
        self.term_old, self.term_cur = self.put(
            Term,
            [
                Term(name="第十四届", start_year=y - 9, end_year=y - 5),
                Term(name="第十五届", start_year=y - 4, end_year=y, is_current=True),
            ],
        )
        n_towns = _count(TOWNS_PER_COUNTY, self.scale)
        self.n_counties = math.ceil(n_towns / TOWNS_PER_COUNTY)
        towns, self.villages = [], {}
        for i in range(n_towns):
            county, (base, kind, villages) = i // TOWNS_PER_COUNTY, TOWNS[i % len(TOWNS)]
            name = base if county == 0 else f"{self.county_name(county)}{base}"
            towns.append(
                Town(
                    name=name,
                    kind=kind,
                    office_name=f"{name}政协工作办公室",
                    office_address=f"{name}便民服务中心三楼",
                    order=i + 1,
                )
            )
            self.villages[i] = villages
        self.towns = self.put(Town, towns)
        self.town_county = [i // TOWNS_PER_COUNTY for i in range(n_towns)]
        rows = [
            Village(
                town=town,
                name=name,
                kind="community" if name.endswith("社区") else "village",
                has_consultation_room=room,
            )
            for i, town in enumerate(self.towns)
            for name, room in self.villages[i]
        ]
        created = self.put(Village, rows)
        self.village_rows = defaultdict(list)
        for village in created:
            self.village_rows[village.town_id].append(village)

    def county_name(self, county: int) -> str:
        name = COUNTIES[county % len(COUNTIES)]
        return name if county < len(COUNTIES) else f"{name}{county // len(COUNTIES) + 1}"

    def place(self, town_index: int) -> tuple[str, str]:
        return self.towns[town_index].name, self.rng.choice(self.villages[town_index])[0]

    def members(self) -> None:
        from stdnum.cn import ric

        from members.demo import (
            COMMITTEE_OF_SECTOR,
            EXPERTISE,
            GIVEN_FEMALE,
            GIVEN_MALE,
            PARTY_SECTORS,
            SECTOR_PLAN,
            SURNAMES,
        )
        from members.models import Member
        from members.services import name_pinyin

        rng = self.rng
        per_term = _count(TERM_MEMBERS, self.scale)
        continuing = round(per_term * CONTINUING / TERM_MEMBERS)
        total = 2 * per_term - continuing
        # Index order: old-term only, both terms, current-term only.
        self.old_idx = list(range(per_term))
        self.cur_idx = list(range(per_term - continuing, total))
        committees = {c.name: c for c in self.committees}
        plan = [(name, size, share) for name, size, share in SECTOR_PLAN if name in self.sectors]
        weights = [size for _name, size, _share in plan]
        used_ids, members = set(), []
        self.home = []  # the town index each member lives and serves in
        for i in range(total):
            # Round robin, so every town has members of both terms; a town's county gives the
            # member's county.
            town_i = i % len(self.towns)
            self.home.append(town_i)
            male = rng.random() < 0.68
            sector_name, _size, share = rng.choices(plan, weights)[0]
            if sector_name in PARTY_SECTORS:
                party = PARTY_SECTORS[sector_name]
            elif rng.random() < share:
                party = "cpc"
            else:
                party = rng.choice(("masses", "non_party", "masses"))
            birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 34))
            while True:
                seq = rng.randrange(0, 1000)
                if (seq % 2 == 1) != male:
                    seq = (seq + 1) % 1000
                body = f"510223{birth:%Y%m%d}{seq:03d}"
                number = body + ric.calc_check_digit(body + "0")
                if number not in used_ids:
                    used_ids.add(number)
                    break
            given = GIVEN_MALE if male else GIVEN_FEMALE
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(given) for _j in range(rng.choice((1, 2, 2)))
            )
            town, village = self.place(town_i)
            employer, posts = rng.choice(EMPLOYERS)
            employer = employer.format(town=town, village=village, brand=rng.choice(BRANDS))
            committee = committees.get(COMMITTEE_OF_SECTOR.get(sector_name, ""))
            if committee is None:
                committee = rng.choice(self.committees)
            pinyin, initials = name_pinyin(name)
            members.append(
                Member(
                    name=name,
                    name_pinyin=pinyin,
                    name_initials=initials,
                    gender="M" if male else "F",
                    birth_date=birth,
                    id_number=number,
                    mobile=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                    employer=employer,
                    job_title=rng.choice(posts),
                    expertise="、".join(rng.sample(EXPERTISE[:10], 2)),
                    sector=self.sectors[sector_name],
                    party=party,
                    special_committee=committee,
                    level="city" if rng.random() < 0.08 else "district",
                )
            )
        # Posts per county and term: 主席, 副主席 ×4, 秘书长, then 常委.
        posts = ["chair"] + ["vice_chair"] * 4 + ["secretary_general"]
        posts += ["standing"] * (STANDING_SIZE - len(posts))
        for term_idx in (self.old_idx, self.cur_idx):
            by_county = defaultdict(list)
            for i in term_idx:
                by_county[self.town_county[self.home[i]]].append(i)
            for county in sorted(by_county):
                for post, i in zip(
                    posts, by_county[county][:: max(1, 365 // STANDING_SIZE)], strict=False
                ):
                    members[i].post = post
        self.member_objs = members

    def insert_members(self) -> None:
        from members.models import Member

        self.member_rows = self.put(Member, self.member_objs)
        self.mid = [m.pk for m in self.member_rows]
        through = Member.terms.through
        rows = [(self.mid[i], self.term_old.pk) for i in self.old_idx]
        rows += [(self.mid[i], self.term_cur.pk) for i in self.cur_idx]
        self.copy(through, ("member_id", "term_id"), rows, "members.Member_terms")

    def units(self) -> None:
        from proposals.demo import DEMO_UNITS
        from proposals.models import HandlingUnit

        rng = self.rng
        rows = []
        self.unit_county = []
        for county in range(self.n_counties):
            for j in range(max(3, _count(UNITS_PER_COUNTY, min(self.scale, 1)))):
                base, kind = DEMO_UNITS[j % len(DEMO_UNITS)]
                name = base if county == 0 else f"{self.county_name(county)}{base}"
                rows.append(
                    HandlingUnit(
                        name=name,
                        kind=kind,
                        contact_person=rng.choice("王李张刘陈杨") + rng.choice("敏伟芳军静"),
                        contact_phone=f"023-{rng.randrange(10**7, 10**8)}",
                    )
                )
                self.unit_county.append(county)
        self.unit_rows = self.put(HandlingUnit, rows)
        self.units_of = defaultdict(list)
        for unit, county in zip(self.unit_rows, self.unit_county, strict=True):
            self.units_of[county].append(unit.pk)

    def studios(self) -> None:
        from studios.models import PartyGroup, Studio, StudioMembership

        rng = self.rng
        old_set, cur_set = set(self.old_idx), set(self.cur_idx)
        # Town studios: 5–12 members of the town per term.
        plans = []  # (studio fields, {term: [(member idx, role)]}, town index or None)
        town_members = defaultdict(list)
        for i in range(len(self.member_objs)):
            town_members[self.home[i]].append(i)
        founded = datetime.date(self.first_year, 3, 1)
        for t, town in enumerate(self.towns):
            seats = {}
            for key, pool in (("old", old_set), ("cur", cur_set)):
                candidates = [i for i in town_members[t] if i in pool]
                k = min(len(candidates), rng.randint(5, 12))
                seats[key] = [(i, "member") for i in sorted(rng.sample(candidates, k))]
            plans.append(
                (
                    {
                        "name": f"{town.name}委员工作室",
                        "kind": "town",
                        "town": town,
                        "address": town.office_address,
                        "level": "city" if rng.random() < 0.15 else "district",
                    },
                    seats,
                    t,
                )
            )
        n_sector = _count(SECTOR_STUDIOS_PER_COUNTY, self.scale)
        for j in range(n_sector):
            county = min(j * self.n_counties // n_sector, self.n_counties - 1)
            base, host, sector_names = SECTOR_STUDIO_PLAN[j % len(SECTOR_STUDIO_PLAN)]
            name = base if county == 0 else f"{self.county_name(county)}{base}"
            in_county = [
                i for i in range(len(self.member_objs)) if self.town_county[self.home[i]] == county
            ]
            seats = {}
            for key, pool in (("old", old_set), ("cur", cur_set)):
                candidates = [i for i in in_county if i in pool]
                core_pool = [
                    i for i in candidates if self.member_objs[i].sector.name in sector_names
                ] or candidates
                core = sorted(rng.sample(core_pool, min(len(core_pool), rng.randint(5, 8))))
                rest = [i for i in candidates if i not in set(core)]
                linked = sorted(rng.sample(rest, min(len(rest), rng.randint(8, 22))))
                seats[key] = [(i, "core") for i in core] + [(i, "linked") for i in linked]
            plans.append(
                (
                    {
                        "name": name,
                        "kind": "sector",
                        "host_unit": host,
                        "address": host,
                        "level": "city" if j % 5 == 1 else "district",
                    },
                    seats,
                    None,
                )
            )
        # The United Front officer of a town (a Party member of its studio) leads the studio's
        # Party group; a sector studio's group is led by a Party member among its core members.
        leaders = []
        for _fields, seats, _t in plans:
            current = [i for i, _role in seats["cur"]] or [i for i, _r in seats["old"]]
            party = [i for i in current if self.member_objs[i].party == "cpc"]
            leader = party[0] if party else current[0]
            self.member_objs[leader].party = "cpc"
            leaders.append(leader)
        self.insert_members()
        for (_fields, _seats, t), leader in zip(plans, leaders, strict=True):
            if t is not None:
                self.towns[t].united_front_officer_id = self.mid[leader]
        from studios.models import Town

        Town.objects.bulk_update(self.towns, ["united_front_officer"], batch_size=BATCH)
        studios = [
            Studio(
                **fields,
                founded_on=founded,
                city_level_named_on=datetime.date(self.first_year + 5, 12, 20)
                if fields["level"] == "city"
                else None,
                leader_id=self.mid[leader],
                has_venue=True,
                has_sign=True,
                has_rules=True,
                has_process=rng.random() < 0.9,
                has_activities=True,
                has_results=rng.random() < 0.8,
            )
            for (fields, _seats, _t), leader in zip(plans, leaders, strict=True)
        ]
        self.studio_rows = self.put(Studio, studios)
        self.put(
            PartyGroup,
            [
                PartyGroup(
                    studio=studio,
                    name=f"{studio.name}党小组",
                    leader_id=self.mid[leader],
                    founded_on=founded,
                )
                for studio, leader in zip(self.studio_rows, leaders, strict=True)
            ],
        )
        terms = {
            "old": (
                self.term_old,
                datetime.date(self.first_year, 3, 1),
                datetime.date(self.term_old.end_year, 12, 31),
            ),
            "cur": (self.term_cur, datetime.date(self.term_cur.start_year, 3, 1), None),
        }
        rows = []
        # studio index → term key → member indexes; activities and meetings draw from these.
        self.seats = []
        for studio, (_fields, seats, _t) in zip(self.studio_rows, plans, strict=True):
            self.seats.append({key: [i for i, _r in seats[key]] for key in seats})
            for key, (term, start, end) in terms.items():
                rows += [
                    StudioMembership(
                        member_id=self.mid[i],
                        studio=studio,
                        term=term,
                        role=role,
                        is_town_studio=studio.kind == "town",
                        start_on=start,
                        end_on=end,
                    )
                    for i, role in seats[key]
                ]
        self.put(StudioMembership, rows)
        self.town_studio = {t: s for s, (_f, _s, t) in enumerate(plans) if t is not None}

    def users(self) -> None:
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from cppcc.models import User
        from cppcc.roles import MEMBER_REGISTER_GROUP, Role

        # One hash for every login: hashing thousands of passwords would take minutes, and a
        # fixed salt keeps two builds identical. The salt has the entropy Django asks of one
        # (128 bits: 22 letters and digits): a shorter one makes the first login rehash the
        # password, which ends the sessions of the others logged in as that account meanwhile
        # (the load's office people, who share one login, then got 302s).
        password = make_password(BENCH_PASSWORD, salt="benchgeneratesalt2026cppcc")
        epoch = _at(datetime.date(self.first_year, 1, 1))
        groups = {g.name: g.pk for g in Group.objects.all()}
        specs = [
            ("admin", "系统管理员", [Role.ADMIN], {"is_staff": True, "is_superuser": True}),
            ("office", "办公室 王敏", [Role.OFFICE, MEMBER_REGISTER_GROUP], {}),
            ("leader", "区政协主席", [Role.LEADER], {}),
        ]
        specs += [
            (f"town-{n}", f"{town.name}工作人员", [Role.TOWN], {"town": town})
            for n, town in enumerate(self.towns, 1)
        ]
        # member-1 … : first the members seated in a town studio, in town order (member-1 is in
        # the first town's studio), then the others.
        seated = {i for s in self.town_studio.values() for i in self.seats[s]["cur"]}
        logins = sorted(self.cur_idx, key=lambda i: (i not in seated, self.home[i], i))
        specs += [
            (
                f"member-{n}",
                self.member_objs[i].name,
                [Role.MEMBER],
                {"member_id": self.mid[i]},
            )
            for n, i in enumerate(logins, 1)
        ]
        specs += [
            (f"unit-{n}", unit.name, [Role.UNIT], {"handling_unit": unit})
            for n, unit in enumerate(self.unit_rows, 1)
        ]
        users = self.put(
            User,
            [
                User(
                    username=username,
                    display_name=display,
                    password=password,
                    date_joined=epoch,
                    **links,
                )
                for username, display, _roles, links in specs
            ],
        )
        through = User.groups.through
        self.put(
            through,
            [
                through(user_id=user.pk, group_id=groups[role])
                for user, (_u, _d, roles, _l) in zip(users, specs, strict=True)
                for role in roles
            ],
            "cppcc.User_groups",
        )
        self.office = users[1]
        self.unit_users = {u.handling_unit_id: u for u in users if u.handling_unit_id}

    def term_of(self, year: int):
        if year <= self.term_old.end_year:
            return self.term_old, self.old_idx, "old"
        return self.term_cur, self.cur_idx, "cur"

    def sessions(self) -> None:
        from members.models import CommitteeSession, SessionAttendance

        rng = self.rng
        sessions, audiences = [], []
        ordinals = defaultdict(int)
        for year in range(self.first_year, self.anchor.year + 1):
            term, members, _key = self.term_of(year)
            plenary_on = datetime.date(year, 1, 8) + datetime.timedelta(days=rng.randint(0, 14))
            n = year - term.start_year + 1
            planned = [
                (
                    "plenary",
                    n,
                    f"{term.name}第{_cn(n)}次会议",
                    plenary_on,
                    4,
                    "all",
                    "区会议中心",
                )
            ]
            for month, day in ((4, 18), (7, 22), (10, 24)):
                ordinals[(term.pk, "standing")] += 1
                k = ordinals[(term.pk, "standing")]
                planned.append(
                    (
                        "standing",
                        k,
                        f"{term.name}常委会第{_cn(k)}次会议",
                        datetime.date(year, month, day),
                        0,
                        "standing",
                        "区政协常委会议室",
                    )
                )
            for month in (3, 6, 9, 12):
                ordinals[(term.pk, "chair")] += 1
                k = ordinals[(term.pk, "chair")]
                planned.append(
                    (
                        "chair",
                        k,
                        f"{term.name}主席会议第{_cn(k)}次会议",
                        datetime.date(year, month, 12),
                        0,
                        "chair",
                        "区政协三楼会议室",
                    )
                )
            for kind, ordinal, name, starts, length, audience, place in planned:
                if not self.past(starts):
                    continue
                sessions.append(
                    CommitteeSession(
                        term=term,
                        kind=kind,
                        name=name,
                        ordinal=ordinal,
                        starts_on=starts,
                        ends_on=starts + datetime.timedelta(days=length),
                        place=place,
                        audience=audience,
                        proposals_open_on=starts - datetime.timedelta(days=30)
                        if kind == "plenary"
                        else None,
                        proposals_close_on=starts + datetime.timedelta(days=2)
                        if kind == "plenary"
                        else None,
                    )
                )
                audiences.append((audience, members))
        self.session_rows = self.put(CommitteeSession, sessions)
        self.plenary = {s.starts_on.year: s for s in self.session_rows if s.kind == "plenary"}
        expects = {
            "all": lambda m: True,
            "standing": lambda m: m.post != "member",
            "chair": lambda m: m.post in ("chair", "vice_chair", "secretary_general"),
        }
        rows = []
        for session, (audience, members) in zip(self.session_rows, audiences, strict=True):
            for i in members:
                if not expects[audience](self.member_objs[i]):
                    continue
                draw = rng.random()
                status = "present" if draw < 0.92 else "leave" if draw < 0.98 else "absent"
                reason = rng.choice(LEAVE_REASONS) if status == "leave" else ""
                rows.append((session.pk, self.mid[i], status, reason))
        self.copy(SessionAttendance, ("session_id", "member_id", "status", "leave_reason"), rows)
        self.log(f"会议 {len(self.session_rows)} 次，出勤 {len(rows)} 条")

    def proposals(self) -> None:
        from proposals.demo import CROPS, THEMES
        from proposals.models import (
            Proposal,
            ProposalCosigner,
            ProposalRating,
            ProposalReply,
            ProposalUnit,
        )

        rng = self.rng
        unit_by_name = defaultdict(dict)
        for unit, county in zip(self.unit_rows, self.unit_county, strict=True):
            base = unit.name.removeprefix(self.county_name(county)) if county else unit.name
            unit_by_name[county][base] = unit.pk
        proposals, plans = [], []
        serials = defaultdict(int)
        per_year = _count(PROPOSALS_PER_YEAR, self.scale)
        for year in range(self.first_year, self.anchor.year + 1):
            term, members, _key = self.term_of(year)
            session = self.plenary.get(year)
            current = year == self.anchor.year
            for _n in range(per_year):
                i = rng.choice(members)
                county = self.town_county[self.home[i]]
                theme = rng.choice(THEMES)
                town, village = self.place(self.home[i])
                values = {"town": town, "village": village, "crop": rng.choice(CROPS)}
                in_session = session is not None and rng.random() < 0.85
                if in_session:
                    submitted = session.proposals_open_on + datetime.timedelta(
                        days=rng.randint(0, 31)
                    )
                else:
                    submitted = self.day_in(year, (3, 1), (11, 30))
                if current:
                    age = (self.anchor - submitted).days
                    fates = ["closed", "replied", "assigned", "registered", "submitted"]
                    fate = fates[min(4, max(0, 4 - age // 40))] if rng.random() < 0.9 else "draft"
                else:
                    fate = "closed"
                draw = rng.random()
                if fate != "draft" and draw < 0.07:
                    fate = "not_registered"
                elif fate in ("closed", "replied", "assigned") and draw < 0.11:
                    fate = "merged"
                kind = rng.choices(("individual", "joint", "collective"), (70, 20, 10))[0]
                registered = fate in ("registered", "assigned", "replied", "closed")
                serial = number = None
                if registered:
                    key = (term.pk, session.pk if in_session else None)
                    serials[key] += 1
                    serial = serials[key]
                    number = str(serial) if in_session else f"闭会{serial}"
                sub_at = _at(submitted, 9)
                plans.append((fate, county, theme, submitted, i))
                proposals.append(
                    Proposal(
                        term=term,
                        session=session if in_session else None,
                        year=year,
                        category=theme.category,
                        title=theme.title.format(**values),
                        reasons=theme.reasons.format(**values),
                        suggestions=theme.suggestions.format(**values),
                        kind=kind,
                        lead_proposer_id=None if kind == "collective" else self.mid[i],
                        collective_source=rng.choice(COLLECTIVE_SOURCES)
                        if kind == "collective"
                        else "",
                        contact_person=self.member_objs[i].name,
                        agrees_to_publish=rng.random() < 0.6,
                        status=fate if fate != "merged" else "submitted",
                        serial=serial,
                        number=number or "",
                        not_registered_reason="other" if fate == "not_registered" else "",
                        is_key=registered and rng.random() < 0.03,
                        supervising_leader="区政协主席" if registered and draw > 0.97 else "",
                        is_excellent=fate == "closed" and rng.random() < 0.04,
                        submitted_on=None if fate == "draft" else submitted,
                        submitted_at=None if fate == "draft" else sub_at,
                        registered_at=_at(submitted + datetime.timedelta(days=10))
                        if registered
                        else None,
                        assigned_at=_at(submitted + datetime.timedelta(days=20))
                        if fate in ("assigned", "replied", "closed")
                        else None,
                        closed_at=_at(submitted + datetime.timedelta(days=130))
                        if fate == "closed"
                        else None,
                        created_by=self.office,
                        created_at=sub_at,
                    )
                )
        rows = self.put(Proposal, proposals)
        # 并案: a merged proposal points at a registered one of the same year.
        targets = defaultdict(list)
        for p in rows:
            if p.status in ("assigned", "replied", "closed") and p.session_id is not None:
                targets[p.year].append(p)
        merged = []
        for p, (fate, *_rest) in zip(rows, plans, strict=True):
            if fate == "merged" and targets[p.year]:
                p.status, p.merged_into = "merged", rng.choice(targets[p.year])
                merged.append(p)
        Proposal.objects.bulk_update(merged, ["status", "merged_into"], batch_size=BATCH)
        county_members = defaultdict(list)
        for key, members in (("old", self.old_idx), ("cur", self.cur_idx)):
            for m in members:
                county_members[(key, self.town_county[self.home[m]])].append(m)
        cosigners, assignments, assignment_plans = [], [], []
        for p, (fate, county, theme, submitted, i) in zip(rows, plans, strict=True):
            if p.kind == "joint":
                # Co-signers from the proposer's county and term.
                pool = county_members[(self.term_of(p.year)[2], county)]
                k = rng.randint(2, 5)
                picks = [m for m in rng.sample(pool, min(len(pool), k + 1)) if m != i][:k]
                for m in sorted(picks):
                    cosigners.append(
                        ProposalCosigner(
                            proposal=p,
                            member_id=self.mid[m],
                            status="confirmed" if fate != "draft" else "invited",
                            confirmed_at=_at(submitted, 8) if fate != "draft" else None,
                        )
                    )
            if p.status not in ("assigned", "replied", "closed"):
                continue
            names = unit_by_name[county]
            lead = names.get(theme.lead) or self.units_of[county][0]
            units = [lead] + [names[n] for n in theme.assisting if n in names and names[n] != lead]
            assigned = submitted + datetime.timedelta(days=20)
            for k, unit in enumerate(units):
                status = {"assigned": "assigned", "replied": "released", "closed": "rated"}
                assignments.append(
                    ProposalUnit(
                        proposal=p,
                        unit_id=unit,
                        is_lead=k == 0,
                        due_on=assigned + datetime.timedelta(days=90),
                        status=status[p.status],
                        assigned_at=_at(assigned),
                    )
                )
                assignment_plans.append((p, assigned))
        self.put(ProposalCosigner, cosigners)
        assignment_rows = self.put(ProposalUnit, assignments)
        replies, reply_plans = [], []
        for a, (p, assigned) in zip(assignment_rows, assignment_plans, strict=True):
            if a.status == "assigned":
                continue
            answered = assigned + datetime.timedelta(days=rng.randint(30, 80))
            replies.append(
                ProposalReply(
                    assignment=a,
                    answer_type=rng.choices(("solved", "planned", "reference"), (60, 30, 10))[0],
                    text=f"关于“{p.title}”的答复：我单位高度重视，已会同相关镇街研究落实。",
                    submitted_at=_at(answered, 15),
                    submitted_by=self.unit_users.get(a.unit_id),
                    released_at=_at(answered + datetime.timedelta(days=3), 10),
                )
            )
            reply_plans.append((a, p, answered))
        reply_rows = self.put(ProposalReply, replies)
        ratings = [
            ProposalRating(
                assignment=a,
                reply=r,
                rating=rng.choices(("satisfied", "basically", "unsatisfied"), (80, 17, 3))[0],
                communication=rng.choice(("in_person", "phone", "written")),
                rated_at=_at(answered + datetime.timedelta(days=10), 11),
                rated_by=None,
            )
            for r, (a, p, answered) in zip(reply_rows, reply_plans, strict=True)
            if a.status == "rated"
        ]
        self.put(ProposalRating, ratings)

    def opinions(self) -> None:
        from proposals.models import OpinionAdoption, OpinionReport
        from proposals.opinion_demo import REJECT_REASONS, SOURCES, TOPICS

        rng = self.rng
        reports, authors = [], []
        per_year = _count(OPINIONS_PER_YEAR, self.scale)
        town_studios = list(self.town_studio.items())
        for year in range(self.first_year, self.anchor.year + 1):
            _term, _members, key = self.term_of(year)
            for _n in range(per_year):
                t, s = rng.choice(town_studios)
                studio = self.studio_rows[s]
                title, situation, suggestion = rng.choice(TOPICS)
                town = self.towns[t].name
                submitted = self.day_in(year)
                age = (self.anchor - submitted).days
                if age < 15:
                    status = "submitted"
                elif age < 40:
                    status = rng.choice(("edited", "forwarded"))
                else:
                    status = rng.choices(("adopted", "not_adopted", "forwarded"), (55, 35, 10))[0]
                reports.append(
                    OpinionReport(
                        title=title.format(town=town),
                        situation=situation.format(town=town),
                        suggestion=suggestion.format(town=town),
                        studio=studio,
                        submitted_on=submitted,
                        status=status,
                        edited_title=title.format(town=town) if status != "submitted" else "",
                        forwarded_to="区委办公室" if status in ("forwarded", "adopted") else "",
                        forwarded_on=submitted + datetime.timedelta(days=12)
                        if status in ("forwarded", "adopted")
                        else None,
                        not_adopted_reason=rng.choice(REJECT_REASONS)
                        if status == "not_adopted"
                        else "",
                        created_by=self.office,
                    )
                )
                seats = self.seats[s][key] or self.seats[s]["cur"]
                authors.append(sorted(rng.sample(seats, min(len(seats), rng.randint(1, 2)))))
        rows = self.put(OpinionReport, reports)
        through = OpinionReport.members.through
        self.copy(
            through,
            ("opinionreport_id", "member_id"),
            [
                (r.pk, self.mid[i])
                for r, members in zip(rows, authors, strict=True)
                for i in members
            ],
            "proposals.OpinionReport_members",
        )
        adoptions, issue = [], defaultdict(int)
        for r in rows:
            if r.status != "adopted":
                continue
            levels = ["district"] + (["city"] if rng.random() < 0.3 else [])
            for k, level in enumerate(levels):
                issue[(r.submitted_on.year, level)] += 1
                adoptions.append(
                    OpinionAdoption(
                        report=r,
                        level=level,
                        adopted_on=r.submitted_on + datetime.timedelta(days=20 + 10 * k),
                        source=SOURCES[level].format(n=issue[(r.submitted_on.year, level)]),
                        recorded_by=self.office,
                    )
                )
        self.put(OpinionAdoption, adoptions)

    def matters(self) -> None:
        from consultations.models import (
            STEPS,
            ConsultationMeeting,
            FollowUpTask,
            LivelihoodProject,
            Matter,
            MatterStepDate,
            MatterUnit,
            MeetingAttendance,
        )

        rng = self.rng
        per_step = {
            "pre_meeting": (1, 3),
            "on_site": (1, 2),
            "supervision": (1, 2),
            "closing": (1, 1),
        }
        matters, plans = [], []
        numbers = defaultdict(int)
        extra = _count(EXTRA_MATTERS_PER_YEAR, self.scale)
        for year in range(self.first_year, self.anchor.year + 1):
            _term, _members, key = self.term_of(year)
            picks = [(t, True) for t in range(len(self.towns))]
            picks += [(rng.randrange(len(self.towns)), False) for _n in range(extra)]
            for t, annual in picks:
                town, village = self.place(t)
                start = datetime.date(year, 1, 6) + datetime.timedelta(days=rng.randint(0, 45))
                # Past years' matters made all six moves and were completed.
                moves = 7 if year < self.anchor.year else rng.randint(0, 7)
                end = min(
                    start + datetime.timedelta(days=moves * rng.randint(25, 40)),
                    self.anchor - datetime.timedelta(days=1),
                )
                if moves and (end - start).days < moves:
                    start = end - datetime.timedelta(days=moves)
                days = [start]
                for k in range(1, moves + 1):
                    days.append(start + (end - start) * k // moves)
                if moves:
                    days = [days[0]] + [
                        max(d, days[0] + datetime.timedelta(days=k))
                        for k, d in enumerate(days[1:], 1)
                    ]
                completed = moves == 7
                step = STEPS[min(moves, 6)]
                registered = moves >= 1
                numbers[year] += registered
                seats = (
                    self.seats[self.town_studio[t]][key] or self.seats[self.town_studio[t]]["cur"]
                )
                proposers = sorted(rng.sample(seats, min(len(seats), 2)))
                matters.append(
                    Matter(
                        town=self.towns[t],
                        year=year,
                        title=rng.choice(MATTER_TITLES).format(town=town, village=village),
                        background=f"{village}群众多次在院坝会上反映此事，委员党小组调研后提出。",
                        is_annual_topic=annual,
                        step=step,
                        status="completed" if completed else "active",
                        step_entered_at=_at(days[min(moves, 6)], 9),
                        registered_on=days[1] if registered else None,
                        registration_no=f"{year}-{numbers[year]:03d}" if registered else "",
                        registered_by=self.office if registered else None,
                        assigned_on=days[2] if moves >= 2 else None,
                        task="会同属地镇街制定方案，按期完成并报送进展。" if moves >= 2 else "",
                        deadline=days[2] + datetime.timedelta(days=180) if moves >= 2 else None,
                        solved=(rng.random() < 0.9) if completed else None,
                        result_summary="问题已基本解决，群众满意。" if completed else "",
                        completed_at=_at(days[7], 16) if completed else None,
                        created_by=self.office,
                    )
                )
                plans.append((t, days, moves, proposers, key))
        rows = self.put(Matter, matters)
        through = Matter.proposers.through
        self.copy(
            through,
            ("matter_id", "member_id"),
            [(m.pk, self.mid[i]) for m, plan in zip(rows, plans, strict=True) for i in plan[3]],
            "consultations.Matter_proposers",
        )
        states = [*STEPS, "completed"]
        self.copy(
            MatterStepDate,
            ("matter_id", "step", "entered_on"),
            [
                (m.pk, states[k], day)
                for m, (_t, days, *_r) in zip(rows, plans, strict=True)
                for k, day in enumerate(days)
            ],
        )
        units, meetings, meeting_plans, projects = [], [], [], []
        for m, (t, days, moves, proposers, key) in zip(rows, plans, strict=True):
            county = self.town_county[t]
            matter_units = []
            if moves >= 2:
                pool = self.units_of[county]
                matter_units = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
                units += [
                    MatterUnit(matter=m, unit_id=u, role="lead" if k == 0 else "assisting")
                    for k, u in enumerate(matter_units)
                ]
            for k in range(3, min(moves, 6) + 1):
                step = STEPS[k]
                first = days[k]
                last = days[k + 1] if k + 1 < len(days) else self.anchor
                low, high = per_step[step]
                for _n in range(rng.randint(low, high)):
                    span = max(0, (last - first).days)
                    day = first + datetime.timedelta(days=rng.randint(0, span))
                    if not self.past(day):
                        continue
                    meetings.append(self.meeting(m.town, m, step, day, t))
                    meeting_plans.append((t, key, proposers, matter_units))
            if moves == 7:
                for n in range(rng.randint(1, 3)):
                    done_on = days[6] + datetime.timedelta(
                        days=rng.randint(0, (days[7] - days[6]).days)
                    )
                    projects.append(
                        LivelihoodProject(
                            matter=m,
                            title=f"{m.title}（第{_cn(n + 1)}项）",
                            recorded_on=done_on,
                            done=True,
                            done_on=done_on,
                            funds_wan=Decimal(rng.randint(5, 300)),
                            beneficiaries=rng.randint(50, 3000),
                            created_by=self.office,
                        )
                    )
        self.put(MatterUnit, units)
        self.put(LivelihoodProject, projects)
        small = SMALL_MEETINGS_PER_TOWN_YEAR
        for year in range(self.first_year, self.anchor.year + 1):
            _term, _members, key = self.term_of(year)
            for t, town in enumerate(self.towns):
                for _n in range(small):
                    day = self.day_in(year)
                    kind = rng.choice(("regular", "micro"))
                    meetings.append(self.meeting(town, None, kind, day, t))
                    meeting_plans.append((t, key, [], []))
        meeting_rows = self.put(ConsultationMeeting, meetings)
        m2m = ConsultationMeeting.units.through
        self.copy(
            m2m,
            ("consultationmeeting_id", "handlingunit_id"),
            [
                (meeting.pk, u)
                for meeting, (_t, _k, _p, matter_units) in zip(
                    meeting_rows, meeting_plans, strict=True
                )
                for u in matter_units
            ],
            "consultations.ConsultationMeeting_units",
        )
        attendance, tasks = [], []
        for meeting, (t, key, proposers, matter_units) in zip(
            meeting_rows, meeting_plans, strict=True
        ):
            seats = self.seats[self.town_studio[t]][key]
            chosen = set(proposers) | set(rng.sample(seats, min(len(seats), rng.randint(4, 9))))
            for i in sorted(chosen):
                draw = rng.random()
                status = "present" if draw < 0.9 else "leave" if draw < 0.97 else "absent"
                attendance.append((meeting.pk, self.mid[i], status))
            if meeting.kind == "supervision" and matter_units:
                due = meeting.date + datetime.timedelta(days=30)
                tasks.append(
                    FollowUpTask(
                        meeting=meeting,
                        description="按协商意见完成整改并报送进展",
                        unit_id=matter_units[0],
                        due_on=due,
                        done_on=due - datetime.timedelta(days=3) if self.past(due) else None,
                        done_note="已按期完成。" if self.past(due) else "",
                    )
                )
        self.copy(MeetingAttendance, ("meeting_id", "member_id", "status"), attendance)
        self.put(FollowUpTask, tasks)
        self.log(f"议题 {len(rows)} 个，协商会议 {len(meeting_rows)} 次，出勤 {len(attendance)} 条")

    def meeting(self, town, matter, kind: str, day: datetime.date, t: int):
        from consultations.models import ConsultationMeeting

        rng = self.rng
        _name, village = self.place(t)
        return ConsultationMeeting(
            town=town,
            matter=matter,
            kind=kind,
            topic="" if matter else f"{village}小微事项协商",
            date=day,
            place=rng.choice(MEETING_PLACES).format(town=town.name, village=village),
            officials_count=rng.randint(2, 8),
            residents_count=rng.randint(5, 40),
            agreed=rng.choice(AGREED),
            created_by=self.office,
        )

    def activities(self) -> None:
        from studios.models import Activity, ActivityAttendance, DutyShift, Problem

        rng = self.rng
        kinds, weights = zip(*TOWN_KIND_WEIGHTS, strict=True)
        activities, plans, problems, shifts = [], [], [], []
        for s, studio in enumerate(self.studio_rows):
            t = next((t for t, s2 in self.town_studio.items() if s2 == s), None)
            t_place = t if t is not None else 0
            per_year = TOWN_ACTIVITIES_PER_YEAR if t is not None else SECTOR_ACTIVITIES_PER_YEAR
            for year in range(self.first_year, self.anchor.year + 1):
                _term, _members, key = self.term_of(year)
                seats = self.seats[s][key]
                if not seats:
                    continue
                n = (
                    per_year
                    if year < self.anchor.year
                    else per_year * self.anchor.timetuple().tm_yday // 365
                )
                for _n in range(n):
                    kind = rng.choices(kinds, weights)[0]
                    _town, village = self.place(t_place)
                    activities.append(
                        Activity(
                            studio=studio,
                            kind=kind,
                            title=ACTIVITY_TITLES[kind].format(village=village),
                            date=self.day_in(year),
                            place=f"{village}",
                            other_participants=rng.randint(0, 12),
                            residents_reached=rng.randint(10, 120),
                            sales_wan=Decimal(rng.randint(1, 80)) if kind == "livestream" else None,
                            summary="委员听取群众意见，现场解答政策问题，带回问题跟踪办理。",
                            created_by=self.office,
                        )
                    )
                    plans.append(seats)
                for _n in range(2):
                    raised = self.day_in(year)
                    solved = year < self.anchor.year or rng.random() < 0.5
                    title = rng.choice(PROBLEM_TITLES)
                    problems.append(
                        Problem(
                            studio=studio,
                            title=title,
                            raised_by="村民代表",
                            raised_on=raised,
                            status="solved" if solved else "in_hand",
                            solved_on=min(raised + datetime.timedelta(days=30), self.anchor)
                            if solved
                            else None,
                            resolution="已协调相关部门解决。" if solved else "",
                        )
                    )
            if t is not None:
                # The current year's 驻站值日 rota, two days a month up to a month ahead.
                seats = self.seats[s]["cur"]
                for month in range(1, 13):
                    day = datetime.date(self.anchor.year, month, 10)
                    if day > self.anchor + datetime.timedelta(days=31) or not seats:
                        continue
                    for i in sorted(rng.sample(seats, min(2, len(seats)))):
                        shifts.append(DutyShift(studio=studio, member_id=self.mid[i], date=day))
        rows = self.put(Activity, activities)
        attendance = []
        for activity, seats in zip(rows, plans, strict=True):
            for i in sorted(rng.sample(seats, min(len(seats), rng.randint(3, 9)))):
                draw = rng.random()
                status = "present" if draw < 0.88 else "leave" if draw < 0.96 else "absent"
                attendance.append((activity.pk, self.mid[i], status))
        self.copy(ActivityAttendance, ("activity_id", "member_id", "status"), attendance)
        self.put(Problem, problems)
        self.put(DutyShift, shifts)
        self.log(f"工作室活动 {len(rows)} 次，出勤 {len(attendance)} 条")

    def ledger(self) -> None:
        from members import duty
        from members.models import DutyEntry

        # The app's own sources and pricing (what duty.rebuild writes), year by year so one
        # year's facts are in memory at a time; written with COPY instead of bulk_create.
        rules = duty._rules()
        columns = ("member_id", "kind", "date", "year", "points", "source", "title", "url")
        total = 0
        for year in range(self.first_year, self.anchor.year + 1):
            scope = duty.Scope(years=frozenset([year]), today=self.anchor)
            entries = duty.price(duty.collect(scope), rules)
            self.copy(DutyEntry, columns, [tuple(getattr(e, c) for c in columns) for e in entries])
            total += len(entries)
        self.log(f"履职档案 {total} 条")


def build(
    scale: float = 1,
    seed: int = 1,
    *,
    anchor: datetime.date | None = None,
    stdout=None,
) -> dict[str, int]:
    """Fills the current (freshly migrated, empty) database at `scale`; returns rows per model.
    Raises BenchDataError, with a Chinese message, on a database that is not empty."""
    from django.db import transaction
    from django.utils import timezone

    from members import duty

    if scale <= 0:
        raise BenchDataError("规模 S 必须大于 0。")
    _check_database()
    builder = _Builder(scale, seed, anchor or timezone.localdate(), stdout)
    with transaction.atomic(), duty.paused():
        counts = builder.run()
    builder.log(f"完成，用时 {time.monotonic() - builder.started:.1f} 秒")
    return counts


# (model label, natural-key columns): what two builds with one seed must agree on.
FINGERPRINT_COLUMNS = (
    ("members.Member", ("id_number", "name", "mobile", "sector__name", "party", "post")),
    ("studios.Town", ("name", "united_front_officer__id_number")),
    ("studios.Studio", ("name", "leader__id_number")),
    ("studios.StudioMembership", ("studio__name", "member__id_number", "term__name", "role")),
    ("members.SessionAttendance", ("session__name", "member__id_number", "status")),
    ("proposals.Proposal", ("year", "number", "title", "status", "lead_proposer__id_number")),
    ("proposals.ProposalUnit", ("proposal__title", "proposal__number", "unit__name", "status")),
    ("proposals.OpinionReport", ("submitted_on", "title", "status", "studio__name")),
    ("consultations.Matter", ("town__name", "year", "registration_no", "title", "step")),
    ("consultations.ConsultationMeeting", ("town__name", "date", "kind", "place")),
    ("consultations.MeetingAttendance", ("meeting__date", "member__id_number", "status")),
    ("studios.Activity", ("studio__name", "date", "kind", "title")),
    ("studios.ActivityAttendance", ("activity__date", "member__id_number", "status")),
    ("members.DutyEntry", ("member__id_number", "kind", "date", "points")),
    ("cppcc.User", ("username", "member__id_number", "town__name", "handling_unit__name")),
)


def fingerprint() -> str:
    """A hash over the natural keys of the generated rows (no ids, no insert timestamps)."""
    from django.apps import apps

    digest = hashlib.sha256()
    for label, columns in FINGERPRINT_COLUMNS:
        model = apps.get_model(label)
        rows = sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*columns))
        digest.update(f"{label}:{len(rows)}\n".encode())
        for row in rows:
            digest.update(("\t".join(row) + "\n").encode())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成基准测试数据（规模 S=1 为一个区县十年）")
    parser.add_argument("--scale", type=float, default=1.0, help="规模 S（默认 1）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument(
        "--anchor",
        type=datetime.date.fromisoformat,
        default=None,
        help="数据截止日期 YYYY-MM-DD（默认今天）；同一种子和截止日期生成相同的数据",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cppcc.settings")
    import django

    django.setup()
    started = time.monotonic()
    try:
        counts = build(args.scale, args.seed, anchor=args.anchor, stdout=sys.stdout)
        # The rows went in without model signals: whatever a cache kept from before is stale.
        from cppcc.generations import bump_all

        bump_all()
    except BenchDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    for label, n in counts.items():
        print(f"{label:40} {n:>9,}")
    print(f"合计 {sum(counts.values()):,} 行，用时 {time.monotonic() - started:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
