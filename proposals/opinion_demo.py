"""The demo county's public-opinion reports (社情民意信息): a year of them.

Called by the demo command as proposals.opinion_demo.load(log), after the studios and the demo
logins (it records as the office clerk's login `office`). About 80 reports from the members of
the town studios (and a few from information officers alone), about the livelihood matters the
seeds describe; every one walked through proposals.opinion_workflow as the clerk would: edited,
forwarded to the city CPPCC, and then about three in ten adopted at 区, some of those at 市 and
a couple at 省, a few with a leader's instruction (seed 004: 全国政协采用3条，市领导批示3条),
the others not adopted; the latest ones still waiting. The `member` login's own reports are
among them, so its portal shows what became of each.

Dates are relative to today; each move's Transition time is set back to the day it happened.
Idempotent: a report is made only while no report has its title. Deterministic (Random(SEED)).
"""

import datetime
import random
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cppcc.models import Transition, User
from studios.models import Studio, StudioKind, StudioMembership

from . import opinion_workflow as workflow
from .models import AdoptionLevel, OpinionReport, OpinionStatus

SEED = 2026
CLERK = "office"
COUNT = 80

# (title pattern, situation, suggestion): {town} is the town the report comes from.
TOPICS = [
    (
        "关于{town}老旧小区加装电梯推进缓慢的建议",
        "{town}建成于上世纪九十年代的老旧小区多为六至七层，老年住户占比高，上下楼困难。居民加装"
        "电梯意愿强烈，但因低层住户意见不一、费用分摊难以协商，已申报的项目进展缓慢。",
        "一是由街道、社区牵头搭建协商平台，推广“一梯一策”费用分摊办法；二是简化审批流程，推行"
        "联合审批；三是对低层住户采光、噪音影响给予合理补偿。",
    ),
    (
        "关于解决{town}农村饮水安全问题的建议",
        "{town}部分高山村组仍依靠山泉水、小水窖供水，枯水期常出现断水，水质检测不达标的情况时有"
        "发生，群众反映强烈。",
        "建议将高山村组供水纳入城乡供水一体化规划，分批实施管网延伸；枯水期建立应急送水机制；"
        "定期开展水质检测并公开结果。",
    ),
    (
        "关于{town}场镇停车难问题的建议",
        "{town}场镇道路狭窄，逢场天车辆乱停乱放，堵车严重，既影响通行也存在安全隐患。",
        "一是利用闲置地块建设临时停车场；二是逢场天实行交通管制和错峰通行；三是增设停车指引标识，"
        "加强劝导和执法。",
    ),
    (
        "关于加强{town}留守儿童关爱服务的建议",
        "{town}外出务工人员较多，留守儿童缺乏课后看护和心理关爱，部分儿童沉迷手机游戏。",
        "建议依托村（社区）党群服务中心开设“四点半课堂”，组织志愿者和退休教师开展课后辅导；"
        "建立留守儿童心理健康档案，定期开展关爱活动。",
    ),
    (
        "关于{town}农村生活垃圾收运不及时的建议",
        "{town}部分村组垃圾收集点设置不足，收运频次低，夏季垃圾堆积、异味明显，群众意见较大。",
        "建议优化收集点布局，增加收运频次，推行垃圾分类积分兑换；将收运情况纳入村级考核。",
    ),
    (
        "关于改善{town}乡村道路安全设施的建议",
        "{town}部分村道弯急坡陡，缺少护栏、警示标志和夜间照明，近年发生多起交通事故。",
        "建议开展村道安全隐患排查，对急弯陡坡路段增设护栏、减速带和警示标志；实施“亮化工程”。",
    ),
    (
        "关于提升{town}基层医疗服务能力的建议",
        "{town}卫生院医技人员不足，影像、检验设备陈旧，群众常需到城区就医，看病成本增加。",
        "建议推进医共体建设，城区医院定期派驻专家坐诊；更新卫生院基本设备；落实基层医务人员"
        "待遇保障，稳定队伍。",
    ),
    (
        "关于{town}农产品销售渠道不畅的建议",
        "{town}特色农产品品质好，但销售主要靠商贩上门收购，价格压得低，遇丰收年份滞销明显。",
        "建议搭建农产品电商服务站，开展直播带货培训；推动农产品进机关、进学校、进企业食堂；"
        "培育本地农产品区域公用品牌。",
    ),
    (
        "关于{town}养老服务设施不足的建议",
        "{town}60岁以上老人占常住人口三成以上，现有养老服务中心床位少、服务单一，失能老人照护"
        "压力大。",
        "建议建设社区嵌入式养老服务站，发展助餐、助浴、助医服务；引导社会力量参与，完善运营补贴。",
    ),
    (
        "关于规范{town}占道经营的建议",
        "{town}主街早晚时段占道经营现象突出，影响行人和车辆通行，油烟和噪音扰民。",
        "建议划定临时摊点区域，实行定时定点经营；加强巡查，推行“门前三包”责任制。",
    ),
    (
        "关于加快{town}农村危旧房改造的建议",
        "{town}仍有部分独居老人、困难家庭居住在年久失修的土坯房中，雨季存在安全隐患。",
        "建议开展全面排查，建立动态台账；整合危房改造资金，优先保障特困群体；对改造质量加强监管。",
    ),
    (
        "关于{town}小学上下学交通安全隐患的建议",
        "{town}小学门口紧邻主干道，上下学时段接送车辆拥堵，学生过马路存在安全风险。",
        "建议在学校周边设置护学岗和接送区，增设人行横道信号灯；错峰放学，倡导步行接送。",
    ),
    (
        "关于{town}河道垃圾和污水直排问题的建议",
        "{town}境内河道部分段落漂浮垃圾较多，沿河个别餐馆、养殖户污水直排，水质下降。",
        "建议落实河长制巡河责任，开展沿河排污口排查整治；完善场镇污水管网，鼓励“委员河长”参与监督。",
    ),
    (
        "关于{town}农村电商物流“最后一公里”的建议",
        "{town}快递只到场镇，村民取件需往返十余公里，农产品寄出成本高。",
        "建议整合邮政、快递资源，在村级便民服务点设立共配站点；对偏远村组给予物流补贴。",
    ),
    (
        "关于{town}高龄老人就医陪诊难的建议",
        "{town}子女外出务工的高龄老人看病无人陪同，挂号、缴费、取药等环节操作困难。",
        "建议卫生院开设老年人绿色通道，推广志愿陪诊服务；保留人工窗口和现金支付方式。",
    ),
    (
        "关于{town}农贸市场提档升级的建议",
        "{town}农贸市场建成时间长，设施老化，排水不畅，雨天地面湿滑，卫生状况差。",
        "建议将农贸市场改造纳入年度民生实事，实施排水、照明、分区改造，建立长效管理机制。",
    ),
]

