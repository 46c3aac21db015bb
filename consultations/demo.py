"""The demo county's "渝事好商量·一镇一事商量办" consultations (seeds 000 and 002).

Called by the project's demo command as consultations.demo.load(log), after the members, the
studios, the handling units and the demo logins: every write goes through
consultations.services and consultations.workflow as the office clerk's login (`office`), so
the matters carry the same history a clerk's clicks would leave, and the demo is a smoke test
of the seven steps.

For last year and this year each town gets its annual "一镇一事" matter: last year's are
finished with their outcome (one is still in 督办协商, past its deadline); this year's stand at
every step, a few finished, two stalled and one overdue. Each step a matter has left had its
meetings (more 议前协商 than 现场协商, as seed 002's 79 to 31), with the town studio's members,
the units, officials, residents, what was agreed and follow-up tasks. Each town also holds its
quarterly 协商工作例会 and a few 小微协商 in its villages' consultation rooms.

Dates are relative to today (the demo always shows "this year" and "last year"), and every
meeting is in the past unless it is a planned one, without attendance; the moves' times are
then set back to those days (_Walk.backdate says why). Idempotent: a town's
matter for a year is made only while the town has no annual topic that year, its town meetings
only while it has none that year. Deterministic per town and year (Random(f"{SEED}-…")).
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cppcc.models import Transition, User
from proposals.models import HandlingUnit
from studios.models import Attendance, Town, Village

from . import selectors, services, workflow
from .models import (
    COMPLETED_STATE,
    STEPS,
    ConsultationMeeting,
    Matter,
    MeetingKind,
    Step,
    step_index,
)

SEED = 2026
# The login that records the consultations (cppcc.demo.load_users makes it).
CLERK = "office"


@dataclass(frozen=True)
class Topic:
    """One town's annual matter in one year, and where the demo leaves it."""

    village: str
    title: str
    background: str
    lead: str
    assisting: tuple[str, ...]
    task: str
    target: str  # the step the matter is left in, or COMPLETED_STATE
    funds_wan: str
    beneficiaries: int
    summary: str
    solved: bool = True
    stalled: bool = False  # left in its step for more than the stall days
    overdue: bool = False  # its deadline has passed
    units_ready: bool = False  # at 政协立案 with the assignment already recorded
    planned: bool = False  # the next meeting of its step is planned for the coming weeks


