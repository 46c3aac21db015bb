"""The demo county's handling units and the `unit` login (called by the demo command after
studios.demo, before consultations.demo assigns matters to these units). Idempotent: units are
matched by name.

Then the term's proposals (load_proposals, called last): each plenary session so far and this
year's between sessions, at every status, walked through proposals.workflow and dated back."""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from cppcc.demo import demo_login
from cppcc.roles import Role

from .models import HandlingUnit, Proposal, ProposalReply, ProposalUnit, UnitKind

# (name, kind): the departments the demo's matters are assigned to (seed 000: 区交通局), with
# two mass organisations (党群部门) and the power company (其他).
DEMO_UNITS = [
    ("区交通局", "government"),
    ("区住房城乡建委", "government"),
    ("区农业农村委", "government"),
    ("区卫生健康委", "government"),
    ("区教委", "government"),
    ("区民政局", "government"),
    ("区生态环境局", "government"),
    ("区城市管理局", "government"),
    ("区水利局", "government"),
    ("区规划自然资源局", "government"),
    ("区商务委", "government"),
    ("区市场监管局", "government"),
    ("区文化旅游委", "government"),
    ("区公安局交巡警支队", "government"),
    ("团区委", "party"),
    ("区妇联", "party"),
    ("国网綦江供电公司", "other"),
]
# The unit whose login the README lists (seed 000's matter is assigned to it).
DEMO_LOGIN_UNIT = "区交通局"


def load(log: Callable[[str], None]) -> None:
    """Creates the demo units, and gives units made before kinds existed their kind (the
    history records that change; an unchanged unit is not written)."""
    made = 0
    for name, kind in DEMO_UNITS:
        unit, created = HandlingUnit.objects.get_or_create(
            name=name, defaults={"contact_person": "办公室", "kind": UnitKind(kind)}
        )
        made += created
        if unit.kind != kind:
            unit.kind = UnitKind(kind)
            unit.save(update_fields=["kind"])
    log(f"承办单位新增 {made} 个，共 {HandlingUnit.objects.count()} 个")


def load_logins(log: Callable[[str], None]) -> list[tuple[str, str]]:
    """The `unit` demo login, answering for 区交通局; returns its row for the login table."""
    unit = HandlingUnit.objects.get(name=DEMO_LOGIN_UNIT)
    demo_login("unit", f"{DEMO_LOGIN_UNIT} 办公室", [Role.UNIT], handling_unit=unit)
    return [("unit", f"承办单位 · {DEMO_LOGIN_UNIT}")]


# --- proposals (提案) --------------------------------------------------------------------------
# load_proposals(log) is called by the demo command after the consultations (it links two of
# this year's "一镇一事" matters to the proposals they came from) and records as the office
# clerk's login, the `unit` login (区交通局) and the `member` login where the demo has them.

PROPOSAL_SEED = 2026
PROPOSAL_CLERK = "office"
# Proposals per plenary session: the latest in full, the one before nearly, the older ones a
# sample (the demo walks every one through the workflow and must load in seconds), and this
# year's filed between sessions.
PER_SESSION = 60
PER_PREVIOUS_SESSION = 45
PER_OLD_SESSION = 20
BETWEEN_SESSIONS = 28


@dataclass(frozen=True)
class Theme:
    """One kind of livelihood proposal, placed in a town: its text, its units, what was done."""

    category: str
    title: str
    reasons: str
    suggestions: str
    lead: str
    assisting: tuple[str, ...]
    action: str


