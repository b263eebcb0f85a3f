"""Indicators dashboard: a summary row read against targets, filters, and one line instead of empty charts."""
import re
from datetime import datetime

import pytest

from coopserv.extensions import db
from coopserv.indicators.services import current_month
from coopserv.indicators.summary import read
from coopserv.projects.models import ProjectTarget, ServiceProject
from coopserv.service_types import Indicator
from coopserv.tenancy import territory_scope
from tests.helpers import text_of
from tests.indicators.test_indicators_pages import _requests


def _month(offset):
    today = current_month()
    year, month = today.year, today.month - offset
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, 12)


@pytest.fixture
def admin(make_client, figeac):
    client = make_client()
    client.login(figeac.admin)
    return client


def _target(figeac, key, value):
    with territory_scope(figeac.territory):
        project = ServiceProject(title="Conciergerie", service_key="concierge", stage="prototype",
                                 module_id=figeac.module.id)
        db.session.add(project)
        db.session.flush()
        db.session.add(ProjectTarget(project_id=project.id, indicator_key=key, target_value=value))
        db.session.commit()


def _section(page, label):
    """The HTML of the card whose title is ``label``."""
    return re.search(rf"<(li|section) class=\"(kpi|indicator)[^\"]*\"[^>]*>\s*<h3[^>]*>{re.escape(label)}</h3>.*?</\1>",
                     page, re.S).group(0)


def test_summary_row_reads_the_target_and_the_trend(admin, figeac):
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 2, _month(1))
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 5, _month(0))
    _target(figeac, "concierge.orders", 25)
    page = text_of(admin.get("/t/figeac/indicators/"))
    summary = page.split('id="summary-title"')[1].split('id="all-title"')[0]
    card = _section(summary, "Commandes à la conciergerie")
    assert ">5 <small>" in card and "Objectif : 25" in card and "encore 20" in card
    assert 'class="trend up"' in card and "+150" in card  # 2 → 5
    assert "off-target" in card


def test_empty_series_get_one_line_instead_of_a_chart(admin, figeac):
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 3, _month(0))
    page = text_of(admin.get("/t/figeac/indicators/")).split('id="all-title"')[1]
    empty = _section(page, "Délai médian jusqu’à « prête »")
    assert "Pas encore de données" in empty and "<svg" not in empty.replace('<svg class="icon"', "")
    full = _section(page, "Commandes à la conciergerie")
    assert 'role="img"' in full
    # Indicators with data come first.
    assert page.index("Commandes à la conciergerie</h3>") < page.index("Délai médian jusqu’à « prête »</h3>")


def test_filters_by_service_and_period(admin, figeac):
    method = text_of(admin.get("/t/figeac/indicators/?service=method"))
    assert "needs.expressed.csv" in method and "concierge.orders.csv" not in method
    concierge = text_of(admin.get("/t/figeac/indicators/?service=concierge"))
    assert "concierge.orders.csv" in concierge and "needs.expressed.csv" not in concierge
    short = text_of(admin.get(f"/t/figeac/indicators/?start={_month(2):%Y-%m}&end={_month(0):%Y-%m}"))
    assert 'aria-current="true">Les 3 derniers mois' in short
    assert short.count("<tr><th scope=\"row\">") == 3 * short.count('role="img"')  # three months per table


@pytest.mark.parametrize("points, target, better, trend, good, on_target, gap", [
    ([1, 2, 4], 10, True, "up", True, False, 6),
    ([4, 2], 3, False, "down", True, True, 0),          # a waiting time going down is good news
    ([None, 3, 3], 2, True, "flat", None, True, 0),
    ([0, 0, 0], None, True, "flat", None, None, None),
])
def test_reading_a_series(points, target, better, trend, good, on_target, gap):
    indicator = Indicator("x.median_days" if not better else "x.count", "X", "u", None, lambda *a: 0)
    reading = read(indicator, [(None, value) for value in points], target)
    assert (reading.trend, reading.trend_is_good, reading.on_target, reading.gap) == (trend, good, on_target, gap)
    assert reading.has_data == any(points)
