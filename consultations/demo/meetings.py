"""The demo's consultation meetings: each step meeting of a matter (with the town studio's
members, the units, officials, residents, what was agreed and follow-up tasks), the towns'
quarterly 协商工作例会 and 小微协商, and a few meetings' photos."""

import datetime
import io

from django.core.files.base import ContentFile

from studios.models import Attendance, Village
from studios.services import attach_files

from .. import services
from ..models import ConsultationMeeting, Matter, MeetingKind, Step

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


def spread(rng, first: datetime.date, last: datetime.date, n: int) -> list[datetime.date]:
    """n meeting days from `first` to `last`, the last of them on `last` (the day the matter
    leaves the step, so the guard had its meeting)."""
    span = (last - first).days
    others = sorted(rng.randint(0, span) for _ in range(n - 1))
    return [first + datetime.timedelta(days=d) for d in others] + [last]


def attendance_marks(rng, members: list[int], proposers: list[int]) -> dict[int, str]:
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


def step_meeting(walk, kind: str, day: datetime.date, planned: bool = False) -> None:
    """A step meeting; a planned one (in the coming weeks) has no attendance or result yet."""
    rng, topic = walk.rng, walk.topic
    office = "村委会" if topic.village.endswith("村") else "居委会"
    place = {
        MeetingKind.PRE_MEETING: f"{topic.village}{office}",
        MeetingKind.ON_SITE: f"{topic.village}现场",
        MeetingKind.SUPERVISION: f"{walk.town.name}便民服务中心",
        MeetingKind.CLOSING: f"{walk.town.name}政协工作办公室",
    }[kind]
    data = {"kind": kind, "date": day, "place": place}
    attendance, tasks = {}, []
    if not planned:
        lo, hi = OFFICIALS[kind]
        rlo, rhi = RESIDENTS[kind]
        # Successive meetings of a step did not agree the same thing.
        texts = AGREED[kind]
        text = texts[walk.seen.setdefault(kind, rng.randrange(len(texts))) % len(texts)]
        walk.seen[kind] += 1
        data |= {
            "officials_count": rng.randint(lo, hi),
            "residents_count": rng.randint(rlo, rhi),
            "agreed": text.format(n=rng.randint(8, 30), title=topic.title, lead=walk.lead),
        }
        attendance = attendance_marks(rng, walk.members, walk.proposers)
        tasks = step_tasks(walk, kind, day)
    services.record_meeting(
        data,
        matter=walk.matter,
        attendance=attendance,
        # The lead unit investigates with the members; everyone comes to the later meetings.
        units=[walk.lead] if kind == MeetingKind.PRE_MEETING else [walk.lead, *walk.assisting],
        tasks=tasks,
        by=walk.clerk,
    )
    walk.meetings += 1


def step_tasks(walk, kind: str, day: datetime.date) -> list[dict]:
    rng = walk.rng
    description, by_unit = TASKS[kind]
    rows = [{"description": description, "unit": walk.lead if by_unit else None}]
    if rng.random() < 0.4:
        rows.append({"description": "委员跟踪回访，收集群众反映"})
    for row in rows:
        if row.get("unit") is None:
            row["owner"] = f"{walk.town.name}委员工作室"
        row["due_on"] = day + datetime.timedelta(days=rng.randint(10, 40))
        if row["due_on"] <= walk.today and rng.random() < 0.85:
            row["done_on"] = max(day, row["due_on"] - datetime.timedelta(rng.randint(0, 7)))
    return rows


def town_meetings(rng, town, year, members, clerk, today) -> int:
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
            attendance=attendance_marks(rng, members, []),
            tasks=tasks,
            by=clerk,
        )
        made += 1
    return made


# --- photos ------------------------------------------------------------------------------------

# (town, how many of its matters' latest held on-site or pre-meeting consultations get photos)
PHOTO_TOWNS = ("古南街道", "东溪镇", "三江街道")
PHOTO_SHOTS = ("现场", "群众发言", "合影")


def _jpeg(rng, width: int = 480, height: int = 320) -> bytes:
    """A small photo-like JPEG: sky, ground and a few blocks of colour (no font needed)."""
    from PIL import Image, ImageDraw

    sky = (rng.randint(150, 200), rng.randint(190, 225), rng.randint(225, 255))
    ground = (rng.randint(70, 120), rng.randint(120, 170), rng.randint(60, 100))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(height // 2, height * 2 // 3)
    draw.rectangle((0, horizon, width, height), fill=ground)
    for _ in range(rng.randint(3, 6)):
        x, w, h = rng.randint(0, width - 60), rng.randint(30, 90), rng.randint(30, 110)
        colour = tuple(rng.randint(60, 230) for _ in range(3))
        draw.rectangle((x, horizon - h, x + w, horizon), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def attach_photos(rng, today: datetime.date) -> int:
    """Photos of a few matters' latest held meetings, named in Chinese as a clerk's camera roll
    would be after renaming (荷塘养虾基地现场协商-现场.jpg). A meeting that already has files is
    left alone, so a second run adds nothing."""
    made = 0
    kinds = (MeetingKind.ON_SITE, MeetingKind.PRE_MEETING)
    for matter in Matter.objects.filter(
        town__name__in=PHOTO_TOWNS, is_annual_topic=True, year__in=(today.year, today.year - 1)
    ).order_by("town__order", "-year"):
        meeting = (
            ConsultationMeeting.objects.filter(matter=matter, kind__in=kinds, date__lte=today)
            .order_by("-date", "-id")
            .first()
        )
        if meeting is None or meeting.files.exists():
            continue
        label = f"{matter.title}{meeting.get_kind_display()}"
        shots = PHOTO_SHOTS[: rng.randint(2, len(PHOTO_SHOTS))]
        attach_files(
            meeting,
            [(ContentFile(_jpeg(rng), name=f"{label}-{shot}.jpg"), f"{shot}") for shot in shots],
        )
        made += len(shots)
    return made
