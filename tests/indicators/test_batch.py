"""Figures read together (coopserv.indicators.batch) equal the same figures computed one by one."""
from datetime import datetime, timedelta

from sqlalchemy import select

from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, territory_scope


def _modules_by_territory():
    from coopserv.modules.models import ServiceModule
    from coopserv.territories.models import Territory

    territories = db.session.scalars(select(Territory).order_by(Territory.id)).all()
    modules = db.session.scalars(select(ServiceModule).execution_options(**{ALL_TERRITORIES: True})).all()
    return [(territory, {m.service_key: m for m in modules if m.territory_id == territory.id})
            for territory in territories]


def _asked_everywhere(periods):
    """Every indicator of every demo territory that has its service, over each period."""
    from coopserv.indicators.batch import Asked
    from coopserv.plugin_host import plugin_host

    asked = []
    for territory, modules in _modules_by_territory():
        with territory_scope(territory):
            indicators = list(plugin_host().indicators.values())
        for indicator in indicators:
            if indicator.service_key is not None and indicator.service_key not in modules:
                continue
            for start, end in periods:
                asked.append(Asked(indicator, modules.get(indicator.service_key), start, end, territory))
    return asked


def _one_by_one(asked):
    from coopserv.indicators.services import measure

    values = []
    for item in asked:
        with territory_scope(item.territory):
            values.append(measure(item.indicator, item.module, item.start, item.end))
    return values


def test_figures_read_together_equal_figures_computed_one_by_one(app, count_queries):
    """On the demo data, for every indicator and territory, over a free period and over whole months."""
    from coopserv.demo import seed_demo
    from coopserv.indicators.batch import measure_many
    from coopserv.indicators.services import month_start, next_month

    seed_demo()
    db.session.commit()
    now = datetime.utcnow()
    first = month_start((now - timedelta(days=400)).date())
    whole_months = (datetime.combine(first, datetime.min.time()),
                    datetime.combine(next_month(month_start(now.date())), datetime.min.time()))
    asked = _asked_everywhere([(now - timedelta(days=300), now + timedelta(hours=1)), whole_months])
    assert {item.indicator.key for item in asked} >= {"concierge.orders", "concierge.median_hours_to_ready",
                                                      "needs.expressed", "iot_training.fill_rate",
                                                      "mobility.active_crews"}
    expected = _one_by_one(asked)
    assert any(value for value in expected), "the demo data gives figures to compare"
    for territory, _modules in _modules_by_territory():
        mine = [item for item in asked if item.territory.id == territory.id]
        with territory_scope(territory):
            figures, _also = measure_many(mine)
        assert figures == _one_by_one(mine), territory.slug
    # Across territories at once: the SELECTs naming their territory share one statement.
    with territory_scope(asked[0].territory):
        figures, _also = measure_many(asked)
    assert figures == expected


def test_figures_of_many_territories_cost_no_more_statements(app, count_queries, make_territory, enable_module):
    """A rollup indicator and a core one, in 2 and in 6 territories: the same statements."""
    from coopserv.indicators.batch import Asked, measure_many
    from coopserv.plugin_host import plugin_host

    territories = []
    for number in range(6):
        territory = make_territory(f"t{number}", f"Territoire {number}")
        territories.append((territory, enable_module(territory, "concierge", stage="perennial")))
    end = datetime.utcnow()
    start = end - timedelta(days=30)
    indicators = plugin_host().indicators

    def statements(count):
        asked = [Asked(indicators[key], module, start, end, territory) for territory, module in territories[:count]
                 for key in ("concierge.orders", "concierge.active_users", "needs.expressed")]
        with territory_scope(territories[0][0]):
            measure_many(asked)  # loads the territories and modules the fixtures' commits expired
            with count_queries() as run:
                figures, _also = measure_many(asked)
        assert figures == [0] * len(asked)
        return len(run)

    assert statements(2) == statements(6) == 1


def test_a_figure_read_beside_others_sees_only_its_territory(app, make_territory, make_organization):
    """A plugin's SELECT may rely on the tenant scoping (no territory in it): read as a subquery of the
    batched statement, it still counts only the rows of the territory in scope."""
    from sqlalchemy import func

    from coopserv.indicators.batch import read_together
    from coopserv.organizations.models import Organization
    from coopserv.service_types import IndicatorQuery

    here, there = make_territory("ici", "Ici"), make_territory("ailleurs", "Ailleurs")
    make_organization(here, "Scierie du Morvan")
    for name in ("Laiterie", "Fromagerie", "Tuilerie"):
        make_organization(there, name)
    organizations = IndicatorQuery(select(func.count(Organization.id)))
    for territory, expected in ((here, 1), (there, 3)):
        with territory_scope(territory):
            figures, also = read_together([organizations, organizations],
                                          {"alone": select(func.count(Organization.id)).scalar_subquery()})
        assert figures == [expected, expected] and also == {"alone": expected}


def test_a_median_read_beside_others_equals_the_median_alone(app, make_territory, make_organization):
    """``median_select``: odd and even counts (interpolated between the two middle rows), no row (None), each
    read as a subquery of one statement beside a count, seeing only the territory in scope."""
    from sqlalchemy import func

    from coopserv.indicators.batch import read_together
    from coopserv.indicators.sql import median, median_select, rounded_median
    from coopserv.organizations.models import Organization
    from coopserv.service_types import IndicatorQuery

    here, there = make_territory("ici", "Ici"), make_territory("ailleurs", "Ailleurs")
    for employees in (12, 3, 40):
        make_organization(here, employee_count=employees)
    for employees in (1000, 2000, 3000, 4000):
        make_organization(there, employee_count=employees)

    def read(minimum):
        rows = select().select_from(Organization).where(Organization.employee_count >= minimum)
        median_query = IndicatorQuery(median_select(Organization.employee_count, rows),
                                      lambda row: rounded_median(row[0]))
        counted = IndicatorQuery(select(func.count(Organization.id)).where(Organization.employee_count >= minimum))
        figures, _also = read_together([counted, median_query, median_query])
        assert figures[1] == figures[2] == median(Organization.employee_count, rows) == median_query.value()
        return figures[0], figures[1]

    with territory_scope(here):
        assert read(0) == (3, 12.0)  # odd: the middle row
        assert read(10) == (2, 26.0)  # even: halfway between 12 and 40
        assert read(10_000) == (0, None)  # no row: None, as median() says
    with territory_scope(there):
        assert read(0) == (4, 2500.0)
        assert read(2500) == (2, 3500.0)


def test_many_figures_of_several_columns_share_one_statement(app, make_territory, make_organization, count_queries):
    """More figures of two columns than SQLite joins tables at one level (64), and as many of one column."""
    from sqlalchemy import func

    from coopserv.indicators.batch import read_together
    from coopserv.organizations.models import Organization
    from coopserv.service_types import IndicatorQuery

    here = make_territory("ici", "Ici")
    for employees in (12, 3, 40):
        make_organization(here, employee_count=employees)
    pair = IndicatorQuery(select(func.count(Organization.id), func.sum(Organization.employee_count)),
                          lambda row: row[1] / row[0])
    single = IndicatorQuery(select(func.max(Organization.employee_count)))
    with territory_scope(here):
        read_together([single])  # loads the territory the fixtures' commits expired
        with count_queries() as run:
            figures, _also = read_together([pair, single] * 130)
    assert figures == [55 / 3, 40] * 130 and len(run) == 1
