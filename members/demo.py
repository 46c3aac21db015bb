"""The demo county's register: two terms, the sector and committee tables and 365 members.

Called by the project's demo command as members.demo.load(log). Idempotent: members are matched
by ID number, tables by name, so a second run changes nothing. Deterministic (Random(2024)), and
written through members.services' bulk path so 365 members load in about a second.
"""

import datetime
import random
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from stdnum.cn import ric

from . import services
from .models import Gender, Level, Member, PartyAffiliation, Post, Sector, SpecialCommittee

# 綦江 county's code while it was in Sichuan (510223): members born 1960–1990 were first
# registered then, and a number keeps the code it was issued with.
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
# How many choices the first version's employer draw had per sector (6 where unlisted). The
# identity draws must stay as they were: the loader matches members by ID number, so a changed
# draw would add a second register to a database loaded before.
LEGACY_EMPLOYER_DRAW = {
    "中共": 6,
    "教育界": 4,
    "医药卫生界": 3,
    "经济界": 3,
    "工商联": 3,
    "农业界": 3,
    "科技界": 3,
    "文化艺术界": 3,
    "新闻出版界": 2,
}
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


# --- employers and posts --------------------------------------------------------------------
# A real register reads like the county itself: Party and government departments, the towns'
# Party committees and governments, villages and communities, schools, hospitals, state and
# private enterprises, associations. Each kind of workplace is a list of (employer, posts);
# "{town}" / "{zhen}" / "{street}" / "{place}" / "{brand}" / "{law}" / "{crop}" are filled in
# when a member is given a post, so the register holds many distinct units.

# The demo county's towns (as studios.demo builds them) with a village or community of each.
TOWNS = (
    ("古南街道", ("春光村", "桥河社区", "九龙社区")),
    ("文龙街道", ("沙溪村", "大坪社区", "文龙社区")),
    ("三江街道", ("圆通寺社区", "滨江社区", "三河街社区")),
    ("新盛街道", ("新盛社区", "长田村", "德园村")),
    ("通惠街道", ("通惠社区", "石桥社区", "平等村")),
    ("永新镇", ("永新社区", "梨园坝村", "石坪村")),
    ("石角镇", ("石角社区", "桥坝村", "新农村")),
    ("东溪镇", ("二居社区", "永乐村", "书院村")),
    ("赶水镇", ("赶水社区", "草坪村", "石房村")),
    ("打通镇", ("打通社区", "吹角村", "天星村")),
    ("石壕镇", ("石壕社区", "万隆村", "红岩村")),
    ("篆塘镇", ("篆塘社区", "堡堂村", "通桥村")),
    ("丁山镇", ("丁山社区", "狸狮村", "民主村")),
    ("安稳镇", ("安稳社区", "羊角村", "崇河村")),
    ("扶欢镇", ("扶欢社区", "东城村", "玉龙村")),
    ("永城镇", ("永城社区", "中华村", "大兴村")),
    ("中峰镇", ("中峰社区", "天池村", "大园村")),
    ("横山镇", ("横山社区", "茶园村", "新木村")),
    ("郭扶镇", ("郭扶社区", "高庙村", "酒店村")),
    ("隆盛镇", ("隆盛社区", "紫荆村", "永丰村")),
)
# Private firms' trade names and lines of business, law firms, and the farm produce of the
# county's cooperatives.
BRANDS = (
    "綦州",
    "古剑",
    "通惠",
    "渝南",
    "綦河",
    "南州",
    "东溪",
    "永新",
    "綦晟",
    "鑫渝",
    "华渝",
    "文龙",
)
TRADES = (
    "建材有限公司",
    "机械制造有限公司",
    "食品有限公司",
    "物流有限公司",
    "房地产开发有限公司",
    "商贸有限公司",
    "汽车配件有限公司",
    "电子商务有限公司",
    "酒店管理有限公司",
    "建筑工程有限公司",
    "包装印刷有限公司",
    "医药连锁有限公司",
)
LAW_FIRMS = ("渝綦", "古剑", "綦州", "通惠", "南州", "綦河")
CROPS = ("茶叶", "柑橘", "蔬菜", "生猪养殖", "中药材", "花椒", "稻渔", "李子", "中蜂养殖", "食用菌")