T = Topic
# town → (last year's topic, this year's topic)
TOPICS: dict[str, tuple[Topic, Topic]] = {
    "古南街道": (
        T(
            "春光村",
            "春光村荷塘养虾基地建设",
            "春光村被划入开发区待征地范围，无法整体流转土地，集体经济薄弱。委员党小组调研后"
            "建议因地制宜发展荷塘养虾，带动村民就近就业。",
            "区农业农村委",
            ("区规划自然资源局",),
            "协调土地使用和项目手续，完成20亩荷塘开挖注水和配套道路建设。",
            COMPLETED_STATE,
            "120",
            500,
            "20亩荷塘开挖注水，投放虾苗4个月后丰收，产出澳龙虾、罗氏虾3000斤，带动500多人"
            "就业，为村集体增收12万元。",
        ),
        T(
            "桥河社区",
            "桥河社区老旧小区院坝改造",
            "桥河社区7个老旧小区院坝破损、排水不畅，雨天积水，居民多次在“院坝会”上反映。",
            "区住房城乡建委",
            ("区城市管理局",),
            "将7个小区院坝纳入年度老旧小区改造计划，完成硬化、排水和照明改造。",
            Step.SUPERVISION,
            "186",
            2300,
            "7个小区院坝完成硬化和雨污分流改造。",
        ),
    ),
    "文龙街道": (
        T(
            "沙溪村",
            "沙溪村饮水管网改造",
            "沙溪村饮水管网建于上世纪九十年代，老化漏损严重，夏季高处农户时常停水。",
            "区水利局",
            (),
            "更换主管网并新建高位水池，解决高处农户季节性缺水。",
            COMPLETED_STATE,
            "65",
            1800,
            "更换主管网3.2公里，新建200立方米高位水池1座，1800名村民用上稳定自来水。",
        ),
        T(
            "大坪社区",
            "大坪社区农贸市场环境整治",
            "大坪社区农贸市场摊位占道、污水横流，周边居民和商户意见较大。",
            "区市场监管局",
            ("区城市管理局",),
            "规范市场摊位，改造排水沟和公厕，建立长效管理机制。",
            Step.PRE_MEETING,
            "48",
            6000,
            "",
        ),
    ),
    "三江街道": (
        T(
            "圆通寺社区",
            "圆通寺社区“未成年人之家”建设",
            "圆通寺社区留守和流动儿童较多，放学后缺少安全的学习活动场所。",
            "团区委",
            ("区妇联", "区教委"),
            "利用社区闲置用房建设“未成年人之家”，配备图书和心理辅导室，组织志愿者常态服务。",
            COMPLETED_STATE,
            "28",
            1200,
            "“未成年人之家”建成开放，开展心理健康讲座、家长学校等活动60余场，惠及儿童和"
            "家长1200余人。",
        ),
        T(
            "滨江社区",
            "滨江社区儿童友好公共空间建设",
            "滨江社区沿河步道缺少儿童游乐设施和安全护栏，家长担心孩子安全。",
            "区妇联",
            ("团区委", "区城市管理局"),
            "改造沿河步道节点，增设儿童游乐设施和安全护栏。",
            Step.ON_SITE,
            "75",
            3500,
            "",
            planned=True,
        ),
    ),
    "新盛街道": (
        T(
            "长田村",
            "长田村便民服务点建设",
            "长田村距街道便民服务中心较远，老人办理社保、医保认证要往返半天。",
            "区民政局",
            (),
            "在村委会设立便民服务点，社保、医保、民政业务就近办理。",
            COMPLETED_STATE,
            "12",
            2600,
            "便民服务点在村委会开放，18项高频事项就近办理，全年办件1100余件。",
        ),
        T(
            "德园村",
            "德园村产业路硬化",
            "德园村柑橘基地产业路为泥结石路面，雨天运输车辆进不去，果子运不出。",
            "区交通局",
            ("区农业农村委",),
            "硬化产业路4.5公里，增设错车道。",
            COMPLETED_STATE,
            "135",
            1600,
            "产业路硬化4.5公里，新增错车道12处，柑橘运输成本每斤下降约0.1元。",
        ),
    ),
    "通惠街道": (
        T(
            "通惠社区",
            "通惠中学门口交通拥堵治理",
            "上下学高峰通惠中学门口车辆乱停，学生过马路存在安全隐患。",
            "区公安局交巡警支队",
            ("区教委",),
            "设置护学岗和减速带，规划临时停车区，错峰放学。",
            COMPLETED_STATE,
            "18",
            3200,
            "增设护学岗2个、减速带4处和临时停车位40个，高峰拥堵时间由40分钟缩短到10分钟。",
        ),
        T(
            "石桥社区",
            "石桥社区适老化改造",
            "石桥社区老年人口占三成，楼道无扶手、路面台阶多，老人出行不便。",
            "区民政局",
            ("区住房城乡建委",),
            "为老旧楼栋加装扶手和照明，社区主要通道无障碍改造。",
            Step.CLOSING,
            "58",
            2100,
            "32个楼栋加装扶手和感应照明，主要通道完成无障碍改造，2100名老人出行更方便。",
        ),
    ),
    "永新镇": (
        T(
            "永新社区",
            "清溪河河道违法建筑拆除",
            "清溪河永新段河道内有违法建筑多处，汛期阻水，群众反映强烈。",
            "区水利局",
            ("区规划自然资源局", "区城市管理局"),
            "依法拆除河道内违法建筑，恢复行洪断面并复绿。",
            COMPLETED_STATE,
            "85",
            4000,
            "清溪河中违法建筑成功拆除，恢复行洪断面1.2公里，沿岸4000余名群众汛期不再担忧。",
        ),
        T(
            "梨园坝村",
            "梨园坝村清溪河岸生态修复",
            "违法建筑拆除后，梨园坝村段河岸裸露，水土流失，需要生态修复。",
            "区生态环境局",
            ("区水利局",),
            "实施河岸生态护坡和植被恢复，建设巡河步道。",
            Step.ON_SITE,
            "90",
            1500,
            "",
            stalled=True,
        ),
    ),
    "石角镇": (
        T(
            "新农村",
            "新农村峰峰茶产销对接",
            "新农村峰峰茶品质好但名气小，茶农采了茶卖不上价。",
            "区农业农村委",
            ("区商务委",),
            "帮助注册品牌、对接商超和直播平台，建设茶叶初制加工点。",
            COMPLETED_STATE,
            "40",
            900,
            "峰峰茶注册商标，委员乡村主播直播带货，全年茶叶销售额增长三成。",
        ),
        T(
            "桥坝村",
            "桥坝村农村饮水管网延伸",
            "桥坝村3个村民小组仍靠山泉水，枯水季节饮水困难。",
            "区水利局",
            (),
            "将集中供水管网延伸到3个村民小组。",
            Step.ASSIGNED,
            "70",
            1100,
            "",
        ),
    ),
    "东溪镇": (
        T(
            "东溪社区",
            "东溪场镇停车难问题整治",
            "东溪古镇游客增多，场镇停车位不足，赶场天车辆乱停、道路堵塞，“茶园夜话”上群众"
            "反映最多。",
            "区城市管理局",
            ("区公安局交巡警支队",),
            "新划停车位，错时开放机关停车场，规范赶场天交通秩序。",
            COMPLETED_STATE,
            "36",
            8000,
            "新划停车位60个，机关停车场错时开放，赶场天增设交通劝导员，场镇拥堵明显缓解。",
        ),
        T(
            "二居社区",
            "二居社区老旧小区院坝改造",
            "二居社区老旧小区院坝坑洼、无照明，居民在“茶园夜话”上多次反映。",
            "区住房城乡建委",
            (),
            "完成院坝硬化、照明和休闲设施改造。",
            COMPLETED_STATE,
            "64",
            1300,
            "5个院坝完成硬化和照明改造，增设休闲座椅和晾晒区，居民满意率98%。",
        ),
    ),
    "赶水镇": (
        T(
            "赶水社区",
            "赶水场镇生活垃圾清运提质",
            "赶水场镇垃圾清运不及时，夏季异味大，影响场镇环境。",
            "区城市管理局",
            (),
            "增加清运频次，新建垃圾中转站。",
            COMPLETED_STATE,
            "52",
            9000,
            "新建垃圾中转站1座，清运频次增加到每日两次，场镇环境明显改善。",
        ),
        T(
            "草坪村",
            "草坪村山洪沟治理",
            "草坪村山洪沟淤塞，去年汛期冲毁农田20余亩。",
            "区水利局",
            ("区规划自然资源局",),
            "疏浚山洪沟并修建护岸。",
            Step.REGISTERED,
            "110",
            700,
            "",
            units_ready=True,
        ),
    ),
    "打通镇": (
        T(
            "吹角村",
            "吹角村至场镇公交班次加密",
            "吹角村每天只有一班公交，村民赶场、学生上学不便。",
            "区交通局",
            (),
            "增开早晚班车，调整线路经过学校。",
            COMPLETED_STATE,
            "8",
            2400,
            "增开早晚班车各2班，线路延伸到打通中学门口。",
        ),
        T(
            "天星村",
            "天星村村道安全防护栏安装",
            "天星村村道临崖路段长，没有防护栏，去年发生两起车辆侧滑。",
            "区交通局",
            (),
            "在临崖路段安装波形防护栏并设置警示标志。",
            Step.PRE_MEETING,
            "45",
            1900,
            "",
        ),
    ),
    "石壕镇": (
        T(
            "红岩村",
            "红岩村红色旅游线路提升",
            "红岩村红色资源丰富，但步道、标识和停车设施不足，游客留不下来。",
            "区文化旅游委",
            ("区交通局",),
            "修缮红色旅游步道，完善标识和停车设施，培育农家乐。",
            COMPLETED_STATE,
            "150",
            2800,
            "修缮步道3公里，新建停车场1个，培育农家乐8家，接待游客同比增长四成。",
        ),
        T(
            "万隆村",
            "万隆村留守儿童关爱阵地建设",
            "万隆村留守儿童60余名，缺少课后看护和关爱阵地。",
            "区妇联",
            ("团区委",),
            "建设儿童之家，组织志愿者课后看护。",
            Step.REGISTERED,
            "15",
            60,
            "",
        ),
    ),
    "篆塘镇": (
        T(
            "通桥村",
            "通桥村河道清淤",
            "通桥村河道淤积严重，汛期漫堤淹没农田。",
            "区水利局",
            (),
            "清淤疏浚河道并加固堤岸。",
            COMPLETED_STATE,
            "60",
            1400,
            "清淤河道2.6公里，加固堤岸800米，汛期未再漫堤。",
        ),
        T(
            "堡堂村",
            "堡堂村生猪养殖污染治理",
            "堡堂村部分养殖户粪污直排，周边水体发黑发臭。",
            "区生态环境局",
            ("区农业农村委",),
            "建设粪污处理设施，推广种养循环。",
            Step.SUPERVISION,
            "80",
            1200,
            "",
            overdue=True,
        ),
    ),
    "丁山镇": (
        T(
            "狸狮村",
            "狸狮村大米品牌培育",
            "狸狮村大米口感好，但没有品牌和包装，卖不上价。",
            "区农业农村委",
            ("区市场监管局",),
            "注册地理标志商标，设计包装，开展直播带货。",
            COMPLETED_STATE,
            "30",
            1100,
            "狸狮村大米完成商标注册和包装设计，直播带货销售大米、红提、蓝莓等农产品43万元。",
        ),
        T(
            "丁山社区",
            "丁山湖景区停车场建设",
            "节假日丁山湖游客车辆沿路停放，堵塞场镇交通。",
            "区文化旅游委",
            ("区交通局",),
            "在景区入口建设生态停车场。",
            Step.CLOSING,
            "160",
            5000,
            "生态停车场建成，新增车位300个，节假日场镇交通恢复顺畅。",
            planned=True,
        ),
    ),
    "安稳镇": (
        T(
            "羊角村",
            "羊角村场镇路面整治",
            "羊角村场镇出入车多、集市人流大，路面破损坑洼，是群众集中反映的老大难问题。",
            "区交通局",
            ("区住房城乡建委",),
            "对施工范围、安全隐患进行排查，完成场镇路面整治。",
            COMPLETED_STATE,
            "210",
            5200,
            "区交通局完成场镇路面整治1.8公里，增设人行道和排水沟，赶场天通行顺畅。",
        ),
        T(
            "羊角村",
            "羊角村农贸市场选址建设",
            "场镇路面整治后，群众希望把占道集市搬进规范的农贸市场，市场选址成为新的焦点。",
            "区商务委",
            ("区市场监管局", "区规划自然资源局"),
            "确定农贸市场新址，完成规划和建设方案。",
            Step.ON_SITE,
            "260",
            6000,
            "",
        ),
    ),
    "扶欢镇": (
        T(
            "东城村",
            "东城村农产品直播销售平台建设",
            "东城村农产品分散销售，缺少统一的网络销售渠道。",
            "区商务委",
            ("区农业农村委",),
            "建设村级直播间，培训村民主播，对接电商平台。",
            COMPLETED_STATE,
            "22",
            700,
            "村级直播间建成，培训村民主播15名，全年线上销售农产品86万元。",
        ),
        T(
            "玉龙村",
            "玉龙村蓝莓产业冷链仓储建设",
            "玉龙村蓝莓鲜果期短，缺少冷库，采摘高峰压价严重。",
            "区农业农村委",
            ("区商务委",),
            "建设产地冷链仓储，延长蓝莓销售期。",
            Step.SUPERVISION,
            "95",
            800,
            "",
        ),
    ),
    "永城镇": (
        T(
            "中华村",
            "中华村高山蔬菜基地产销配套",
            "中华村高山蔬菜种植面积扩大，但缺少分拣场地，销路不稳。",
            "区农业农村委",
            ("区商务委",),
            "建设蔬菜分拣中心，与网络销售平台签订长期种销协议。",
            COMPLETED_STATE,
            "55",
            1000,
            "分拣中心投入使用，与网络销售平台签订长期种销协议，高山蔬菜发展到300余亩。",
        ),
        T(
            "大兴村",
            "大兴村卫生室标准化建设",
            "大兴村卫生室用房狭小、设备陈旧，村民看小病要到场镇。",
            "区卫生健康委",
            (),
            "新建标准化村卫生室，配备基本诊疗设备。",
            Step.PRE_MEETING,
            "35",
            2200,
            "",
            stalled=True,
        ),
    ),
    "中峰镇": (
        T(
            "天池村",
            "天池村路灯亮化",
            "天池村主干道没有路灯，村民夜间出行不安全。",
            "国网綦江供电公司",
            ("区城市管理局",),
            "在主干道和居民聚居点安装太阳能路灯。",
            COMPLETED_STATE,
            "26",
            1500,
            "安装太阳能路灯132盏，主干道和聚居点夜间全部亮化。",
        ),
        T(
            "大园村",
            "大园村入户便道硬化",
            "大园村散居农户入户路多为泥路，老人小孩雨天出行困难。",
            "区交通局",
            (),
            "硬化入户便道，优先解决老人和残疾人家庭。",
            Step.ASSIGNED,
            "40",
            900,
            "",
        ),
    ),
    "横山镇": (
        T(
            "茶园村",
            "茶园村避暑民宿规范提升",
            "横山避暑游客多，茶园村民宿无证经营、消防隐患多，服务参差不齐。",
            "区文化旅游委",
            ("区市场监管局",),
            "指导民宿办证，开展消防整改和服务培训。",
            Step.SUPERVISION,
            "30",
            600,
            "",
            stalled=True,
            overdue=True,
        ),
        T(
            "新木村",
            "新木村垃圾分类收运",
            "新木村游客增多后垃圾量大增，收运跟不上。",
            "区城市管理局",
            (),
            "配置分类垃圾桶，建立村级收运队伍。",
            Step.PROPOSED,
            "20",
            1300,
            "",
        ),
    ),
    "郭扶镇": (
        T(
            "高庙村",
            "高庙村方竹笋深加工项目落地",
            "高庙村方竹笋产量大，鲜笋集中上市价格低，村民希望引进深加工企业。",
            "区农业农村委",
            ("区市场监管局",),
            "协调厂房和用地，帮助企业办理食品生产许可。",
            COMPLETED_STATE,
            "180",
            1700,
            "方竹笋深加工企业投产，年加工鲜笋2000吨，带动农户增收310万元。",
        ),
        T(
            "酒店村",
            "酒店村集中供水工程",
            "酒店村部分村民小组饮用水源水质不稳定。",
            "区水利局",
            ("区卫生健康委",),
            "新建集中供水站，接入场镇管网。",
            COMPLETED_STATE,
            "98",
            2000,
            "集中供水站建成，水质检测全部达标，2000名村民喝上放心水。",
        ),
    ),
    "隆盛镇": (
        T(
            "紫荆村",
            "紫荆村饮水安全提升",
            "紫荆村水源地来水不足，旱季需拉水供应。",
            "区水利局",
            ("区卫生健康委",),
            "更换主管网并寻找新的水源。",
            COMPLETED_STATE,
            "45",
            1300,
            "主管网已更换，旱季缺水有所缓解；新水源工程因选址未定，纳入下年度计划。",
            solved=False,
        ),
        T(
            "永丰村",
            "永丰村文化广场建设",
            "永丰村没有村民活动场地，坝坝舞、村晚只能在公路边办。",
            "区文化旅游委",
            (),
            "利用闲置晒坝建设文化广场。",
            Step.PROPOSED,
            "25",
            1400,
            "",
        ),
    ),
}

