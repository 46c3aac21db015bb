"""The demo county's register: two terms, the sector and committee tables and 365 members.

Called by the project's demo command as members.demo.load(log). Idempotent: members are matched
by ID number, tables by name, so a second run changes nothing. Deterministic (Random(2024)), and
written through members.services' bulk path so 365 members load in about a second.
"""

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from stdnum.cn import ric

from . import services
from .models import Gender, Level, Member, PartyAffiliation, Post, Sector, SpecialCommittee

# 綦江 county's code while it was in Sichuan (510223, valid for births before 1997). The later
# codes 500222 (1997–2011) and 500110 (2011–) fail python-stdnum's check that the region existed
# in the birth year, and members are born 1960–1990.
REGION = "510223"
SEED = 2024

# Surnames by rough frequency, with the polyphonic ones (曾 zeng, 单 shan, 解 xie, 仇 qiu …)
# the pinyin sort must get right.
SURNAMES = (
    "王" * 9
    + "李" * 9
    + "张" * 8
    + "刘" * 7
    + "陈" * 7
    + "杨" * 6
    + "黄" * 4
    + "赵" * 4
    + "吴" * 4
    + "周" * 4
    + "徐" * 3
    + "孙" * 3
    + "马" * 3
    + "朱" * 3
    + "胡" * 3
    + "郭" * 3
    + "何" * 3
    + "罗" * 4
    + "高" * 2
    + "林" * 2
    + "谢" * 2
    + "唐" * 3
    + "冉" * 2
    + "邓" * 3
    + "蒋" * 2
    + "韩" * 2
    + "彭" * 2
    + "曾" * 3
    + "单" * 2
    + "解"
    + "仇"
    + "覃"
    + "秦"
    + "袁"
    + "向"
    + "熊"
    + "付"
    + "雷"
    + "夏"
    + "廖"
    + "母"
)
GIVEN_MALE = "伟强军平刚磊勇杰涛明超斌波辉华林建国鹏宇浩志文俊峰亮成海东晓云飞凯彬忠庆兵春"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲红梅琳燕萍雪婷倩颖洁慧琴兰莉晶蓉佳月"

# (sector, members, Party share): sector sizes of a county committee of 365.
SECTOR_PLAN = (
    ("中共", 60, 1.0),
    ("民革", 12, 0),
    ("民盟", 14, 0),
    ("民建", 14, 0),
    ("民进", 12, 0),
    ("农工党", 12, 0),
    ("致公党", 6, 0),
    ("九三学社", 12, 0),
    ("无党派人士", 15, 0),
    ("共青团", 8, 0.6),
    ("工会", 10, 0.6),
    ("妇联", 10, 0.5),
    ("工商联", 25, 0.15),
    ("经济界", 26, 0.25),
    ("农业界", 25, 0.35),
    ("教育界", 25, 0.3),
    ("科技界", 15, 0.25),
    ("医药卫生界", 22, 0.25),
    ("文化艺术界", 12, 0.2),
    ("新闻出版界", 6, 0.5),
    ("体育界", 5, 0.3),
    ("社会福利和社会保障界", 10, 0.4),
    ("民族宗教界", 6, 0.1),
    ("特邀", 3, 0.3),
)
PARTY_SECTORS = {
    "民革": PartyAffiliation.RCCK,
    "民盟": PartyAffiliation.CDL,
    "民建": PartyAffiliation.CNDCA,
    "民进": PartyAffiliation.CAPD,
    "农工党": PartyAffiliation.CPWDP,
    "致公党": PartyAffiliation.CZGP,
    "九三学社": PartyAffiliation.JS,
    "无党派人士": PartyAffiliation.NON_PARTY,
}
DEMOCRATIC = [p for p in PARTY_SECTORS.values() if p != PartyAffiliation.NON_PARTY]
COMMITTEE_OF_SECTOR = {
    "经济界": "经济委员会",
    "工商联": "经济委员会",
    "民建": "经济委员会",
    "农业界": "农业农村委员会",
    "教育界": "科教卫体委员会",
    "科技界": "科教卫体委员会",
    "医药卫生界": "科教卫体委员会",
    "体育界": "科教卫体委员会",
    "九三学社": "科教卫体委员会",
    "农工党": "科教卫体委员会",
    "文化艺术界": "文化文史和学习委员会",
    "新闻出版界": "文化文史和学习委员会",
    "民进": "文化文史和学习委员会",
    "民族宗教界": "民族宗教委员会",
    "社会福利和社会保障界": "社会和法制委员会",
    "妇联": "社会和法制委员会",
    "致公党": "港澳台侨和外事委员会",
}
EMPLOYERS = {
    "中共": [
        ("区委办公室", "副主任"),
        ("区发展改革委", "主任"),
        ("古南街道党工委", "书记"),
        ("区委组织部", "副部长"),
        ("东溪镇党委", "书记"),
        ("区财政局", "局长"),
    ],
    "教育界": [
        ("綦江中学", "副校长"),
        ("南州中学", "教师"),
        ("区实验小学", "校长"),
        ("綦江职教中心", "教研室主任"),
    ],
    "医药卫生界": [
        ("区人民医院", "主任医师"),
        ("区中医院", "副院长"),
        ("三江街道社区卫生服务中心", "主任"),
    ],
    "经济界": [
        ("綦江齿轮传动有限公司", "总经理"),
        ("重庆綦江工业园区", "副主任"),
        ("綦江农商银行", "行长"),
    ],
    "工商联": [
        ("綦江区某建材有限公司", "董事长"),
        ("綦江区商会", "副会长"),
        ("东溪古镇旅游开发公司", "总经理"),
    ],
    "农业界": [
        ("綦江区农业农村委", "高级农艺师"),
        ("横山镇茶叶专业合作社", "理事长"),
        ("篆塘镇柑橘种植基地", "负责人"),
    ],
    "科技界": [
        ("区科技局", "高级工程师"),
        ("綦江区科协", "副主席"),
        ("重庆某新材料科技公司", "研发总监"),
    ],
    "文化艺术界": [("区文化馆", "馆长"), ("綦江农民版画院", "画师"), ("区川剧团", "演员")],
    "新闻出版界": [("区融媒体中心", "记者"), ("区融媒体中心", "副主任")],
}
DEFAULT_EMPLOYERS = [
    ("区民政局", "科长"),
    ("区司法局", "律师"),
    ("綦江区律师事务所", "主任"),
    ("文龙街道社区", "主任"),
    ("区税务局", "科长"),
    ("区住房城乡建委", "工程师"),
]
EXPERTISE = [
    "乡村振兴",
    "法律服务",
    "医疗卫生",
    "教育教学",
    "企业管理",
    "农业技术",
    "文化旅游",
    "城市建设",
    "金融服务",
    "社会工作",
    "生态环境",
    "非遗传承",
]
WISHES = [
    "愿意到所在镇街委员工作室驻站值日",
    "希望参加农业农村方面的调研视察",
    "可提供义诊服务",
    "可提供法律咨询",
    "愿参与一镇一事协商",
    "愿意参加直播带货助农",
    "",
]
MOBILE_PREFIXES = (
    "139",
    "138",
    "136",
    "135",
    "137",
    "151",
    "158",
    "187",
    "188",
    "177",
    "180",
    "189",
)