WORKPLACES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # Party and government of the county: the heads are Party members.
    "county": (
        ("区委办公室", ("主任", "副主任")),
        ("区委组织部", ("副部长", "部务委员")),
        ("区委宣传部", ("副部长",)),
        ("区委统战部", ("部长", "副部长")),
        ("区纪委监委", ("副书记", "常委")),
        ("区委政法委", ("副书记",)),
        ("区政府办公室", ("主任", "副主任")),
        ("区发展改革委", ("主任", "副主任")),
        ("区财政局", ("局长",)),
        ("区教委", ("主任",)),
        ("区卫生健康委", ("主任",)),
        ("区农业农村委", ("主任",)),
        ("区交通局", ("局长",)),
        ("区住房城乡建委", ("主任",)),
        ("区生态环境局", ("局长",)),
        ("区规划自然资源局", ("局长",)),
        ("区商务委", ("主任",)),
        ("区审计局", ("局长",)),
        ("区应急管理局", ("局长",)),
        ("区退役军人事务局", ("局长",)),
        ("区医疗保障局", ("局长",)),
        ("区水利局", ("局长",)),
        ("区城市管理局", ("局长",)),
        ("区委党校", ("常务副校长",)),
        ("区人民法院", ("副院长",)),
        ("区人民检察院", ("副检察长",)),
    ),
    # Deputies of departments, as members from the democratic parties and non-party often are.
    "deputy": (
        ("区教委", ("副主任",)),
        ("区卫生健康委", ("副主任",)),
        ("区市场监管局", ("副局长",)),
        ("区文化旅游委", ("副主任",)),
        ("区科技局", ("副局长",)),
        ("区民政局", ("副局长",)),
        ("区司法局", ("副局长",)),
        ("区人力社保局", ("副局长",)),
        ("区财政局", ("副局长",)),
        ("区生态环境局", ("副局长",)),
        ("区统计局", ("副局长",)),
        ("区经济信息委", ("副主任",)),
        ("区税务局", ("副局长",)),
    ),
    "town": (
        ("{town_party}", ("书记", "副书记", "组织委员", "宣传委员")),
        ("{town_gov}", ("{head}", "副{head}")),
    ),
    "village": (("{town}{place}", ("{cadre}",)),),
    "school": (
        ("綦江中学", ("校长", "副校长", "教务处主任", "语文教研组长", "高级教师")),
        ("南州中学", ("校长", "德育处主任", "高级教师")),
        ("綦江实验中学", ("校长", "数学教研组长", "一级教师")),
        ("区实验小学", ("校长", "副校长", "高级教师")),
        ("区第二实验小学", ("校长", "一级教师")),
        ("{zhen}中学", ("校长", "副校长", "高级教师")),
        ("{zhen}中心小学", ("校长", "一级教师")),
        ("区职业教育中心", ("校长", "实训处主任", "高级讲师")),
        ("区教师进修学院", ("院长", "教研员")),
        ("区机关幼儿园", ("园长",)),
        ("区特殊教育学校", ("校长",)),
    ),
    "health": (
        (
            "区人民医院",
            ("院长", "副院长", "心内科主任", "骨科主任医师", "儿科副主任医师", "护理部主任"),
        ),
        ("区中医院", ("院长", "副院长", "针灸科主任", "主任中医师")),
        ("区妇幼保健院", ("院长", "产科主任", "主治医师")),
        ("区第二人民医院", ("副院长", "外科主任")),
        ("区疾病预防控制中心", ("主任", "副主任", "主管医师")),
        ("{zhen}卫生院", ("院长", "全科医生")),
        ("{street}社区卫生服务中心", ("主任", "全科医生")),
        ("綦江康华医院", ("院长", "执行院长")),
        ("区精神卫生中心", ("院长",)),
    ),
    "state_firm": (
        ("綦江齿轮传动有限公司", ("总经理", "副总经理", "总工程师")),
        ("重庆綦江工业园区管委会", ("主任", "副主任")),
        ("綦江农商银行", ("行长", "副行长")),
        ("綦江农商银行{town}支行", ("行长",)),
        ("中国工商银行綦江支行", ("行长", "副行长")),
        ("重庆银行綦江支行", ("行长",)),
        ("区城市建设投资集团", ("董事长", "总经理", "副总经理")),
        ("区交通建设集团", ("总经理",)),
        ("国网綦江供电公司", ("总经理", "副总经理")),
        ("区水务集团", ("总经理",)),
        ("区国有资产管理中心", ("主任",)),
        ("重庆綦信会计师事务所", ("所长", "注册会计师")),
        ("重庆綦南页岩气开发有限公司", ("副总经理",)),
    ),
    "private_firm": (
        ("重庆{brand}{trade}", ("董事长", "总经理", "执行董事", "副总经理")),
        ("{town}商会", ("会长", "副会长")),
        ("区总商会", ("副会长",)),
        ("区工商联", ("副主席",)),
    ),
    "farming": (
        ("区农业技术推广中心", ("主任", "高级农艺师", "农艺师")),
        ("区畜牧兽医中心", ("高级兽医师",)),
        ("区林业局", ("高级工程师",)),
        ("区农业科学研究所", ("所长", "研究员")),
        ("区供销合作社", ("主任",)),
        ("{town}农业服务中心", ("主任", "农艺师")),
        ("{town}{crop}专业合作社", ("理事长",)),
        ("重庆{brand}农业开发有限公司", ("总经理",)),
    ),
    "science": (
        ("区科技局", ("高级工程师",)),
        ("区科协", ("副主席",)),
        ("重庆{brand}新材料科技有限公司", ("研发总监", "总工程师")),
        ("区气象局", ("局长", "高级工程师")),
        ("区规划自然资源局", ("高级工程师",)),
        ("区水利局", ("高级工程师",)),
        ("区住房城乡建委", ("高级工程师",)),
        ("区生产力促进中心", ("主任",)),
        ("綦江齿轮传动有限公司技术中心", ("主任",)),
    ),
    "culture": (
        ("区文化馆", ("馆长", "副馆长", "群文馆员")),
        ("綦江农民版画院", ("院长", "画师")),
        ("区川剧团", ("团长", "演员")),
        ("区图书馆", ("馆长",)),
        ("区博物馆", ("馆长", "文博馆员")),
        ("区文联", ("副主席",)),
        ("区作家协会", ("主席",)),
        ("{town}文化服务中心", ("主任",)),
        ("东溪古镇非遗传习所", ("传承人",)),
        ("重庆{brand}文化传媒有限公司", ("总经理",)),
    ),
    "media": (
        ("区融媒体中心", ("主任", "副主任", "总编辑", "记者", "编辑", "主播")),
        ("重庆日报綦江记者站", ("站长",)),
        ("区委宣传部", ("新闻科科长",)),
        ("区档案馆", ("馆长",)),
    ),
    "law": (
        ("重庆{law}律师事务所", ("主任", "合伙人", "律师")),
        ("区人民法院", ("庭长", "审判员")),
        ("区人民检察院", ("检察官",)),
        ("{town}司法所", ("所长",)),
        ("区公证处", ("主任",)),
        ("区法律援助中心", ("主任",)),
    ),
    "welfare": (
        ("区社会福利院", ("院长",)),
        ("区残联", ("理事长", "副理事长")),
        ("区慈善会", ("秘书长",)),
        ("区红十字会", ("常务副会长",)),
        ("{town}敬老院", ("院长",)),
        ("区社会保险事务中心", ("主任",)),
        ("綦江区{brand}社会工作服务中心", ("主任", "社工")),
    ),
    "faith": (
        ("区佛教协会", ("会长", "副会长")),
        ("区基督教两会", ("主席",)),
        ("区天主教爱国会", ("主任",)),
        ("区道教协会", ("会长",)),
        ("区民族宗教事务委员会", ("副主任",)),
        ("区少数民族联谊会", ("会长",)),
    ),
    "youth": (
        ("团区委", ("书记", "副书记")),
        ("{town}团委", ("书记",)),
        ("区青年企业家协会", ("会长", "副会长")),
        ("区青联", ("副主席",)),
        ("重庆{brand}电子商务有限公司", ("总经理",)),
    ),
    "union": (
        ("区总工会", ("常务副主席", "副主席")),
        ("区教育工会", ("主席",)),
        ("{town}总工会", ("主席",)),
        ("綦江齿轮传动有限公司", ("工会主席", "高级技师", "班组长")),
        ("国网綦江供电公司", ("工会主席", "高级技师")),
        ("重庆{brand}机械制造有限公司", ("车间主任", "高级技师")),
        ("区快递物流行业工会联合会", ("主席",)),
    ),
    "women": (
        ("区妇联", ("主席", "副主席")),
        ("{town}妇联", ("主席",)),
        ("区巾帼家政服务中心", ("主任",)),
        ("重庆{brand}食品有限公司", ("总经理",)),
    ),
    "sport": (
        ("区体育中心", ("主任", "副主任")),
        ("区业余体育运动学校", ("校长", "教练员")),
        ("区体育总会", ("秘书长",)),
        ("区全民健身服务中心", ("主任",)),
        ("{zhen}中学", ("体育教师",)),
    ),
    "invited": (
        ("区侨联", ("主席",)),
        ("区台办", ("主任",)),
        ("区老科协", ("会长",)),
        ("区关工委", ("常务副主任",)),
    ),
}
# The kinds of workplace of each sector; a kind listed twice is drawn twice as often.
SECTOR_WORKPLACES = {
    "中共": ("county", "county", "county", "town", "town", "village"),
    "民革": ("law", "deputy", "private_firm", "school"),
    "民盟": ("school", "school", "culture", "deputy"),
    "民建": ("private_firm", "private_firm", "state_firm", "deputy"),
    "民进": ("school", "school", "culture", "media"),
    "农工党": ("health", "health", "health", "deputy"),
    "致公党": ("private_firm", "health", "science"),
    "九三学社": ("science", "science", "school", "health"),
    "无党派人士": ("law", "school", "health", "deputy", "science"),
    "共青团": ("youth", "youth", "village"),
    "工会": ("union", "union"),
    "妇联": ("women", "women", "village"),
    "工商联": ("private_firm",),
    "经济界": ("state_firm", "state_firm", "state_firm", "private_firm"),
    "农业界": ("farming", "farming", "farming", "village", "village"),
    "教育界": ("school",),
    "科技界": ("science",),
    "医药卫生界": ("health",),
    "文化艺术界": ("culture",),
    "新闻出版界": ("media",),
    "体育界": ("sport",),
    "社会福利和社会保障界": ("welfare", "welfare", "village"),
    "民族宗教界": ("faith",),
    "特邀": ("invited",),
}
# Each democratic party's county organisation; its first member in the plan chairs it.
PARTY_ORGS = {
    "民革": "民革綦江区总支部",
    "民盟": "民盟綦江区委员会",
    "民建": "民建綦江区总支部",
    "民进": "民进綦江区支部",
    "农工党": "农工党綦江区总支部",
    "致公党": "致公党綦江区支部",
    "九三学社": "九三学社綦江区支社",
}
# A unit has one head (局长, 校长, 书记 …): such a pair is held once. Deputies and the ranks a
# unit has many of (教师, 医师, 律师 …) are held by at most MAX_SAME_POST members.
MAX_SAME_POST = 2
SHARED_POSTS = frozenset(
    [
        "高级教师",
        "一级教师",
        "高级讲师",
        "体育教师",
        "教研员",
        "语文教研组长",
        "数学教研组长",
        "全科医生",
        "主治医师",
        "主管医师",
        "主任中医师",
        "骨科主任医师",
        "儿科副主任医师",
        "律师",
        "合伙人",
        "审判员",
        "检察官",
        "庭长",
        "记者",
        "编辑",
        "主播",
        "画师",
        "演员",
        "群文馆员",
        "文博馆员",
        "传承人",
        "研究员",
        "高级工程师",
        "农艺师",
        "高级农艺师",
        "高级兽医师",
        "注册会计师",
        "社工",
        "高级技师",
        "班组长",
        "车间主任",
        "教练员",
        "部务委员",
        "常委",
    ]
)