# Meetings held in each step a matter went through (议前 about 2.5 times 现场, as seed 002's
# 79 to 31).
MEETINGS_PER_STEP = {
    Step.PRE_MEETING: (2, 2, 3, 3, 4),
    Step.ON_SITE: (1, 1, 1, 2),
    Step.SUPERVISION: (1, 1, 2),
    Step.CLOSING: (1,),
}
AGREED = {
    MeetingKind.PRE_MEETING: (
        "委员入户走访，收集群众意见建议{n}条，形成“{title}”问题清单。",
        "邀请{lead}踏勘现场，对实施范围、安全隐患进行排查，明确需要协调的问题。",
        "召开院坝会听取村民代表意见，多数群众赞成实施，提出的施工时间等意见纳入方案。",
        "委员党小组研究议前调研情况，确定现场协商的议题和参加单位。",
    ),
    MeetingKind.ON_SITE: (
        "{lead}现场答复群众关切，明确“{title}”的实施方案和时间表。",
        "各方就资金筹措、施工组织达成一致，由{lead}牵头推进，镇街做好群众工作。",
    ),
    MeetingKind.SUPERVISION: (
        "{lead}通报办理进展，委员对照时间表逐项督办，群众代表认可进度。",
        "针对进度滞后的问题，商定增加施工班组，{lead}每半月报送一次进展。",
    ),
    MeetingKind.CLOSING: (
        "“{title}”完成协商办理，群众满意；后续管护纳入村规民约，委员工作室定期回访。",
    ),
}
TASKS = {
    MeetingKind.PRE_MEETING: ("汇总群众意见，形成问题清单", None),
    MeetingKind.ON_SITE: ("制定实施方案并报镇街备案", "lead"),
    MeetingKind.SUPERVISION: ("按期报送办理进展", "lead"),
    MeetingKind.CLOSING: ("组织群众满意度回访", None),
}
OFFICIALS = {
    MeetingKind.PRE_MEETING: (2, 6),
    MeetingKind.ON_SITE: (5, 12),
    MeetingKind.SUPERVISION: (3, 8),
    MeetingKind.CLOSING: (4, 10),
    MeetingKind.REGULAR: (5, 10),
    MeetingKind.MICRO: (1, 3),
}
RESIDENTS = {
    MeetingKind.PRE_MEETING: (10, 40),
    MeetingKind.ON_SITE: (20, 80),
    MeetingKind.SUPERVISION: (5, 20),
    MeetingKind.CLOSING: (10, 30),
    MeetingKind.REGULAR: (0, 5),
    MeetingKind.MICRO: (8, 30),
}
MICRO_TOPICS = (
    "小区楼道照明维修",
    "村道错车道设置",
    "集中居住点污水处理",
    "农家书屋开放时间",
    "广场舞噪音扰民",
    "小区电动车充电桩安装",
    "赶场天临时摊位管理",
    "公共晒坝使用安排",
)