def _id_number(rng: random.Random, birth: datetime.date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 1000)
        if (seq % 2 == 1) != male:
            seq = (seq + 1) % 1000
        body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random, male: bool, used: set[str]) -> str:
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    while True:
        given = "".join(rng.choice(chars) for _i in range(rng.choice((1, 2, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def build_members(sectors: dict, committees: dict) -> list[tuple[Member, bool]]:
    """The 365 members, deterministic; (member, also served the previous term)."""
    rng = random.Random(SEED)
    used_ids: set[str] = set()
    used_names: set[str] = set()
    members = []
    committee_list = list(committees.values())
    for sector_name, count, party_share in SECTOR_PLAN:
        for _i in range(count):
            male = rng.random() < 0.7
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 31 * 365))
            if sector_name in PARTY_SECTORS:
                party = PARTY_SECTORS[sector_name]
            elif rng.random() < party_share:
                party = PartyAffiliation.CPC
            else:
                roll = rng.random()
                party = (
                    PartyAffiliation.NON_PARTY
                    if roll < 0.45
                    else PartyAffiliation.MASSES
                    if roll < 0.8
                    else rng.choice(DEMOCRATIC)
                )
            employer, job = rng.choice(EMPLOYERS.get(sector_name, DEFAULT_EMPLOYERS))
            committee_name = COMMITTEE_OF_SECTOR.get(sector_name)
            committee = committees.get(committee_name) if committee_name else None
            if committee is None and rng.random() < 0.85:
                committee = rng.choice(committee_list)
            member = Member(
                name=_name(rng, male, used_names),
                gender=Gender.MALE if male else Gender.FEMALE,
                ethnicity=rng.choice(["汉族"] * 18 + ["苗族", "土家族"]),
                birth_date=birth,
                id_number=_id_number(rng, birth, male, used_ids),
                mobile=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}",
                employer=employer,
                job_title=job,
                expertise="、".join(rng.sample(EXPERTISE, 2)),
                sector=sectors[sector_name],
                party=party,
                special_committee=committee,
                level=Level.CITY if rng.random() < 0.08 else Level.DISTRICT,
                wishes=rng.choice(WISHES),
            )
            members.append((member, rng.random() < 0.4))
    _assign_posts(rng, [m for m, _prev in members])
    return members


def _assign_posts(rng: random.Random, members: list[Member]) -> None:
    cpc = [m for m in members if m.party == PartyAffiliation.CPC and m.sector.name == "中共"]
    democratic = [m for m in members if m.party in DEMOCRATIC and m.sector.name in PARTY_SECTORS]
    chair, secretary, *vice_cpc = rng.sample(cpc, 4)
    chair.post = Post.CHAIR
    secretary.post = Post.SECRETARY_GENERAL
    for m in vice_cpc:
        m.post = Post.VICE_CHAIR
    for m in rng.sample(democratic, 3):
        m.post = Post.VICE_CHAIR
    for m in (chair, secretary, *vice_cpc):
        m.level = Level.CITY
    rest = [m for m in members if m.post == Post.MEMBER]
    for m in rng.sample(rest, 35):
        m.post = Post.STANDING


def load(log: Callable[[str], None]) -> None:
    sectors_new, committees_new = services.ensure_default_tables()
    log(f"界别新增 {sectors_new} 个，专委会新增 {committees_new} 个")
    previous = services.ensure_term("第十四届", 2016, 2021)
    current = services.ensure_term("第十五届", 2021, 2026, is_current=True)
    sectors = {s.name: s for s in Sector.objects.all()}
    committees = {c.name: c for c in SpecialCommittee.objects.all()}
    planned = build_members(sectors, committees)
    existing = set(
        Member.objects.filter(id_number__in=[m.id_number for m, _p in planned]).values_list(
            "id_number", flat=True
        )
    )
    creates = [
        (m, [previous, current] if served_before else [current])
        for m, served_before in planned
        if m.id_number not in existing
    ]
    with transaction.atomic():
        services.bulk_save_members(creates, [], by=None)
    log(f"委员新增 {len(creates)} 人，已有 {len(existing)} 人")