def _post_cap(post: str) -> int:
    return MAX_SAME_POST if post.startswith("副") or post in SHARED_POSTS else 1


def _fill(rng: random.Random, employer: str, post: str) -> tuple[str, str]:
    town, places = rng.choice(TOWNS)
    street = town.endswith("街道")
    zhen = town if not street else rng.choice([t for t, _p in TOWNS if not t.endswith("街道")])
    place = rng.choice(places)
    community = place.endswith("社区")
    values = {
        "town": town,
        "zhen": zhen,
        "street": rng.choice([t for t, _p in TOWNS if t.endswith("街道")]),
        "town_party": town + ("党工委" if street else "党委"),
        "town_gov": town + ("办事处" if street else "人民政府"),
        "head": "主任" if street else "镇长",
        "place": place,
        "cadre": rng.choice(
            ("党委书记", "居委会主任") if community else ("党支部书记", "村委会主任")
        ),
        "brand": rng.choice(BRANDS),
        "trade": rng.choice(TRADES),
        "law": rng.choice(LAW_FIRMS),
        "crop": rng.choice(CROPS),
    }
    return employer.format(**values), post.format(**values)


def assign_workplaces(members: list[Member]) -> None:
    """Gives each planned member an employer and post fitting their sector (own seeded random,
    so the identity draws, and so the ID numbers the loader matches on, are not disturbed).

    The 中共 sector's first twenty members are the towns' united-front officers (统战委员),
    one per town, so each town has a Party member working there for studios to make leader."""
    rng = random.Random(SEED + 1)
    held: Counter[tuple[str, str]] = Counter()
    first_of_sector: set[str] = set()
    officers = iter(TOWNS)
    for member in members:
        sector = member.sector.name
        pair = None
        if sector == "中共":
            town = next(officers, None)
            if town is not None:
                party = town[0] + ("党工委" if town[0].endswith("街道") else "党委")
                pair = (party, "统战委员")
        elif sector in PARTY_ORGS and sector not in first_of_sector:
            pair = (PARTY_ORGS[sector], "主委")
        first_of_sector.add(sector)
        kinds = SECTOR_WORKPLACES.get(sector, ("deputy",))
        for _attempt in range(100):
            if pair is not None and held[pair] < _post_cap(pair[1]):
                break
            employer, posts = rng.choice(WORKPLACES[rng.choice(kinds)])
            pair = _fill(rng, employer, rng.choice(posts))
        held[pair] += 1
        member.employer, member.job_title = pair


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
            rng.randrange(LEGACY_EMPLOYER_DRAW.get(sector_name, 6))  # see LEGACY_EMPLOYER_DRAW
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
                expertise="、".join(rng.sample(EXPERTISE, 2)),
                sector=sectors[sector_name],
                party=party,
                special_committee=committee,
                level=Level.CITY if rng.random() < 0.08 else Level.DISTRICT,
                wishes=rng.choice(WISHES),
            )
            members.append((member, rng.random() < 0.4))
    _assign_posts(rng, [m for m, _prev in members])
    assign_workplaces([m for m, _prev in members])
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
    existing = {
        m.id_number: m
        for m in Member.objects.filter(id_number__in=[m.id_number for m, _p in planned])
    }
    creates = [
        (m, [previous, current] if served_before else [current])
        for m, served_before in planned
        if m.id_number not in existing
    ]
    updates = _new_workplaces_for_old_demo(planned, existing)
    with transaction.atomic():
        services.bulk_save_members(creates, updates, by=None)
    log(f"委员新增 {len(creates)} 人，已有 {len(existing)} 人，更新工作单位 {len(updates)} 人")
    load_sessions(log)