def load(log: Callable[[str], None]) -> None:
    clerk = User.objects.filter(username=CLERK, is_active=True).first()
    if clerk is None:
        log("一镇一事：未找到演示账号 office，请先载入演示账号")
        return
    units = {u.name: u for u in HandlingUnit.objects.all()}
    wanted = {n for pair in TOPICS.values() for t in pair for n in (t.lead, *t.assisting)}
    if wanted - set(units):
        log(f"一镇一事：缺少承办单位 {'、'.join(sorted(wanted - set(units)))}，请先载入承办单位")
        return
    today = timezone.localdate()
    matters = meetings = 0
    for town in Town.objects.filter(name__in=TOPICS).order_by("order"):
        members = list(selectors.candidate_attendees(town.pk).values_list("pk", flat=True))
        if not members:
            continue
        for offset, topic in zip((1, 0), TOPICS[town.name], strict=True):
            year = today.year - offset
            rng = random.Random(f"{SEED}-{town.name}-{year}")
            with transaction.atomic():
                if not Matter.objects.filter(town=town, year=year, is_annual_topic=True).exists():
                    walk = _Walk(rng, town, year, topic, members, units, clerk, today)
                    walk.run()
                    meetings += walk.meetings
                    matters += 1
            with transaction.atomic():
                meetings += _town_meetings(rng, town, year, members, clerk, today)
    log(f"一镇一事议题新增 {matters} 个，协商会议新增 {meetings} 场")