TH = Theme
THEMES = (
    TH(
        "economy",
        "关于加快{town}{village}通组公路硬化的建议",
        "{village}仍有多条村民小组道路为泥结石路面，雨天泥泞、晴天扬尘，群众出行和农产品外运"
        "十分不便，村民在院坝会上多次反映。",
        "一是将{village}未硬化的通组公路纳入明年农村公路建设计划；二是采取“以奖代补”方式，"
        "引导群众投工投劳；三是建立通组公路管护机制，落实专人养护。",
        "区交通局",
        ("区农业农村委",),
        "已将{village}通组公路硬化纳入农村公路建设计划，分两年实施",
    ),
    TH(
        "society",
        "关于优化{town}至城区公交线路和班次的建议",
        "{town}至城区的公交班次少、末班车早，沿线学生、务工人员和就医群众出行不便，部分群众"
        "只能乘坐无运营资质的车辆。",
        "一是增开早晚高峰班次，末班车延后至晚八点；二是优化线路，延伸至{village}；三是推广"
        "公交电子站牌，方便群众查询。",
        "区交通局",
        ("区公安局交巡警支队",),
        "已调整{town}公交线路，早晚高峰各增开两个班次",
    ),
    TH(
        "society",
        "关于加强{town}农村公路安全防护设施建设的建议",
        "{town}山区公路弯多坡陡，部分临水临崖路段缺少护栏和警示标志，近年发生多起交通事故。",
        "一是全面排查临水临崖路段，建立隐患清单；二是分批安装波形护栏和减速带；三是加强"
        "农村道路交通安全宣传。",
        "区交通局",
        ("区公安局交巡警支队",),
        "已完成{town}临水临崖路段隐患排查，安装波形护栏",
    ),
    TH(
        "society",
        "关于解决{town}场镇停车难问题的建议",
        "{town}场镇赶场日车辆乱停乱放，主街拥堵严重，既影响通行又存在安全隐患。",
        "一是利用场镇边角地新建公共停车场；二是施划临时停车泊位，赶场日实行交通管制；"
        "三是加强巡查，规范停车秩序。",
        "区交通局",
        ("区城市管理局", "区公安局交巡警支队"),
        "已在{town}场镇新建公共停车场一处，施划临时泊位",
    ),
    TH(
        "economy",
        "关于加快{town}危旧桥梁改造的建议",
        "{town}境内部分乡村桥梁建于上世纪七八十年代，桥面破损、承载力不足，汛期存在安全隐患。",
        "一是对危旧桥梁开展安全检测评估；二是将危桥改造纳入年度计划，争取上级补助资金；"
        "三是改造完成前设置限载标志。",
        "区交通局",
        ("区水利局",),
        "已完成{town}危旧桥梁检测，两座危桥列入改造计划",
    ),
    TH(
        "society",
        "关于解决{town}{village}季节性饮水困难的建议",
        "{village}地处高山，每逢枯水季节水源不足，部分村民需到数公里外挑水，饮水安全难以保障。",
        "一是新建或扩建蓄水池，增加储水能力；二是实施供水管网延伸工程；三是建立农村供水"
        "工程管护机制。",
        "区水利局",
        ("区农业农村委",),
        "已在{village}新建蓄水池并延伸供水管网",
    ),
    TH(
        "society",
        "关于推进{town}社区居家养老服务中心建设的建议",
        "{town}60岁以上老年人口占比超过四分之一，独居、空巢老人多，社区养老服务设施不足，"
        "助餐、助浴等服务难以覆盖。",
        "一是利用闲置用房建设社区养老服务站；二是引入专业机构运营，开设老年食堂；三是落实"
        "运营补贴，保障可持续运行。",
        "区民政局",
        ("区卫生健康委",),
        "已在{town}建成社区养老服务站并开设老年食堂",
    ),
    TH(
        "society",
        "关于加强{town}农村留守老人关爱服务的建议",
        "{town}青壮年外出务工多，留守老人生活照料、精神慰藉和应急救助需求突出。",
        "一是建立留守老人定期探访制度；二是发挥村级互助养老点作用；三是动员志愿者开展结对帮扶。",
        "区民政局",
        ("区妇联",),
        "已建立{town}留守老人定期探访制度，组建志愿服务队",
    ),
    TH(
        "society",
        "关于推进{town}老旧小区加装电梯的建议",
        "{town}建成于上世纪九十年代的老旧小区多为六至七层，老年住户上下楼困难，加装电梯意愿"
        "强烈，但因费用分摊难以协商，推进缓慢。",
        "一是推广“一梯一策”费用分摊办法；二是简化审批流程；三是落实财政补助资金。",
        "区住房城乡建委",
        ("区市场监管局",),
        "已将{town}老旧小区加装电梯纳入年度改造计划并落实补助",
    ),
    TH(
        "society",
        "关于改善{town}中心小学办学条件的建议",
        "{town}中心小学校舍老化，运动场地狭小，食堂容量不足，难以满足学生就近入学需要。",
        "一是将校舍改造纳入教育项目库；二是扩建运动场和食堂；三是补充音体美专业教师。",
        "区教委",
        (),
        "已将{town}中心小学校舍改造纳入教育项目库并启动运动场扩建",
    ),
    TH(
        "society",
        "关于解决{town}学生上下学交通安全问题的建议",
        "{town}部分学生居住分散，上下学路途远，乘坐无资质车辆现象时有发生，存在安全隐患。",
        "一是开通学生专线客车；二是在学校周边设置减速带和警示标志；三是加强上下学时段"
        "交通秩序管理。",
        "区教委",
        ("区交通局", "区公安局交巡警支队"),
        "已开通{town}学生专线客车，学校周边设置交通安全设施",
    ),
    TH(
        "society",
        "关于提升{town}卫生院服务能力的建议",
        "{town}卫生院医疗设备陈旧，专业技术人员不足，群众小病也要到城区就医。",
        "一是更新卫生院医疗设备；二是推进县域医共体建设，城区医院专家定期坐诊；三是加强"
        "全科医生培养。",
        "区卫生健康委",
        (),
        "已安排区人民医院专家每周到{town}卫生院坐诊，更新医疗设备",
    ),
    TH(
        "economy",
        "关于扶持{town}{crop}产业做大做强的建议",
        "{town}{crop}产业已有一定规模，但品牌影响力弱，加工和冷链设施不足，产品附加值低。",
        "一是统一打造区域公用品牌；二是支持建设初加工和冷链设施；三是培育专业合作社和家庭农场。",
        "区农业农村委",
        ("区商务委",),
        "已将{town}{crop}产业纳入特色产业扶持项目，支持建设冷链设施",
    ),
    TH(
        "economy",
        "关于支持{town}发展农产品直播电商的建议",
        "{town}农产品品质好但销售渠道单一，委员工作室组织的直播带货效果明显，但缺少专业人才"
        "和物流支撑。",
        "一是建设镇级电商服务站；二是开展直播电商人才培训；三是整合快递物流，降低寄递成本。",
        "区商务委",
        ("区农业农村委", "团区委"),
        "已在{town}建成电商服务站，开展直播电商培训",
    ),
    TH(
        "economy",
        "关于加强{town}高标准农田建设和管护的建议",
        "{town}已建成的高标准农田部分沟渠损毁、机耕道失修，重建轻管问题突出。",
        "一是落实高标准农田管护主体和经费；二是对损毁设施及时修复；三是引导新型经营主体参与管护。",
        "区农业农村委",
        ("区水利局",),
        "已落实{town}高标准农田管护经费，修复损毁沟渠",
    ),
    TH(
        "economy",
        "关于推进{town}乡村旅游提档升级的建议",
        "{town}山水和人文资源丰富，但乡村旅游产品同质化，配套设施不足，游客留不住。",
        "一是编制乡村旅游发展规划；二是完善旅游公路、停车场和公厕等配套设施；三是培育"
        "精品民宿和农家乐。",
        "区文化旅游委",
        ("区交通局",),
        "已将{town}纳入全区乡村旅游精品线路，完善配套设施",
    ),
    TH(
        "culture",
        "关于加强{town}传统村落和历史文化保护的建议",
        "{town}现存传统民居和古建筑年久失修，部分已损毁，非遗传承后继乏人。",
        "一是开展传统村落和历史建筑普查建档；二是落实保护修缮资金；三是支持非遗传承人"
        "开展传习活动。",
        "区文化旅游委",
        ("区规划自然资源局",),
        "已完成{town}历史建筑普查建档，启动重点建筑修缮",
    ),
    TH(
        "culture",
        "关于丰富{town}群众文化生活的建议",
        "{town}综合文化服务中心活动少、开放时间短，群众特别是老年人和青少年文化需求得不到满足。",
        "一是延长文化服务中心开放时间；二是开展“送文化下乡”活动；三是扶持群众文艺队伍。",
        "区文化旅游委",
        (),
        "已在{town}开展送文化下乡演出，延长文化服务中心开放时间",
    ),
    TH(
        "ecology",
        "关于加强{town}农村生活污水治理的建议",
        "{town}部分村落生活污水直排，影响河道水质和人居环境。",
        "一是推进集中式污水处理设施建设；二是对分散农户推广小型化处理设施；三是落实设施运维经费。",
        "区生态环境局",
        ("区住房城乡建委",),
        "已在{town}新建污水处理设施，落实运维经费",
    ),
    TH(
        "ecology",
        "关于推进{town}农村生活垃圾分类的建议",
        "{town}农村垃圾收运设施不足，部分地方仍有随意倾倒现象。",
        "一是完善垃圾分类收运体系；二是开展垃圾分类积分兑换；三是纳入村规民约。",
        "区城市管理局",
        ("区生态环境局",),
        "已在{town}推行垃圾分类积分兑换，增设收运设施",
    ),
    TH(
        "ecology",
        "关于加强{town}綦河流域水生态保护的建议",
        "綦河{town}段沿岸畜禽养殖和生活污水影响水质，部分河段出现水草疯长。",
        "一是严格落实河长制，加强巡河；二是整治沿岸畜禽养殖污染；三是实施河道生态修复。",
        "区生态环境局",
        ("区水利局", "区农业农村委"),
        "已开展綦河{town}段沿岸养殖污染整治和河道生态修复",
    ),
    TH(
        "economy",
        "关于加快{town}农村电网改造升级的建议",
        "{town}部分村落电网老化，用电高峰电压不稳，影响农产品加工和群众生活。",
        "一是将{village}纳入农网改造计划；二是增容改造变压器；三是加强线路巡检。",
        "国网綦江供电公司",
        (),
        "已完成{village}农网改造，新增变压器",
    ),
    TH(
        "society",
        "关于加强{town}食品安全监管的建议",
        "{town}场镇小餐饮、小作坊多，学校周边流动摊贩多，食品安全存在隐患。",
        "一是开展小餐饮、小作坊专项整治；二是加强校园周边食品安全监管；三是推行“明厨亮灶”。",
        "区市场监管局",
        (),
        "已在{town}开展食品安全专项整治，推行明厨亮灶",
    ),
    TH(
        "society",
        "关于加强{town}青少年心理健康教育的建议",
        "{town}留守儿童多，部分青少年存在心理问题，学校心理健康教师配备不足。",
        "一是配齐学校专兼职心理教师；二是建立心理危机干预机制；三是发动志愿者开展陪伴关爱。",
        "团区委",
        ("区教委",),
        "已在{town}学校配备心理教师，开展关爱志愿服务",
    ),
    TH(
        "politics",
        "关于保障{town}农村妇女儿童合法权益的建议",
        "{town}农村妇女儿童维权意识和渠道不足，家庭纠纷调处机制不健全。",
        "一是建立村级妇女儿童之家；二是开展普法宣传；三是完善婚姻家庭纠纷调处机制。",
        "区妇联",
        (),
        "已在{town}建成妇女儿童之家，开展普法宣传",
    ),
    TH(
        "other",
        "关于加强{town}地质灾害隐患点监测的建议",
        "{town}山高坡陡，部分地质灾害隐患点靠近居民聚居区，监测预警设施不足。",
        "一是完善隐患点自动监测设施；二是落实群测群防员；三是对高风险点实施搬迁避让。",
        "区规划自然资源局",
        (),
        "已在{town}隐患点安装自动监测设备，落实群测群防员",
    ),
)