def _new_workplaces_for_old_demo(
    planned: list[tuple[Member, bool]], existing: dict[str, Member]
) -> list[tuple[Member, list]]:
    """A database loaded by the first version of this loader holds fifteen "区财政局 局长":
    members nobody has edited since (one history row, the demo's) take their planned employer
    and post. An edited member is left as the person made it, so a rerun never undoes work and
    a second run finds nothing to do."""
    stale = {
        m.id_number: m
        for m, _p in planned
        if m.id_number in existing
        and (existing[m.id_number].employer, existing[m.id_number].job_title)
        != (m.employer, m.job_title)
    }
    if not stale:
        return []
    ids = [existing[number].pk for number in stale]
    edited = {
        row["id"]
        for row in Member.history.filter(id__in=ids)
        .values("id")
        .annotate(n=Count("history_id"))
        .filter(n__gt=1)
    }
    updates = []
    for number, plan in stale.items():
        member = existing[number]
        if member.pk not in edited:
            member.employer, member.job_title = plan.employer, plan.job_title
            updates.append((member, []))
    return updates


# --- sessions (会议) with attendance and leave ------------------------------------------------

CHINESE_ORDINALS = "一二三四五六七八九十"
PLENARY_PLACE = "区会议中心"
STANDING_PLACE = "区政协常委会议室"
LEAVE_REASONS = (
    "出差在外，无法参会",
    "因病住院治疗",
    "单位有重要接待任务",
    "参加市里集中培训",
    "家中老人病重需照顾",
    "在外地参加学术会议",
)
# Standing-committee meetings of a year: (month, day) — spring, mid-year and autumn.
STANDING_DATES = ((4, 18), (7, 22), (10, 24))


