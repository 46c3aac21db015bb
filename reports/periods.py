"""The span a figure counts over, and the span it is compared with.

Leaders quote "比上年提高100%". For a year still running, that compares this year to date with the
same dates of last year (1 January to 30 November against 1 January to 30 November), not with
all of last year, which would make every figure look like a fall until December. For a past year
it compares whole years. Every figure function takes a Period, so a page, the yearly summary, an
export and the API counting "2026" count the same days.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    year: int
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def for_year(cls, year: int, today: datetime.date | None = None) -> "Period":
        """The year's span as far as it has run: to today for the current year, whole for a
        past one. A future year is an empty span ending before it starts."""
        today = today or timezone.localdate()
        start = datetime.date(year, 1, 1)
        end = datetime.date(year, 12, 31)
        if year == today.year:
            end = today
        elif year > today.year:
            end = start - datetime.timedelta(days=1)
        return cls(year, start, end)

    @property
    def is_whole_year(self) -> bool:
        return self.start == datetime.date(self.year, 1, 1) and self.end == datetime.date(
            self.year, 12, 31
        )

    def previous(self) -> "Period":
        """The same dates one year earlier (29 February becomes the 28th)."""
        return Period(self.year - 1, _year_earlier(self.start), _year_earlier(self.end))

    def q(self, field: str) -> Q:
        """Filter on a date field: `qs.filter(period.q("date"))`."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def contains(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """ "2025年全年" or "2026年1月1日至11月30日"."""
        if self.is_whole_year:
            return _("%(y)d年全年") % {"y": self.year}
        return _("%(y)d年1月1日至%(m)d月%(d)d日") % {
            "y": self.year,
            "m": self.end.month,
            "d": self.end.day,
        }

    @property
    def comparison_label(self) -> str:
        """What the change from the year before compares, said in words."""
        before = self.previous()
        if self.is_whole_year:
            return _("与%(y)d年全年相比") % {"y": before.year}
        return _("与%(y)d年同期（1月1日至%(m)d月%(d)d日）相比") % {
            "y": before.year,
            "m": before.end.month,
            "d": before.end.day,
        }


def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