# Proposals the office does not register (reason, converted to): private matters become letters,
# a residents' concern becomes public-opinion information.
REJECTED = (
    ("关于解决本人所在单位职工绩效工资待遇的建议", "private_matter", "letter"),
    ("关于请求重新审理一起合同纠纷案件的建议", "legal_procedure", "letter"),
    ("关于进一步做好全区各项工作的几点建议", "no_suggestion", ""),
    ("关于{town}某小区物业服务收费问题的建议", "out_of_scope", "opinion"),
    ("关于{town}夜市经营噪音扰民的建议", "out_of_scope", "opinion"),
    ("关于{town}{village}通村公路修建的建议", "already_solved", ""),
)
COLLECTIVE_SOURCES = (
    ("民革綦江区支部", "周晓梅"),
    ("民盟綦江区委员会", "陈建国"),
    ("民建綦江区委员会", "李红"),
    ("九三学社綦江区支社", "王志刚"),
    ("农工党綦江区支部", "刘芳"),
    ("区工商联", "张强"),
    ("农业界别", "罗明"),
    ("提案委员会", "杨丽"),
)
CROPS = ("茶叶", "柑橘", "蔬菜", "中药材", "花椒", "李子", "中蜂养殖", "食用菌")
REPLY_TEXT = {
    "solved": "经研究，您提出的建议已予采纳。{action}，后续我单位将持续跟踪，巩固办理成效。",
    "planned": "您的建议针对性强。{action}的工作已列入明年计划，待资金落实后组织实施。",
    "reference": "受资金和规划条件限制，所提建议暂难全面实施，我单位将在编制相关规划时作为重要参考。",
}
RETURN_REASONS = ("答复内容过于简单，请写明具体措施和时间安排。", "答复未加盖单位公章，请补充。")
GIVE_BACK_REASONS = (
    "该事项不属于我单位职责范围，建议交由属地政府办理。",
    "该事项已划转其他部门管理，建议改由其主办。",
)
REFUSE_REASON = "经核实，该事项属贵单位职责，请继续办理。"
UNSATISFIED_NOTES = (
    "答复未见具体措施，问题至今没有解决。",
    "承办单位未与提案人沟通，答复流于形式。",
)


def _places() -> list[tuple[str, str]]:
    from members.demo import TOWNS

    return [(town, village) for town, villages in TOWNS for village in villages[:2]]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class Spec:
    """One demo proposal: what it says, who filed it and how far its story goes."""

    title: str
    category: str
    reasons: str
    suggestions: str
    theme: Theme | None
    place: tuple[str, str]
    fate: str
    kind: str = "individual"
    lead: int | None = None
    cosigners: list[int] = field(default_factory=list)
    confirms: int = 0
    source: str = ""
    contact: str = ""
    publish: bool = True
    reject: tuple[str, str] = ("", "")
    key: bool = False
    excellent: bool = False
    matter: object = None
    extras: dict = field(default_factory=dict)