def _plenary_date(year: int) -> datetime.date:
    # Plenary sessions open in January or early February, before the people's congress.
    return datetime.date(year, 1 if year % 2 else 2, 8 + year % 7)


def _ensure_session(term, kind: str, ordinal: int, **fields):
    from .models import CommitteeSession

    found = CommitteeSession.objects.filter(term=term, kind=kind, ordinal=ordinal).first()
    if found is not None:
        return found, False
    session = CommitteeSession(term=term, kind=kind, ordinal=ordinal, **fields)
    return services.save_session(session, by=None), True


def _demo_attendance(session, rng: random.Random) -> tuple[dict[int, str], dict[int, str]]:
    """Mostly present, some leave with a reason, a few absent."""
    from .models import AttendanceStatus
    from .selectors import expected_members

    marks: dict[int, str] = {}
    reasons: dict[int, str] = {}
    for pk in expected_members(session).order_by("pk").values_list("pk", flat=True):
        roll = rng.random()
        if roll < 0.07:
            marks[pk] = AttendanceStatus.LEAVE
            reasons[pk] = rng.choice(LEAVE_REASONS)
        elif roll < 0.10:
            marks[pk] = AttendanceStatus.ABSENT
        else:
            marks[pk] = AttendanceStatus.PRESENT
    return marks, reasons