# --- one matter through its steps --------------------------------------------------------------


# How long each step takes, relatively: the departments act during 督办协商, the residents are
# heard during 议前协商; registering and assigning are office work of days.
STEP_WEIGHT = {
    Step.PROPOSED: 1.0,
    Step.REGISTERED: 1.5,
    Step.ASSIGNED: 0.8,
    Step.PRE_MEETING: 4.0,
    Step.ON_SITE: 2.0,
    Step.SUPERVISION: 5.0,
    Step.CLOSING: 1.5,
}


def _timeline(rng, year: int, topic: Topic, today: datetime.date) -> list[datetime.date]:
    """The day the matter was proposed, then the day of each move it makes (register, assign,
    … complete): strictly increasing, all before today."""
    moves = len(STEPS) if topic.target == COMPLETED_STATE else step_index(topic.target)
    if year < today.year:
        start = datetime.date(year, 1, 6) + datetime.timedelta(days=rng.randint(0, 45))
        if topic.target == COMPLETED_STATE:
            end = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 110))
        else:
            end = datetime.date(year, 8, 1) + datetime.timedelta(days=rng.randint(0, 40))
    else:
        # Early in January the year so far is too short: the topics were then chosen in the
        # autumn before, as seed 000's 古南 discussed next year's plan in November.
        start = min(datetime.date(year, 1, 6), today - datetime.timedelta(days=120))
        start += datetime.timedelta(days=rng.randint(0, 20))
        days_ago = rng.randint(36, 45) if topic.stalled else rng.randint(3, 20)
        end = today - datetime.timedelta(days=days_ago)
        # Matters still near the start were proposed late; the others took the year.
        start = max(start, end - datetime.timedelta(days=moves * rng.randint(25, 40)))
    end = min(end, today - datetime.timedelta(days=1))
    if moves == 0:
        return [end]
    start = min(start, end - datetime.timedelta(days=moves))
    weights = [STEP_WEIGHT[step] * rng.uniform(0.7, 1.3) for step in STEPS[:moves]]
    span, total, run = (end - start).days, sum(weights), 0.0
    days = [start]
    for weight in weights[:-1]:
        run += weight
        # At least a day after the previous move, and room left for the moves still to come.
        offset = max(round(span * run / total), (days[-1] - start).days + 1)
        days.append(start + datetime.timedelta(days=min(offset, span - (moves - len(days)))))
    return [*days, end]