class Context:
    """What every walk needs: the clerk, the logins that speak for members and units, the units."""

    def __init__(self, clerk, term, today):
        from cppcc.models import User
        from members.models import Member, Post

        self.clerk, self.term, self.today = clerk, term, today
        self.units = {u.name: u for u in HandlingUnit.objects.all()}
        self.unit_logins = {
            u.handling_unit_id: u
            for u in User.objects.filter(handling_unit__isnull=False, is_active=True).order_by("pk")
        }
        self.member_logins = {
            u.member_id: u
            for u in User.objects.filter(member__isnull=False, is_active=True).order_by("pk")
        }
        self.members = list(
            Member.objects.filter(terms=term).active().order_by("pk").values_list("pk", flat=True)
        )
        leaders = Member.objects.filter(
            terms=term, post__in=[Post.CHAIR, Post.VICE_CHAIR]
        ).order_by("post", "pk")
        self.leaders = [
            f"区政协{'主席' if m.post == Post.CHAIR else '副主席'}{m.name}" for m in leaders
        ] or ["区政协主席"]

    def as_unit(self, unit_id: int):
        return self.unit_logins.get(unit_id) or self.clerk

    def as_proposer(self, proposal: Proposal):
        return self.member_logins.get(proposal.lead_proposer_id) or self.clerk