def load_sessions(log: Callable[[str], None]) -> None:
    """This term's plenary sessions (one a year, so far), three standing-committee meetings a
    year, each held one with attendance, and the next standing-committee meeting with two
    pending leave requests. Sessions are matched by term, kind and ordinal; attendance and
    leave requests are written only where a session has none, so a second run changes nothing."""
    from django.utils import timezone

    from . import workflow
    from .models import (
        STANDING_COMMITTEE_POSTS,
        LeaveRequest,
        SessionAudience,
        SessionKind,
        Term,
    )

    term = Term.objects.filter(is_current=True).first()
    if term is None:
        return
    today = timezone.localdate()
    created = attended = 0
    sessions = []
    last_year = min(term.end_year, today.year)
    for ordinal, year in enumerate(range(term.start_year, last_year + 1), start=1):
        starts = _plenary_date(year)
        if starts > today:
            break
        ends = starts + datetime.timedelta(days=3)
        session, new = _ensure_session(
            term,
            SessionKind.PLENARY,
            ordinal,
            name=f"{term.name}第{CHINESE_ORDINALS[ordinal - 1]}次会议",
            starts_on=starts,
            ends_on=ends,
            place=PLENARY_PLACE,
            audience=SessionAudience.ALL,
            proposals_open_on=starts - datetime.timedelta(days=45),
            proposals_close_on=starts + datetime.timedelta(days=2),
        )
        created += new
        sessions.append(session)
    held_dates = [
        datetime.date(year, month, day)
        for year in range(term.start_year, last_year + 1)
        for month, day in STANDING_DATES
        if datetime.date(year, month, day) <= today
    ]
    for ordinal, on in enumerate(held_dates, start=1):
        session, new = _ensure_session(
            term,
            SessionKind.STANDING,
            ordinal,
            name=f"{term.name}常委会第{ordinal}次会议",
            starts_on=on,
            ends_on=on,
            place=STANDING_PLACE,
            audience=SessionAudience.STANDING,
        )
        created += new
        sessions.append(session)
    # The next meeting: a fortnight ahead of whenever the demo first ran.
    upcoming, new = _ensure_session(
        term,
        SessionKind.STANDING,
        len(held_dates) + 1,
        name=f"{term.name}常委会第{len(held_dates) + 1}次会议",
        starts_on=today + datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=14),
        place=STANDING_PLACE,
        audience=SessionAudience.STANDING,
    )
    created += new
    for session in sessions:
        if session.attendances.exists():
            continue
        rng = random.Random(f"{session.kind}-{session.ordinal}")
        marks, reasons = _demo_attendance(session, rng)
        with transaction.atomic():
            services.save_session_attendance(session, marks, reasons=reasons, by=None)
        attended += 1
    leaves = 0
    if not upcoming.has_started and not LeaveRequest.objects.filter(session=upcoming).exists():
        standing = list(
            Member.objects.filter(terms=term, post__in=STANDING_COMMITTEE_POSTS)
            .active()
            .order_by("pk")[:2]
        )
        for member, reason in zip(standing, LEAVE_REASONS[::3], strict=False):
            workflow.leave_request_file(upcoming, member, reason=reason, by=None)
            leaves += 1
    log(f"会议新增 {created} 个，登记出勤 {attended} 个会议，待审批请假 {leaves} 条")
