import datetime as dt
import itertools

import pytest

from coaching.models import CoachingSettings
from gtmos.comp.models import CompPlan
from gtmos.crm.models import CadenceEventLog, Role
from tests.factories import EmployeeFactory

SUNDAY = dt.date(2026, 10, 4)  # week ends: SUNDAY + 7k
_seq = itertools.count()


def week(k: int) -> dt.date:
    return SUNDAY + dt.timedelta(weeks=k)


class Team:
    """SLM → two managers; the first manages the SDR under test (and a quiet SDR), the second an outsider."""

    def __init__(self):
        self.slm = EmployeeFactory(role=Role.SLM, user__username="slm", name="Sam SLM")
        self.manager = EmployeeFactory(
            role=Role.MANAGER, manager=self.slm, slm=self.slm, user__username="mgr", name="Mia Manager"
        )
        self.other_manager = EmployeeFactory(
            role=Role.MANAGER, manager=self.slm, slm=self.slm, user__username="mgr2", name="Max Other"
        )
        self.sdr = EmployeeFactory(
            role=Role.SDR, manager=self.manager, slm=self.slm, user__username="sdr", name="Sky SDR"
        )
        self.other_sdr = EmployeeFactory(
            role=Role.SDR, manager=self.other_manager, slm=self.slm, user__username="sdr2", name="Otto Outsider"
        )
        # 25 touches a week expected: the trailing 4-week count is the outreach_volume % directly.
        CompPlan.objects.create(
            role=Role.SDR,
            period="FY26",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            touches_per_week=25,
        )
        self.settings = CoachingSettings.load()

    def touches(self, sdr, week_end: dt.date, n: int) -> None:
        """``n`` cold step-1 email touches on the Wednesday of the week ending ``week_end``."""
        day = week_end - dt.timedelta(days=4)
        at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        CadenceEventLog.objects.bulk_create(
            [
                CadenceEventLog(
                    external_id=f"t-{next(_seq)}",
                    sdr=sdr,
                    cadence_type="cold",
                    cadence_id="c1",
                    cadence_name="Cold outbound",
                    step=1,
                    channel="email",
                    occurred_at=at,
                )
                for _ in range(n)
            ]
        )

    def weekly_counts(self, sdr, counts: dict[int, int]) -> None:
        for k, n in counts.items():
            self.touches(sdr, week(k), n)


@pytest.fixture
def team(db):
    return Team()