def _spread(rng, first: datetime.date, last: datetime.date, n: int) -> list[datetime.date]:
    """n meeting days from `first` to `last`, the last of them on `last` (the day the matter
    leaves the step, so the guard had its meeting)."""
    span = (last - first).days
    others = sorted(rng.randint(0, span) for _ in range(n - 1))
    return [first + datetime.timedelta(days=d) for d in others] + [last]


def _attendance(rng, members: list[int], proposers: list[int]) -> dict[int, str]:
    """Most of the town studio, the proposers always among them; mostly present."""
    size = rng.randint(min(4, len(members)), len(members))
    chosen = set(rng.sample(members, k=size)) | set(proposers)
    result = {}
    for pk in sorted(chosen):
        r = rng.random()
        result[pk] = (
            Attendance.PRESENT if r < 0.85 else Attendance.LEAVE if r < 0.95 else Attendance.ABSENT
        )
    return result


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class _Walk:
    """One town's annual matter of one year, taken through the workflow to where TOPICS leaves
    it, its meetings recorded on the way."""

    def __init__(self, rng, town, year, topic: Topic, members, units, clerk, today):
        self.rng, self.town, self.year, self.topic = rng, town, year, topic
        self.members, self.clerk, self.today = members, clerk, today
        self.lead = units[topic.lead]
        self.assisting = [units[name] for name in topic.assisting]
        self.days = _timeline(rng, year, topic, today)
        self.proposers = rng.sample(members, k=min(2, len(members)))
        officer = town.united_front_officer_id
        if officer in members and officer not in self.proposers:
            # Seed 000: the studio's Party group, led by the United Front officer, puts it forward.
            self.proposers[0] = officer
        self.meetings = 0
        self.seen: dict[str, int] = {}

    def run(self) -> Matter:
        from members.models import Member

        topic = self.topic
        self.matter = services.create_matter(
            self.town,
            {
                "title": topic.title,
                "background": topic.background,
                "year": self.year,
                "is_annual_topic": True,
            },
            Member.objects.filter(pk__in=self.proposers).order_by("pk"),
            by=self.clerk,
        )
        days = self.days
        for i in range(len(days) - 1):
            step, entered, leaves = STEPS[i], days[i], days[i + 1]
            if step == Step.PROPOSED:
                workflow.matter_register(self.matter, by=self.clerk, registered_on=leaves)
                continue
            if step == Step.REGISTERED:
                self.assign(on=leaves)
                workflow.matter_assign(self.matter, by=self.clerk)
                continue
            if step in MEETINGS_PER_STEP:
                for day in _spread(
                    self.rng, entered, leaves, self.rng.choice(MEETINGS_PER_STEP[step])
                ):
                    self.meeting(step, day)
            if step == Step.CLOSING:
                self.outcome()
            workflow.matter_advance(self.matter, by=self.clerk)
        if topic.target != COMPLETED_STATE:
            self.where_it_stands()
        self.backdate()
        return self.matter

    def assign(self, on: datetime.date) -> None:
        topic, today = self.topic, self.today
        if topic.overdue:
            deadline = (
                today - datetime.timedelta(days=self.rng.randint(8, 20))
                if self.year == today.year
                else datetime.date(self.year, 11, 30)
            )
        elif topic.target == COMPLETED_STATE:
            deadline = self.days[-1] + datetime.timedelta(days=self.rng.randint(10, 40))
        else:
            deadline = max(on + datetime.timedelta(days=150), today + datetime.timedelta(days=30))
            deadline += datetime.timedelta(days=self.rng.randint(0, 60))
        services.set_assignment(
            self.matter,
            lead_unit=self.lead,
            assisting_units=self.assisting,
            task=topic.task,
            deadline=max(deadline, on),
            assigned_on=on,
            by=self.clerk,
        )

    def meeting(self, kind: str, day: datetime.date, planned: bool = False) -> None:
        """A step meeting; a planned one (in the coming weeks) has no attendance or result yet."""
        rng, topic = self.rng, self.topic
        office = "村委会" if topic.village.endswith("村") else "居委会"
        place = {
            MeetingKind.PRE_MEETING: f"{topic.village}{office}",
            MeetingKind.ON_SITE: f"{topic.village}现场",
            MeetingKind.SUPERVISION: f"{self.town.name}便民服务中心",
            MeetingKind.CLOSING: f"{self.town.name}政协工作办公室",
        }[kind]
        data = {"kind": kind, "date": day, "place": place}
        attendance, tasks = {}, []
        if not planned:
            lo, hi = OFFICIALS[kind]
            rlo, rhi = RESIDENTS[kind]
            # Successive meetings of a step did not agree the same thing.
            texts = AGREED[kind]
            text = texts[self.seen.setdefault(kind, rng.randrange(len(texts))) % len(texts)]
            self.seen[kind] += 1
            data |= {
                "officials_count": rng.randint(lo, hi),
                "residents_count": rng.randint(rlo, rhi),
                "agreed": text.format(n=rng.randint(8, 30), title=topic.title, lead=self.lead),
            }
            attendance = _attendance(rng, self.members, self.proposers)
            tasks = self.tasks(kind, day)
        services.record_meeting(
            data,
            matter=self.matter,
            attendance=attendance,
            # The lead unit investigates with the members; everyone comes to the later meetings.
            units=[self.lead] if kind == MeetingKind.PRE_MEETING else [self.lead, *self.assisting],
            tasks=tasks,
            by=self.clerk,
        )
        self.meetings += 1

    def tasks(self, kind: str, day: datetime.date) -> list[dict]:
        rng = self.rng
        description, by_unit = TASKS[kind]
        rows = [{"description": description, "unit": self.lead if by_unit else None}]
        if rng.random() < 0.4:
            rows.append({"description": "委员跟踪回访，收集群众反映"})
        for row in rows:
            if row.get("unit") is None:
                row["owner"] = f"{self.town.name}委员工作室"
            row["due_on"] = day + datetime.timedelta(days=rng.randint(10, 40))
            if row["due_on"] <= self.today and rng.random() < 0.85:
                row["done_on"] = max(day, row["due_on"] - datetime.timedelta(rng.randint(0, 7)))
        return rows

    def outcome(self) -> None:
        topic = self.topic
        services.set_outcome(
            self.matter,
            {
                "funds_wan": Decimal(topic.funds_wan),
                "beneficiaries": topic.beneficiaries,
                "solved": topic.solved,
                "result_summary": topic.summary,
            },
            by=self.clerk,
        )

    def where_it_stands(self) -> None:
        """What happened in the step the matter is left in: the assignment recorded ahead of
        the move, meetings already held (none when it is stalled waiting for its on-site
        meeting, or when the next one is only planned), the outcome at 总结协商."""
        topic, step, entered = self.topic, self.topic.target, self.days[-1]
        if step == Step.REGISTERED and topic.units_ready:
            self.assign(on=min(entered + datetime.timedelta(days=7), self.today))
        if step not in MEETINGS_PER_STEP:
            return
        waiting = topic.stalled and step == Step.ON_SITE
        if not waiting and not (topic.planned and step == Step.CLOSING):
            n = 1 if topic.stalled or step == Step.CLOSING else self.rng.randint(1, 2)
            last = max(entered, self.today - datetime.timedelta(days=3))
            for day in _spread(self.rng, entered, last, n):
                self.meeting(step, day)
            if step == Step.CLOSING:
                self.outcome()
        if topic.planned:
            self.meeting(step, self.today + datetime.timedelta(days=self.rng.randint(5, 20)), True)

    def backdate(self) -> None:
        """The demo builds a year of work in seconds, so every move was stamped just now and
        the board's days in step, the stall flag and the history would all read "today". Each
        move's time is set back to the day the demo says it happened. Only times change: the
        step, the status and the order of the moves are what the workflow left. (The matter's
        creation and completion times go back with them, or its page would date 委员提案 and
        办结 today.)"""
        matter, days = self.matter, self.days
        # The matter page dates 委员提案 by the record's creation.
        Matter.objects.filter(pk=matter.pk).update(created_at=_at(days[0], 10))
        ct = ContentType.objects.get_for_model(Matter)
        moves = Transition.objects.filter(content_type=ct, object_id=str(matter.pk)).order_by("id")
        times = [_at(day, self.rng.randint(9, 17)) for day in days[1:]]
        for pk, at in zip(moves.values_list("pk", flat=True), times, strict=True):
            Transition.objects.filter(pk=pk).update(at=at)
        if self.topic.target == COMPLETED_STATE:
            # Entering 总结协商 began the current step; completing was the last move, and the
            # matter page shows its time as 办结时间.
            Matter.objects.filter(pk=matter.pk).update(
                step_entered_at=times[-2], completed_at=times[-1]
            )
        else:
            entered = times[-1] if times else _at(days[0], 10)
            Matter.objects.filter(pk=matter.pk).update(step_entered_at=entered)