# Where adopted reports were printed and which leaders instructed, per level (seed 004).
SOURCES = {
    AdoptionLevel.DISTRICT: "区政协《社情民意》第{n}期",
    AdoptionLevel.CITY: "市政协《社情民意》第{n}期",
    AdoptionLevel.PROVINCE: "重庆市政协《信息专报》第{n}期",
    AdoptionLevel.NATIONAL: "全国政协《社情民意信息》第{n}期",
}
LEADERS = {
    AdoptionLevel.DISTRICT: ["区委书记", "区长", "常务副区长"],
    AdoptionLevel.CITY: ["市政府副市长", "市政协副主席"],
}
INSTRUCTIONS = [
    "请相关部门认真研究，提出具体解决措施，限期反馈。",
    "所提问题具有普遍性，请区住房城乡建委会同属地镇街研究落实。",
    "此建议很好，请相关部门吸纳，纳入明年民生实事统筹考虑。",
    "请区农业农村委牵头调研，形成专题报告。",
]
REJECT_REASONS = [
    "相关部门已在推进，暂不采用",
    "内容与已采用信息重复",
    "问题具有局部性，转交属地镇街办理",
    "建议针对性不足，退回完善",
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _authors() -> list[tuple[Studio, list]]:
    """For each town studio: the studio and its current members (the pool of authors)."""
    rows = (
        StudioMembership.objects.current()
        .filter(studio__kind=StudioKind.TOWN)
        .select_related("studio__town", "member")
        .order_by("studio__town__order", "studio_id", "member_id")
    )
    pools: dict[int, tuple[Studio, list]] = {}
    for row in rows:
        pools.setdefault(row.studio_id, (row.studio, []))[1].append(row.member)
    return list(pools.values())


def _backdate(report: OpinionReport, days: list[datetime.date], rng: random.Random) -> None:
    """The demo makes a year of reports in seconds: each move's time goes back to its day."""
    ct = ContentType.objects.get_for_model(OpinionReport)
    moves = Transition.objects.filter(content_type=ct, object_id=str(report.pk)).order_by("id")
    for pk, day in zip(moves.values_list("pk", flat=True), days, strict=False):
        Transition.objects.filter(pk=pk).update(at=_at(day, rng.randint(9, 17)))
    OpinionReport.objects.filter(pk=report.pk).update(created_at=_at(days[0], 9))


def _walk(report, clerk, rng, today, n, issue) -> str:
    """Takes one report as far as its age and luck allow; returns where it ended."""
    days = [report.submitted_on]
    age = (today - report.submitted_on).days
    if age < 4 or n % 10 == 0:
        _backdate(report, days, rng)
        return "submitted"
    edited_on = report.submitted_on + datetime.timedelta(days=rng.randint(1, 3))
    workflow.report_edit(
        report,
        by=clerk,
        edited_title=report.title.replace("关于", "").replace("的建议", "亟待解决"),
        edited_text=f"{report.situation}\n\n建议：{report.suggestion}",
    )
    days.append(edited_on)
    if age < 10 or n % 10 == 1:
        _backdate(report, days, rng)
        return "edited"
    forwarded_on = edited_on + datetime.timedelta(days=rng.randint(1, 4))
    workflow.report_forward(
        report,
        by=clerk,
        forwarded_to="区政协信息中心、市政协办公厅（信息处）",
        forwarded_on=forwarded_on,
    )
    days.append(forwarded_on)
    if age < 30 or n % 10 == 2:
        _backdate(report, days, rng)
        return "forwarded"
    # About three in ten adopted at 区; some of those at 市, a couple at 省.
    if n % 10 in (3, 4, 5):
        day = forwarded_on + datetime.timedelta(days=rng.randint(5, 15))
        workflow.report_adopt(
            report,
            by=clerk,
            level=AdoptionLevel.DISTRICT,
            source=SOURCES[AdoptionLevel.DISTRICT].format(n=issue["district"]),
            adopted_on=day,
        )
        issue["district"] += 1
        days.append(day)
        if n % 10 == 3 and age > 60:
            day += datetime.timedelta(days=rng.randint(10, 25))
            workflow.report_adopt(
                report,
                by=clerk,
                level=AdoptionLevel.CITY,
                source=SOURCES[AdoptionLevel.CITY].format(n=issue["city"]),
                adopted_on=day,
            )
            issue["city"] += 1
            days.append(day)
            if issue["province"] <= 2 and age > 120:
                day += datetime.timedelta(days=rng.randint(10, 30))
                workflow.report_adopt(
                    report,
                    by=clerk,
                    level=AdoptionLevel.PROVINCE,
                    source=SOURCES[AdoptionLevel.PROVINCE].format(n=issue["province"] + 20),
                    adopted_on=day,
                )
                issue["province"] += 1
                days.append(day)
        if n % 20 in (3, 14):
            city = report.adoptions.filter(level=AdoptionLevel.CITY).exists()
            level = AdoptionLevel.CITY if city else AdoptionLevel.DISTRICT
            day += datetime.timedelta(days=rng.randint(3, 10))
            workflow.instruction_add(
                report,
                by=clerk,
                level=level,
                leader=rng.choice(LEADERS[level]),
                text=rng.choice(INSTRUCTIONS),
                instructed_on=min(day, today),
            )
            days.append(min(day, today))
        _backdate(report, days, rng)
        return "adopted"
    workflow.report_reject(report, by=clerk, reason=rng.choice(REJECT_REASONS))
    days.append(forwarded_on + datetime.timedelta(days=rng.randint(7, 20)))
    _backdate(report, days, rng)
    return "not_adopted"


def load(log: Callable[[str], None]) -> None:
    clerk = User.objects.filter(username=CLERK, is_active=True).first()
    if clerk is None:
        log("社情民意：未找到演示账号 office，请先载入演示账号")
        return
    rng = random.Random(SEED)
    pools = _authors()
    if not pools:
        log("社情民意：没有镇街工作室委员，请先载入工作室")
        return
    member_login = User.objects.filter(username="member").select_related("member").first()
    today = timezone.localdate()
    issue = {"district": 1, "city": 12, "province": 1}
    made = 0
    outcomes: dict[str, int] = {}
    for n in range(COUNT):
        studio, pool = pools[n % len(pools)]
        title, situation, suggestion = TOPICS[(n * 7) % len(TOPICS)]
        town = studio.town.name if studio.town_id else ""
        title = title.format(town=town)
        # Spread over the past year, oldest first, so issue numbers grow with the dates.
        submitted_on = today - datetime.timedelta(days=365 - n * 364 // COUNT)
        # Whether it exists is decided before drawing, so a rerun draws the same numbers.
        authors = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 1, 2, 3))))
        officer = "" if n % 9 else rng.choice(["王晓燕（信息员）", "陈建（特邀信息专员）"])
        if n % 17 == 5:
            authors = []  # an information officer's report alone
            officer = "刘明（信息员）"
        if member_login and member_login.member_id and n % 16 == 3:
            # The `member` login's own reports, so its portal shows what became of them.
            authors = [member_login.member]
            own = StudioMembership.objects.current().filter(member=member_login.member).first()
            studio = own.studio if own else studio
        if OpinionReport.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            report = workflow.report_submit(
                by=clerk,
                title=title,
                situation=situation.format(town=town),
                suggestion=suggestion,
                members=authors,
                officer_names=officer,
                studio=studio,
                submitted_on=submitted_on,
            )
            state = _walk(report, clerk, rng, today, n, issue)
        outcomes[state] = outcomes.get(state, 0) + 1
        made += 1
    log(
        f"社情民意信息新增 {made} 条，共 {OpinionReport.objects.count()} 条"
        + (
            f"（{'、'.join(f'{OpinionStatus(k).label} {v}' for k, v in sorted(outcomes.items()))}）"
            if outcomes
            else ""
        )
    )
