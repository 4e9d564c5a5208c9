"""Run in a fresh process on a database that was only migrated (tests/test_dashboard.py).

Builds tests.reports_cases' desk for every figure and prints one JSON line: its figures for
February 2026, for all categories and for one, and what the figures page answered.
"""

import datetime as dt
import json

import django
from django.test.utils import setup_test_environment

django.setup()
setup_test_environment()

from django.db import connection  # noqa: E402

from reports.dashboard import dashboard_figures  # noqa: E402
from reports.periods import Period  # noqa: E402
from tests.factories import SupervisorFactory  # noqa: E402
from tests.reports_cases import (  # noqa: E402
    FIGURES_NOW,
    a_desk_for_every_figure,
    figures_as_data,
)
from tests.staff import StaffClient  # noqa: E402

billing = a_desk_for_every_figure()
february = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
staff = StaffClient()
staff.force_login(SupervisorFactory())
page = staff.get(
    "/admin/reports/complaintfigures/",
    {"first": "2026-02-01", "last": "2026-02-28", "category": billing.pk},
)
print(
    json.dumps(
        {
            "vendor": connection.vendor,
            "all": figures_as_data(
                dashboard_figures(period=february, category=None, now=FIGURES_NOW)
            ),
            "billing": figures_as_data(
                dashboard_figures(period=february, category=billing, now=FIGURES_NOW)
            ),
            "page": page.status_code,
            "charts": page.content.decode().count('class="report-chart"'),
        }
    )
)