# --- the town's meetings outside a matter's steps ----------------------------------------------


def _town_meetings(rng, town, year, members, clerk, today) -> int:
    """Quarterly 协商工作例会 and two or three 小微协商 in the villages' consultation rooms,
    held before today."""
    outside = ConsultationMeeting.objects.filter(town=town, matter__isnull=True, date__year=year)
    if outside.exists():
        return 0
    rooms = list(
        Village.objects.filter(town=town, has_consultation_room=True).values_list("name", flat=True)
    ) or [town.name]
    annual = Matter.objects.filter(town=town, year=year, is_annual_topic=True).first()
    days = [
        (MeetingKind.REGULAR, datetime.date(year, month, rng.randint(10, 28)))
        for month in (3, 6, 9, 12)
    ]
    days += [
        (MeetingKind.MICRO, datetime.date(year, rng.randint(2, 11), rng.randint(1, 28)))
        for _ in range(rng.randint(2, 3))
    ]
    made = 0
    for kind, day in sorted(days, key=lambda kd: kd[1]):
        if day >= today:
            continue
        lo, hi = OFFICIALS[kind]
        rlo, rhi = RESIDENTS[kind]
        if kind == MeetingKind.REGULAR:
            quarter = (day.month - 1) // 3 + 1
            topic = f"第{quarter}季度协商工作例会"
            place = f"{town.name}政协工作办公室"
            agreed = (
                f"通报“{annual.title}”推进情况，研究解决遇到的困难，安排下阶段协商工作。"
                if annual
                else "梳理本季度群众反映的问题，确定下阶段协商议题。"
            )
        else:
            room = rng.choice(rooms)
            topic = rng.choice(MICRO_TOPICS)
            place = f"{room}协商议事室"
            agreed = f"围绕{topic}与居民代表协商，形成处理意见，由村（居）委会落实。"
        tasks = []
        if rng.random() < 0.5:
            due = day + datetime.timedelta(days=rng.randint(10, 30))
            tasks.append(
                {
                    "description": "落实协商意见并向群众反馈",
                    "owner": f"{town.name}政协工作办公室",
                    "due_on": due,
                    "done_on": due if due <= today else None,
                }
            )
        services.record_meeting(
            {
                "kind": kind,
                "topic": topic,
                "date": day,
                "place": place,
                "officials_count": rng.randint(lo, hi),
                "residents_count": rng.randint(rlo, rhi),
                "agreed": agreed,
            },
            town=town,
            attendance=_attendance(rng, members, []),
            tasks=tasks,
            by=clerk,
        )
        made += 1
    return made
