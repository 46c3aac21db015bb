"""The list behind each figure, filtered to what the figure counts (period, town, kind …), so a
card or a chart element opens the records it counted. Filter names are those of each app's list
filters (consultations/filters.py, studios/filters.py, proposals/filters.py, opinion_forms.py).
Where a list cannot filter by the figure's exact date, the link narrows as far as it can."""

import datetime
from urllib.parse import urlencode

from django.urls import NoReverseMatch

from cppcc.navigation import cached_reverse

from .periods import Period


class FigureLinks:
    def __init__(self, period: Period, town=None):
        self.period = period
        self.town_id = town.pk if town is not None else None

    def _url(self, name: str, **params) -> str:
        try:
            # The dashboard links every cell of its towns × steps chart: two thousand calls.
            path = cached_reverse(name)
        except NoReverseMatch:  # a list another helper has not wired yet
            return ""
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{path}?{urlencode(query)}" if query else path

    def _dates(self, field_prefix: str = "date") -> dict:
        return {
            f"{field_prefix}_from": self.period.start.isoformat(),
            f"{field_prefix}_to": self.period.end.isoformat(),
        }

    def meetings(self, kind: str | None = None) -> str:
        # The meeting list has no year filter: the period's dates select the same meetings.
        return self._url(
            "consultations:meeting_list", kind=kind, town=self.town_id, **self._dates()
        )

    def matters(self, step: str | None = None, town_id: int | None = None) -> str:
        return self._url(
            "consultations:matter_list",
            year=self.period.year,
            step=step,
            town=town_id or self.town_id,
        )

    def activities(self, kind: str | None = None, month: int | None = None) -> str:
        dates = self._dates()
        if month is not None:
            start = self.period.start.replace(month=month, day=1)
            next_month = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            end = min(next_month - datetime.timedelta(days=1), self.period.end)
            dates = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        return self._url("studios:activity_list", kind=kind, town=self.town_id, **dates)

    def problems(self, status: str | None = "solved", town_id: int | None = None) -> str:
        return self._url("studios:problem_list", status=status, town=town_id or self.town_id)

    def proposals(self, status: str | None = None, rating: str | None = None) -> str:
        return self._url("proposals:list", year=self.period.year, status=status, rating=rating)

    def opinions(self, level: str | None = None) -> str:
        # The opinion list filters by submitted date, not by adoption date.
        return self._url(
            "proposals:opinion_list", level=level, town=self.town_id, **self._dates("date")
        )

    def ranking(self) -> str:
        return self._url("reports:duty_ranking", year=self.period.year)