class Walk:
    """One proposal taken through proposals.workflow as the clerk, the unit and the proposer
    would, then dated back. The workflow stamps every move "now"; each call is made under a
    demo time (self.on(day)), and finish() sets the Transitions, notifications and the records'
    own times of the moves made under it back to that day."""

    def __init__(self, ctx: Context, spec: Spec, session, rng: random.Random):
        self.ctx, self.spec, self.session, self.rng = ctx, spec, session, rng
        self.clerk = ctx.clerk
        self.marks: list[tuple[datetime.datetime, datetime.datetime]] = []
        self.when: datetime.datetime | None = None
        self.updates: list[tuple[type, int, dict]] = []
        self.proposal: Proposal | None = None
        from cppcc.models import Notification, Transition

        self.first_move = (
            Transition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self.first_note = (
            Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )

    # --- the demo clock ---

    def on(self, day: datetime.date, minute: int | None = None) -> datetime.datetime:
        """The next moves happen on `day` (never today or later; never before the last move),
        at a random time of the working day or `minute` minutes after nine."""
        day = min(day, self.ctx.today - datetime.timedelta(days=1))
        if minute is None:
            minute = self.rng.randint(0, 7 * 60)
        at = _at(day, 9) + datetime.timedelta(minutes=minute)
        if self.when is not None and at <= self.when:
            at = self.when + datetime.timedelta(minutes=self.rng.randint(7, 50))
        self.when = at
        self.marks.append((timezone.now(), at))
        return at

    def later(self, lo: int, hi: int) -> datetime.datetime:
        return self.on(self.when.date() + datetime.timedelta(days=self.rng.randint(lo, hi)))

    def stamp(self, model, pk: int, **values) -> None:
        self.updates.append((model, pk, values))

    def finish(self) -> None:
        from cppcc.changes import announce
        from cppcc.models import Notification, Transition

        for model, pk, values in self.updates:
            model.objects.filter(pk=pk).update(**values)
        for model in {model for model, _pk, _values in self.updates}:
            announce(model)  # the figures count by these dates (a reply's release …)
        if not self.marks:
            return
        # Every row written since the walk began was written under the demo time of the last
        # mark before it: one CASE per table, newest mark first, over the walk's rows only.
        moves = Transition.objects.filter(pk__gt=self.first_move)
        moves.update(
            at=Case(*[When(at__gte=real, then=Value(demo)) for real, demo in reversed(self.marks)])
        )
        notes = Notification.objects.filter(pk__gt=self.first_note)
        notes.update(
            created_at=Case(
                *[
                    When(created_at__gte=real, then=Value(demo))
                    for real, demo in reversed(self.marks)
                ]
            )
        )
        # What happened more than a fortnight ago was read long since.
        old = self.ctx.today - datetime.timedelta(days=14)
        notes.filter(created_at__date__lt=old, read_at__isnull=True).update(
            read_at=F("created_at") + datetime.timedelta(hours=20)
        )

    # --- the moves ---

    def draft(self, day: datetime.date) -> Proposal:
        from . import services

        spec = self.spec
        at = self.on(day)
        proposal = Proposal(
            term=self.ctx.term,
            session=self.session,
            year=day.year,
            category=spec.category,
            title=spec.title,
            reasons=spec.reasons,
            suggestions=spec.suggestions,
            kind=spec.kind,
            lead_proposer_id=spec.lead,
            collective_source=spec.source,
            contact_person=spec.contact,
            agrees_to_publish=spec.publish,
            created_by=self.clerk,
        )
        proposal._history_user = self.clerk
        proposal.save()
        self.proposal = proposal
        if spec.cosigners:
            from members.models import Member

            services.set_cosigners(
                proposal,
                list(Member.objects.filter(pk__in=spec.cosigners).order_by("pk")),
                by=self.clerk,
            )
        self.stamp(Proposal, proposal.pk, created_at=at)
        return proposal

    def submit(self, day: datetime.date) -> None:
        from . import workflow

        p = self.proposal
        at = self.on(day)
        # Filed on paper and recorded by the office with the day it was handed in: the session's
        # window and the co-signing deadline are reckoned from that day by the workflow.
        workflow.proposal_submit(p, by=self.clerk, note="", submitted_on=at.date())
        # The first `confirms` named confirm, on paper; the rest (the `member` login, where it
        # is one) are still invited or drop off at review.
        invited = {c.member_id: c for c in p.cosigners.all()}
        for i, cosigner in enumerate(
            [invited[m] for m in self.spec.cosigners[: self.spec.confirms]]
        ):
            # One a day at most, all within the co-signing days the workflow allows.
            when = self.on(at.date() + datetime.timedelta(days=min(i, workflow.cosign_days() - 1)))
            workflow.cosigner_confirm(cosigner, by=self.clerk, confirmed_on=when.date())
            self.stamp(type(cosigner), cosigner.pk, confirmed_at=when)
        self.stamp(Proposal, p.pk, submitted_at=at)

    def register(self, day: datetime.date) -> None:
        from . import services, workflow

        # Numbers are given in the order of the day's registrations.
        serial = workflow.next_serial(self.ctx.term.pk, self.proposal.session_id)
        at = self.on(day, minute=min(serial * 3, 8 * 60))
        workflow.proposal_register(self.proposal, by=self.clerk)
        self.stamp(Proposal, self.proposal.pk, registered_at=at)
        if self.spec.key:
            services.set_key(
                self.proposal,
                is_key=True,
                supervising_leader=self.rng.choice(self.ctx.leaders),
                by=self.clerk,
            )

    def reject(self, day: datetime.date) -> None:
        from . import workflow

        self.on(day)
        reason, converted = self.spec.reject
        workflow.proposal_reject(
            self.proposal, reason=reason, converted_to=converted, by=self.clerk
        )

    def merge(self, day: datetime.date, into: Proposal) -> None:
        from . import workflow

        self.on(day)
        workflow.proposal_merge(
            self.proposal, into=into, by=self.clerk, note="与该提案内容相近，并案办理"
        )

    def assign(self, day: datetime.date, lead: str | None, assisting=()) -> list[ProposalUnit]:
        from . import workflow

        at = self.on(day)
        units = self.ctx.units
        before = set(self.proposal.assignments.values_list("pk", flat=True))
        workflow.proposal_assign(
            self.proposal,
            lead_unit=units[lead] if lead else None,
            assisting_units=[units[n] for n in assisting],
            by=self.clerk,
        )
        made = list(self.proposal.assignments.exclude(pk__in=before).order_by("pk"))
        due = workflow.add_months(at.date(), workflow.reply_months())
        for a in made:
            a.due_on = due
            self.stamp(ProposalUnit, a.pk, assigned_at=at, due_on=due)
        if not before:
            self.stamp(Proposal, self.proposal.pk, assigned_at=at)
        return made

    def give_back(self, a: ProposalUnit, lo: int, hi: int, decision: str) -> None:
        from . import workflow

        self.later(lo, hi)
        workflow.give_back_request(
            a, reason=self.rng.choice(GIVE_BACK_REASONS), by=self.ctx.as_unit(a.unit_id)
        )
        if decision == "pending":
            return
        at = self.later(1, 4)
        if decision == "grant":
            workflow.give_back_grant(a, by=self.clerk, note="同意退回，另行交办")
            self.stamp(ProposalUnit, a.pk, given_back_at=at)
        else:
            workflow.give_back_refuse(a, reason=REFUSE_REASON, by=self.clerk)

    def reply(self, a: ProposalUnit, answer: str) -> ProposalReply:
        from . import workflow

        at = self.when
        theme = self.spec.theme
        action = (theme.action if theme else "相关工作").format(
            town=self.spec.place[0],
            village=self.spec.place[1],
            crop=self.spec.extras.get("crop", ""),
        )
        reply = workflow.reply_submit(
            a,
            answer_type=answer,
            text=f"{a.unit.name}：" + REPLY_TEXT[answer].format(action=action),
            by=self.ctx.as_unit(a.unit_id),
        )
        self.stamp(ProposalReply, reply.pk, submitted_at=at)
        return reply

    def release(self, reply: ProposalReply) -> None:
        from . import workflow

        at = self.when
        workflow.reply_release(reply, by=self.clerk)
        self.stamp(ProposalReply, reply.pk, released_at=at)

    def send_back(self, reply: ProposalReply) -> None:
        from . import workflow

        at = self.when
        workflow.reply_return(reply, reason=self.rng.choice(RETURN_REASONS), by=self.clerk)
        self.stamp(ProposalReply, reply.pk, returned_at=at)

    def rate(self, a: ProposalUnit, rating: str) -> None:
        from . import workflow

        at = self.when
        note = self.rng.choice(UNSATISFIED_NOTES) if rating == "unsatisfied" else ""
        record = workflow.proposal_rate(
            a,
            rating=rating,
            communication=self.rng.choice(["in_person", "in_person", "phone", "written"]),
            note=note,
            by=self.ctx.as_proposer(self.proposal),
        )
        self.stamp(type(record), record.pk, rated_at=at)
        if rating == "unsatisfied":
            due = at.date() + datetime.timedelta(days=workflow.rehandle_days())
            a.due_on = due
            self.stamp(ProposalUnit, a.pk, due_on=due)

    def close(self) -> None:
        from . import workflow

        at = self.later(3, 10)
        workflow.proposal_close(self.proposal, by=self.clerk)
        self.stamp(Proposal, self.proposal.pk, closed_at=at)

    def answer(self) -> str:
        return self.rng.choices(["solved", "planned", "reference"], weights=[55, 35, 10])[0]

    def rating(self) -> str:
        return self.rng.choices(["satisfied", "basically"], weights=[80, 20])[0]

    # --- the story ---

    def run(self, plan: dict, into: Proposal | None = None) -> Proposal:
        """Takes the proposal as far as its fate, on the days of `plan` (created, submitted,
        review, assigned, reply, rate …)."""
        spec, fate, x = self.spec, self.spec.fate, self.spec.extras
        self.draft(plan["created"])
        if fate == "draft":
            return self.proposal
        self.submit(plan["submitted"])
        if fate in ("pending_cosign", "submitted"):
            return self.proposal
        if fate == "not_registered":
            self.reject(plan["review"])
            return self.proposal
        if fate == "merged":
            self.merge(plan["review"], into)
            return self.proposal
        self.register(plan["review"])
        if fate == "registered":
            return self.proposal
        lead = x.get("lead") or (spec.theme.lead if spec.theme else "区农业农村委")
        assisting = x.get("assisting", spec.theme.assisting if spec.theme else ())
        held = self.assign(plan["assigned"], lead, assisting)
        if x.get("give_back"):
            decision = x["give_back"]
            self.give_back(held[0], 3, 8, decision)
            if decision == "pending":
                return self.proposal
            if decision == "grant":
                if fate == "registered_again":
                    return self.proposal
                # The proposed new lead, or the next unit not already on it.
                taken = set(
                    self.proposal.assignments.active().values_list("unit__name", flat=True)
                ) | {held[0].unit.name}
                names = [x["new_lead"], *(name for name, _kind in DEMO_UNITS)]
                new_lead = next(name for name in names if name not in taken)
                self.assign(self.when.date() + datetime.timedelta(days=1), new_lead)
        if fate in ("assigned", "assigned_overdue", "assigned_due_soon"):
            return self.proposal
        held = list(
            self.proposal.assignments.active().select_related("unit").order_by("-is_lead", "pk")
        )
        for i, a in enumerate(held):
            self.on(plan["reply"] + datetime.timedelta(days=self.rng.randint(0, 6)))
            reply = self.reply(a, self.answer())
            if x.get("returned") and i == 0:
                self.later(3, 6)
                self.send_back(reply)
                self.later(4, 10)
                reply = self.reply(a, self.answer())
            if fate == "reply_pending" and i == len(held) - 1:
                return self.proposal
            self.later(2, 6)
            self.release(reply)
        if fate == "replied":
            return self.proposal
        for i, a in enumerate(held):
            a.refresh_from_db()
            unsatisfied = x.get("unsatisfied") and i == 0
            if "rate" in plan and unsatisfied:
                self.on(plan["rate"])
            else:
                self.later(5, 20)
            self.rate(a, "unsatisfied" if unsatisfied else self.rating())
            if not unsatisfied:
                continue
            if fate == "rehandling":
                return self.proposal
            # 重办: the unit talks to the proposer, answers again, and is rated again.
            self.later(12, 25)
            reply = self.reply(a, "solved")
            self.later(2, 5)
            self.release(reply)
            self.later(5, 12)
            self.rate(a, self.rating())
        self.close()
        if spec.excellent:
            from . import services

            services.set_excellent(self.proposal, is_excellent=True, by=self.clerk)
        return self.proposal


# --- planning: what each series holds (pure: the same plan whatever the database holds) ------

TRANSPORT = "区交通局"


class Pool:
    """Titles to hand out: every theme in every town once, shuffled; transport first on ask."""

    def __init__(self, rng: random.Random):
        places = _places()
        combos = [(t, p) for t in THEMES for p in places]
        # One place per town and theme: a county does not get the same proposal twice a town.
        seen, unique = set(), []
        for theme, place in combos:
            if (theme.title, place[0]) not in seen:
                seen.add((theme.title, place[0]))
                unique.append((theme, place))
        rng.shuffle(unique)
        self.items = unique
        self.rng = rng

    def take(self, transport: bool = False) -> tuple[Theme, tuple[str, str]]:
        for i, (theme, _place) in enumerate(self.items):
            if not transport or theme.lead == TRANSPORT:
                return self.items.pop(i)
        return self.items.pop(0)


def _text(theme: Theme, place: tuple[str, str], crop: str) -> dict:
    values = {"town": place[0], "village": place[1], "crop": crop}
    return {
        "title": theme.title.format(**values),
        "reasons": theme.reasons.format(**values),
        "suggestions": theme.suggestions.format(**values),
    }


def _spec(pool: Pool, rng: random.Random, members: list[int], fate: str, **kw) -> Spec:
    theme, place = pool.take(transport=kw.pop("transport", False))
    crop = rng.choice(CROPS)
    roll = rng.random()
    spec = Spec(
        **_text(theme, place, crop),
        category=theme.category,
        theme=theme,
        place=place,
        fate=fate,
        publish=rng.random() < 0.75,
        extras={"crop": crop},
    )
    kind = kw.pop("kind", None) or (
        "collective" if roll < 0.12 else "joint" if roll < 0.37 else "individual"
    )
    spec.kind = kind
    if kind == "collective":
        spec.source, spec.contact = rng.choice(COLLECTIVE_SOURCES)
    else:
        spec.lead = rng.choice(members)
    if kind == "joint":
        others = [m for m in rng.sample(members, 5) if m != spec.lead][: rng.randint(2, 4)]
        spec.cosigners = others
        # Now and then a co-signer lets the deadline pass and drops off at review.
        spec.confirms = len(others) - (1 if rng.random() < 0.2 else 0)
    for name, value in kw.items():
        if name in ("give_back", "new_lead", "returned", "unsatisfied", "lead", "assisting"):
            spec.extras[name] = value
        else:
            setattr(spec, name, value)
    return spec


def _rejected(pool: Pool, rng: random.Random, members: list[int]) -> Spec:
    title, reason, converted = rng.choice(REJECTED)
    town, village = rng.choice(_places())
    return Spec(
        title=title.format(town=town, village=village),
        category="other",
        reasons="群众反映强烈，希望有关部门予以重视。",
        suggestions="建议有关部门尽快研究解决。",
        theme=None,
        place=(town, village),
        fate="not_registered",
        lead=rng.choice(members),
        reject=(reason, converted),
        publish=False,
    )


def plan_session(
    pool: Pool, rng: random.Random, members: list[int], n: int, current: bool
) -> list[Spec]:
    """A plenary session's proposals in the order the office reviewed them. The first is the
    session's 1号提案, a key proposal (seed 004: the 1号提案 on the economy)."""
    fates: list[tuple[str, dict]] = [("closed", {"key": True, "kind": "collective"})]
    if current:
        fates += [("assigned_overdue", {"transport": True})] * 3
        fates += [("assigned_overdue", {})] * 2
        fates += [("reply_pending", {})] * 3 + [("replied", {})] * 4
        fates += [("rehandling", {"unsatisfied": True, "transport": True})]
        fates += [("rehandling", {"unsatisfied": True})]
        fates += [("registered_again", {"give_back": "grant", "assisting": ()})]
        fates += [("closed", {"key": True})] * 2
    else:
        fates += [("closed", {"key": True})] * 1 + [("closed", {"excellent": True})] * 2
    fates += [("closed", {"give_back": "grant", "new_lead": "区住房城乡建委"})]
    fates += [("closed", {"give_back": "refuse", "transport": True})]
    fates += [("closed", {"returned": True})] * (3 if n > 30 else 1)
    fates += [("closed", {"unsatisfied": True})] * (2 if n > 30 else 1)
    fates += [("closed", {"transport": True})] * (3 if n > 30 else 1)
    rejected, merged = (4, 3) if current else (3, 2)
    while len(fates) < n - rejected - merged:
        fates.append(("closed", {}))
    head, rest = fates[:1], fates[1:]
    rng.shuffle(rest)
    specs = [_spec(pool, rng, members, fate, **dict(kw)) for fate, kw in head + rest]
    for _i in range(rejected):
        specs.insert(rng.randint(3, len(specs)), _rejected(pool, rng, members))
    for _i in range(merged):
        at = rng.randint(len(specs) // 3, len(specs))
        target = rng.randrange(0, at)
        while specs[target].fate in ("not_registered", "merged"):
            target -= 1
        spec = _spec(pool, rng, members, "merged", kind="individual")
        # A similar proposal from another member: the target's theme in another town.
        into = specs[target]
        others = [p for p in _places() if p[0] != into.place[0]]
        spec.place = rng.choice(others)
        for name, value in _text(into.theme, spec.place, into.extras["crop"]).items():
            setattr(spec, name, value)
        spec.theme, spec.category = into.theme, into.category
        spec.extras["into"] = into
        specs.insert(at, spec)
    return specs


def plan_between(pool: Pool, rng: random.Random, members: list[int]) -> list[Spec]:
    """This year's proposals filed between sessions (闭会期间), at every stage still open."""
    fates: list[tuple[str, dict]] = [
        ("closed", {}),
        ("closed", {"kind": "joint"}),
        ("not_registered", {}),
        ("not_registered", {}),
        ("replied", {}),
        ("replied", {"transport": True}),
        ("reply_pending", {}),
        ("assigned_overdue", {"transport": True}),
        ("assigned_overdue", {}),
        ("give_back_pending", {"give_back": "pending", "transport": True}),
        ("give_back_pending", {"give_back": "pending"}),
        ("assigned", {}),
        ("assigned", {"transport": True}),
        ("assigned", {}),
        ("assigned_due_soon", {"transport": True}),
        ("assigned_due_soon", {"transport": True}),
        ("assigned_due_soon", {"transport": True}),
        ("assigned_due_soon", {}),
        ("registered", {}),
        ("registered", {}),
        ("submitted", {"kind": "individual"}),
        ("submitted", {"kind": "collective"}),
        ("submitted", {"kind": "individual"}),
        ("pending_cosign", {"kind": "joint"}),
        ("pending_cosign", {"kind": "joint"}),
        ("draft", {"kind": "individual"}),
        ("draft", {"kind": "collective"}),
        ("draft", {"kind": "joint"}),
    ]
    specs = []
    for fate, kw in fates[:BETWEEN_SESSIONS]:
        if fate == "not_registered":
            specs.append(_rejected(pool, rng, members))
        else:
            specs.append(_spec(pool, rng, members, fate, **dict(kw)))
    return specs


def _days(rng: random.Random, a: int, b: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(a, b))


def session_dates(rng, specs: list[Spec], session, today: datetime.date) -> list[dict]:
    """The days of each proposal of a plenary session: filed in the weeks before it, reviewed
    in the fortnight after (in the order of their numbers), assigned in two batches, answered
    within the three months (a few late), the open ones' last moves in recent weeks."""
    from .workflow import add_months

    start, n, plans = session.starts_on, len(specs), []
    for i, spec in enumerate(specs):
        created = start - _days(rng, 12, 40)
        assigned = start + datetime.timedelta(days=35 if i < n // 2 else 42)
        reply = assigned + _days(rng, 30, 70)
        if rng.random() < 0.08:
            reply = add_months(assigned, 3) + _days(rng, 3, 20)
        plan = {
            "created": created,
            "submitted": created + _days(rng, 0, 3),
            "review": start + datetime.timedelta(days=10 + i * 18 // n),
            "assigned": assigned,
            "reply": reply,
        }
        if spec.fate == "reply_pending":
            plan["reply"] = today - _days(rng, 1, 4)
        elif spec.fate == "replied":
            plan["reply"] = today - _days(rng, 12, 20)
        elif spec.fate == "rehandling":
            # Rated 不满意 three to four weeks ago: its 30 days to answer again run out soon.
            plan["rate"] = today - _days(rng, 22, 27)
        plans.append(plan)
    return plans


def between_dates(rng, spec: Spec, after: datetime.date, today: datetime.date) -> dict:
    """The days of a proposal filed between sessions this year, counted back from where it
    stands: due soon means assigned three months ago less a few days, and so on."""
    from .workflow import add_months

    fate = spec.fate
    if fate == "draft":
        return {"created": today - _days(rng, 1, 10)}
    if fate in ("submitted", "pending_cosign"):
        submitted = today - (_days(rng, 0, 1) if fate == "pending_cosign" else _days(rng, 2, 8))
        return {"created": submitted - _days(rng, 1, 5), "submitted": submitted}
    if fate in ("registered", "not_registered"):
        review = today - (_days(rng, 3, 10) if fate == "registered" else _days(rng, 15, 90))
        created = review - _days(rng, 15, 30)
        return {"created": created, "submitted": created + _days(rng, 1, 3), "review": review}
    if fate == "assigned_due_soon":
        assigned = add_months(today, -3) + _days(rng, 2, 6)
    elif fate == "assigned_overdue":
        assigned = add_months(today, -3) - _days(rng, 10, 60)
    elif fate in ("assigned", "give_back_pending"):
        assigned = today - _days(rng, 20, 45)
    elif fate in ("replied", "reply_pending"):
        assigned = today - _days(rng, 60, 80)
    else:
        assigned = max(after, today - datetime.timedelta(days=250)) + _days(rng, 0, 30)
    created = assigned - _days(rng, 25, 40)
    plan = {
        "created": created,
        "submitted": created + _days(rng, 1, 3),
        "review": assigned - _days(rng, 5, 12),
        "assigned": assigned,
        "reply": assigned + _days(rng, 40, 70),
    }
    if fate == "reply_pending":
        plan["reply"] = today - _days(rng, 1, 4)
    elif fate == "replied":
        plan["reply"] = today - _days(rng, 12, 20)
    return plan


def _matter_specs(term, session) -> list[Spec]:
    """This year's annual "一镇一事" matters that came from a proposal (seed 000: 委员提案 is the
    first step), two of them, not linked yet: the proposal each came from."""
    from django.apps import apps

    Matter = apps.get_model("consultations", "Matter")
    matters = (
        Matter.objects.filter(year=session.starts_on.year, is_annual_topic=True, proposal=None)
        .exclude(step="proposed")
        .prefetch_related("proposers", "unit_assignments__unit")
        .order_by("town__order", "pk")[:2]
    )
    specs = []
    for matter in matters:
        proposers = sorted(m.pk for m in matter.proposers.all())
        if not proposers:
            continue
        lead = next((a.unit.name for a in matter.unit_assignments.all() if a.role == "lead"), None)
        specs.append(
            Spec(
                title=f"关于将“{matter.title}”列为{matter.town.name}年度“一镇一事”协商议题的建议",
                category="society",
                reasons=matter.background or "群众反映强烈，亟待解决。",
                suggestions="建议将该事项作为年度“一镇一事”议题，由政府交办相关部门，"
                "组织委员、部门和群众开展议前协商、现场协商，推动问题解决。",
                theme=None,
                place=(matter.town.name, ""),
                fate="replied",
                kind="joint" if len(proposers) > 1 else "individual",
                lead=proposers[0] if proposers else None,
                cosigners=proposers[1:],
                confirms=len(proposers) - 1,
                publish=True,
                matter=matter,
                extras={"lead": lead or "区农业农村委", "assisting": ()},
            )
        )
    return specs


def _link_matter(matter, proposal: Proposal, clerk) -> None:
    # The link lives on the matter (consultations uses proposals, not the other way round), so
    # it is written by consultations' own service, looked up here only when the demo runs.
    from importlib import import_module

    services = import_module("consultations.services")
    services.update_matter(matter, {"proposal": proposal}, by=clerk)


SUPERVISION_NOTES = [
    "督办领导带队实地查看办理进度，听取承办单位汇报，要求按期完成。",
    "召开重点提案督办会，提案人、承办单位面对面协商，明确了资金来源和完成时限。",
    "督办组走访受益群众，承办单位报告已完成主体工程，余下事项列入下季度计划。",
]


def _supervise(ctx, proposal: Proposal) -> None:
    """A key proposal's supervision meeting about a month after it was assigned, once that
    day has passed; recorded by the office with that day (dated after the walk's finish(), so
    the check against the registration day sees the real one)."""
    from . import services

    proposal.refresh_from_db()
    if proposal.assigned_at is None:
        return
    day = timezone.localdate(proposal.assigned_at) + datetime.timedelta(days=30)
    if day >= ctx.today:
        return
    units = [a.unit for a in proposal.assignments.active().select_related("unit")]
    services.record_supervision_meeting(
        proposal,
        {
            "held_on": day,
            "place": f"{units[0].name}会议室" if units else "区政协机关",
            "units": units,
            # A different note per proposal, the same on every run.
            "summary": SUPERVISION_NOTES[proposal.pk % len(SUPERVISION_NOTES)],
        },
        by=ctx.clerk,
    )


def _walk_series(ctx, specs: list[Spec], plans: list[dict], session, rng) -> dict:
    made: dict[int, Proposal] = {}
    # One transaction a series: a session's proposals are there whole or not at all (the
    # loader's test for "already loaded"), and SQLite commits once, not per proposal.
    with transaction.atomic():
        for spec, plan in zip(specs, plans, strict=True):
            into = made.get(id(spec.extras.get("into")))
            walk = Walk(ctx, spec, session, rng)
            proposal = walk.run(plan, into=into)
            walk.finish()
            if spec.key:
                _supervise(ctx, proposal)
            if spec.matter is not None:
                _link_matter(spec.matter, proposal, ctx.clerk)
            made[id(spec)] = proposal
    return made


def load_proposals(log: Callable[[str], None]) -> None:
    """A few hundred proposals of the current term: each plenary session held so far (the
    latest with work still open: overdue, awaiting review, re-handled after 不满意), and this
    year's filed between sessions at every stage (drafts, co-signers still to confirm, due
    soon). All through proposals.workflow, then dated back (Walk says how).

    Idempotent: a session's proposals are made only while it has none, the between-sessions
    ones only while the term has none. Deterministic: the plan is drawn from
    Random(PROPOSAL_SEED) whatever the database holds."""
    from cppcc.models import User
    from members.models import CommitteeSession, SessionKind, Term

    clerk = User.objects.filter(username=PROPOSAL_CLERK, is_active=True).first()
    term = Term.objects.filter(is_current=True).first()
    if clerk is None or term is None:
        log("提案：未找到本届届次或演示账号 office，跳过")
        return
    today = timezone.localdate()
    sessions = list(
        CommitteeSession.objects.filter(
            term=term, kind=SessionKind.PLENARY, starts_on__lte=today
        ).order_by("ordinal")
    )
    ctx = Context(clerk, term, today)
    if not sessions or len(ctx.members) < 10:
        log("提案：本届尚无全体会议或委员，跳过")
        return
    rng = random.Random(PROPOSAL_SEED)
    pool = Pool(rng)
    member_login = ctx.member_logins.get(
        User.objects.filter(username="member").values_list("member_id", flat=True).first()
    )
    mine = member_login.member_id if member_login else None
    series = []
    for i, session in enumerate(sessions):
        current = session is sessions[-1]
        n = (PER_OLD_SESSION, PER_PREVIOUS_SESSION, PER_SESSION)[max(0, 3 + i - len(sessions))]
        specs = plan_session(pool, rng, ctx.members, n, current)
        plans = session_dates(rng, specs, session, today)
        if current and mine:
            # The `member` login leads one of them, so its portal has a closed proposal.
            _make_mine(next(s for s in specs[1:] if s.fate == "closed" and not s.key), mine)
        series.append((session, specs, plans))
    between = plan_between(pool, rng, ctx.members)
    after = sessions[-1].ends_on
    plans = [between_dates(rng, spec, after, today) for spec in between]
    if mine:
        for fate in ("replied", "draft"):
            _make_mine(next(s for s in between if s.fate == fate and s.kind != "collective"), mine)
        pending = next(s for s in between if s.fate == "pending_cosign" and s.lead != mine)
        pending.cosigners = [m for m in pending.cosigners if m != mine][:1] + [mine]
        pending.confirms = 1
    # Numbers follow the order of review.
    order = sorted(range(len(between)), key=lambda i: plans[i].get("review", today))
    series.append((None, [between[i] for i in order], [plans[i] for i in order]))

    made = 0
    for session, specs, plans in series:
        if Proposal.objects.filter(term=term, session=session).exists():
            continue
        if session is sessions[-1]:
            extra = _matter_specs(term, session)
            extra_plans = session_dates(
                random.Random(f"{PROPOSAL_SEED}-matters"), extra, session, today
            )
            for plan in extra_plans:
                plan["review"] = plans[0]["review"]
            specs, plans = specs[:1] + extra + specs[1:], plans[:1] + extra_plans + plans[1:]
        walk_rng = random.Random(f"{PROPOSAL_SEED}-{session.ordinal if session else 0}")
        made += len(_walk_series(ctx, specs, plans, session, walk_rng))
    log(f"提案新增 {made} 件，本届共 {Proposal.objects.filter(term=term).count()} 件")


def _make_mine(spec: Spec, member_id: int) -> None:
    spec.kind, spec.lead, spec.source, spec.contact = "individual", member_id, "", ""
    spec.cosigners, spec.confirms, spec.publish = [], 0, True
