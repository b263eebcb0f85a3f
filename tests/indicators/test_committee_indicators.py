"""Indicators the committee defines: a figure a named person enters monthly, or a count of data with a filter;
with targets; on the dashboard, in exports, reports, the comparison and the API, through the indicator registry."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure
from coopserv.extensions import db
from coopserv.indicators import services as indicators
from coopserv.indicators.models import IndicatorSnapshot
from coopserv.indicators.services import current_month
from coopserv.needs import services as needs
from coopserv.needs.models import NeedCategory
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import ALL_TERRITORIES, territory_scope

BASE = "/t/figeac/indicators/committee"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def _month(offset=0):
    today = current_month()
    for _ in range(offset):
        today = (today - timedelta(days=1)).replace(day=1)
    return today


@pytest.fixture
def people(figeac, make_user, make_client):
    """Figeac's admin, a committee member, the person who reports hires, and an employee, signed in."""
    reporter = make_user(figeac.territory, "governance_member", figeac.aero, name="Élise Fabre")
    member = make_user(figeac.territory, "governance_member", figeac.menuiserie, name="Marc Delmas")
    clients = {}
    for handle, user in (("admin", figeac.admin), ("member", member), ("reporter", reporter),
                         ("employee", figeac.employee)):
        client = make_client()
        client.login(user)
        clients[handle] = client
    clients["reporter_user"], clients["member_user"] = reporter, member
    return type("People", (), clients)


def _hires(people, **changes):
    form = {"name": "Recrues facilitées par l'accueil", "unit": "recrues", "method": "manual",
            "reporter_id": str(people.reporter_user.id), "aggregation": "sum", "target_value": "12",
            "description": "Conjoints et salariés recrutés grâce au réseau.", **changes}
    return people.member.post_form(BASE + "/new", form)


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": ["tests.plugins_for_tests.territory_indicator"]}])
def test_hook_territory_indicators(app, figeac, autun, make_client):
    """A territory's own indicator is in the registry while that territory is in scope, and only then."""
    registry = plugin_host().indicators
    assert "test.figeac_only" not in registry and "concierge.orders" in registry
    with territory_scope(figeac.territory):
        assert registry["test.figeac_only"].compute(None, None, None) == 42
        assert "test.figeac_only" in list(registry) and "concierge.orders" in registry
    with territory_scope(autun.territory):
        assert "test.figeac_only" not in registry
    admin = make_client()
    admin.login(figeac.admin)
    assert "Figeac only" in admin.get("/t/figeac/indicators/").get_data(as_text=True)
    assert admin.get("/t/figeac/indicators/test.figeac_only.csv").get_data(as_text=True).splitlines()[1].endswith(
        ",42")


def test_a_manual_indicator_is_entered_monthly_by_its_named_reporter(people, figeac, scoped):
    assert people.employee.get(BASE + "/").status_code == 403
    assert people.employee.post_form(BASE + "/new", {"name": "x"}).status_code == 403
    assert _hires(people).status_code == 302
    with scoped(figeac.territory):
        definition = db.session.scalar(select(CommitteeIndicator))
        assert (definition.key, definition.reporter_id) == ("committee.recrues-facilitees-par-l-accueil",
                                                           people.reporter_user.id)
    figures = f"{BASE}/{definition.id}/figures"
    last, this = _month(1), _month(0)
    assert people.member.post_form(figures, {"month": last.strftime("%Y-%m"), "value": "3"}).status_code == 403
    assert people.reporter.post_form(figures, {"month": last.strftime("%Y-%m"), "value": "3",
                                               "note": "Deux conjointes, un technicien"}).status_code == 302
    assert people.reporter.post_form(figures, {"month": this.strftime("%Y-%m"), "value": "2"}).status_code == 302
    future = people.reporter.post_json(figures, {"month": (this + timedelta(days=40)).strftime("%Y-%m"), "value": 1})
    assert future.status_code == 422 and "month" in future.get_json()["errors"]
    bad = people.reporter.post_json(figures, {"month": "1789-07", "value": 1e12})
    assert bad.status_code == 422 and {"month", "value"} <= set(bad.get_json()["errors"])
    # The admin corrects this month's figure.
    assert people.admin.post_form(figures, {"month": this.strftime("%Y-%m"), "value": "4"}).status_code == 302
    assert _count(IndicatorFigure) == 2
    page = people.member.get(figures).get_data(as_text=True)
    assert "Deux conjointes, un technicien" in page and "Élise Fabre" in page

    # The dashboard shows it with its target, like any other indicator; the exports carry it.
    dashboard = people.member.get("/t/figeac/indicators/").get_data(as_text=True)
    assert "Recrues facilitées par l&#39;accueil" in dashboard and "12" in dashboard
    key = definition.key
    rows = people.admin.get(f"/t/figeac/indicators/{key}.csv?start={last:%Y-%m}&end={this:%Y-%m}").get_data(
        as_text=True).splitlines()
    assert rows[1:] == [f"figeac,{key},recrues,{last.isoformat()},3", f"figeac,{key},recrues,{this.isoformat()},4"]
    with scoped(figeac.territory):
        total = indicators.compute(plugin_host().indicators[key], None, last, this + timedelta(days=40))
        assert total == 7.0  # a flow: months add up


def test_a_late_figure_replaces_the_snapshot_of_its_month(people, figeac, scoped):
    _hires(people)
    with scoped(figeac.territory):
        definition = db.session.scalar(select(CommitteeIndicator))
        last = _month(1)
        indicators.snapshot_month(last)  # the monthly snapshot ran before the figure came
        assert db.session.scalar(select(IndicatorSnapshot.value).filter_by(indicator_key=definition.key)) is None
    people.reporter.post_form(f"{BASE}/{definition.id}/figures", {"month": last.strftime("%Y-%m"), "value": "5"})
    with scoped(figeac.territory):
        points = indicators.series(plugin_host().indicators[definition.key], None, last, last)
        assert points == [(last, 5.0)]


def test_a_count_indicator_counts_existing_data_with_its_filter(people, figeac, scoped):
    with scoped(figeac.territory):
        needs.ensure_categories()
        mobility = db.session.scalar(select(NeedCategory).filter_by(key="mobility"))
        other = db.session.scalar(select(NeedCategory).where(NeedCategory.key != "mobility").limit(1))
    form = {"name": "Besoins de mobilité", "unit": "besoins", "method": "count", "source": "needs",
            "filter_needs_category": "mobility", "filter_service_requests_status": "delivered"}
    bad = people.member.post_form(BASE + "/new", {**form, "filter_needs_category": "teleportation"})
    assert bad.status_code == 422 and 'id="filter_category-error"' in bad.get_data(as_text=True)
    nothing = people.member.post_json(BASE + "/new", {**form, "method": "guess", "source": None})
    assert nothing.status_code == 422 and "method" in nothing.get_json()["errors"]
    control = people.member.post_json(BASE + "/new", {**form, "name": "Besoins\x00"})
    assert control.status_code == 422 and set(control.get_json()["errors"]) == {"name"}
    assert _count(CommitteeIndicator) == 0
    assert people.member.post_form(BASE + "/new", form).status_code == 302
    with scoped(figeac.territory):
        definition = db.session.scalar(select(CommitteeIndicator))
        assert (definition.source, definition.filters) == ("needs", {"category": "mobility"})
        for category, title in ((mobility, "Navette"), (mobility, "Covoiturage"), (other, "Crèche")):
            needs.submit_need({"title": title, "description": "Pour les équipes du matin.", "category_id": category.id,
                               "scope": "individual"}, figeac.employee, figeac.aero, False)
        value = indicators.compute(plugin_host().indicators[definition.key], None, _month(), _month() + timedelta(40))
        assert value == 2
    assert "Besoins de mobilité" in people.admin.get("/t/figeac/indicators/").get_data(as_text=True)


def test_the_comparison_and_the_api_show_committee_indicators(people, figeac, autun, make_user, make_client, scoped):
    _hires(people)
    autun_member = make_user(autun.territory, "governance_member", autun.company)
    autun_client = make_client()
    autun_client.login(autun_member)
    assert autun_client.post_form("/t/autun-morvan/indicators/committee/new", {
        "name": "Recrues facilitées par l'accueil", "unit": "recrues", "method": "manual",
        "reporter_id": str(autun_member.id)}).status_code == 302
    with scoped(figeac.territory):
        figeac_def = db.session.scalar(select(CommitteeIndicator))
    with scoped(autun.territory):
        autun_def = db.session.scalar(select(CommitteeIndicator))
    assert figeac_def.key == autun_def.key  # the same name compares the two territories
    people.reporter.post_form(f"{BASE}/{figeac_def.id}/figures", {"month": _month().strftime("%Y-%m"), "value": "6"})
    autun_client.post_form(f"/t/autun-morvan/indicators/committee/{autun_def.id}/figures",
                           {"month": _month().strftime("%Y-%m"), "value": "2"})
    for client, slug in ((people.admin, "figeac"), (make_client(), "autun-morvan")):
        if slug == "autun-morvan":
            client.login(autun.admin)
        assert client.post_form(f"/t/{slug}/indicators/{figeac_def.key}/sharing", {"compare": "on"}).status_code == 302
    page = people.member.get(f"/t/figeac/indicators/{figeac_def.key}/compare?start={_month():%Y-%m}"
                             f"&end={_month():%Y-%m}").get_data(as_text=True)
    page = page.replace("<td class=\"num\">", "<td>")  # the design system aligns figures right
    assert "Autun Morvan" in page and "Figeac" in page and "<td>6" in page.replace("6.0", "6") \
        and "<td>2" in page.replace("2.0", "2")

    from coopserv.tokens.services import create_token

    with scoped(figeac.territory):
        _token, secret = create_token(figeac.admin, figeac.territory, "test")
    headers = {"Authorization": f"Bearer {secret}"}
    listed = make_client().get("/api/v1/territories/figeac/indicators/", headers=headers).get_json()
    assert figeac_def.key in [row["key"] for row in listed]
    series = make_client().get(f"/api/v1/territories/figeac/indicators/{figeac_def.key}/series"
                               f"?start={_month():%Y-%m-%d}&end={_month():%Y-%m-%d}", headers=headers).get_json()
    assert series["points"] == [{"month": _month().isoformat(), "value": 6.0}]


def test_a_project_targets_a_committee_indicator_and_its_report_measures_it(people, figeac, scoped):
    from coopserv.projects import services as projects

    _hires(people)
    with scoped(figeac.territory):
        definition = db.session.scalar(select(CommitteeIndicator))
        project = projects.create_project({"title": "Accueil des conjoints", "origin_text": "Soirée"}, figeac.admin)
        projects.set_target(project, {"indicator_key": definition.key, "target_value": 5}, figeac.admin)
        project.experiment_start, project.experiment_end = _month(1), _month(0) + timedelta(days=20)
        db.session.commit()
    for month, value in ((_month(1), "3"), (_month(0), "4")):
        people.reporter.post_form(f"{BASE}/{definition.id}/figures", {"month": month.strftime("%Y-%m"), "value": value})
    with scoped(figeac.territory):
        [result] = projects.evaluation(db.session.get(type(project), project.id))
    assert (result.measured, result.reached) == (7.0, True)


def test_other_territories_reach_no_committee_indicator(people, figeac, autun, make_client, scoped):
    _hires(people)
    with scoped(figeac.territory):
        definition = db.session.scalar(select(CommitteeIndicator))
    outsider = make_client()
    outsider.login(autun.admin)
    for url in (f"{BASE}/", f"{BASE}/{definition.id}/edit",
                f"{BASE}/{definition.id}/figures"):
        assert outsider.get(url).status_code in (403, 404), url
    assert outsider.post_form(f"{BASE}/{definition.id}/figures",
                              {"month": _month().strftime("%Y-%m"), "value": "9"}).status_code in (403, 404)
    for url in (f"/t/autun-morvan/indicators/committee/{definition.id}/edit",
                f"/t/autun-morvan/indicators/committee/{definition.id}/figures"):
        assert outsider.get(url).status_code == 404
    assert _count(IndicatorFigure) == 0
    with scoped(autun.territory):
        assert definition.key not in plugin_host().indicators


def test_committee_indicators_of_many_territories_are_read_in_one_statement(app, make_territory, make_user,
                                                                           make_organization, count_queries):
    """A committee count (with a filter), a sum and a latest figure, defined by the same names in 2 and in 6
    territories: one statement reads them all, each territory's own."""
    from coopserv.committee_indicators.services import create_definition, enter_figure, registry_indicators
    from coopserv.indicators.batch import Asked, measure_many

    territories = []
    for number in range(6):
        territory = make_territory(f"t{number}", f"Territoire {number}")
        company = make_organization(territory, f"Entreprise {number}")
        reporter = make_user(territory, "employee", company, email=f"r{number}@example.org")
        with territory_scope(territory):
            needs.ensure_categories()
            for _need in range(number + 1):
                needs.submit_need({"title": "Une navette", "description": "Le matin.",
                                   "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                                  reporter, company, False)
            create_definition({"name": "Besoins de mobilité", "unit": "besoins", "method": "count",
                               "source": "needs", "filters": {"category": "mobility"}}, reporter)
            for name, aggregation in (("Recrues", "sum"), ("Adhérents", "last")):
                definition = create_definition({"name": name, "unit": "u", "method": "manual",
                                                "aggregation": aggregation, "reporter_id": reporter.id}, reporter)
                for months_ago, value in ((1, 10 * number), (0, number)):
                    enter_figure(definition, {"month": _month(months_ago), "value": value}, reporter)
            indicators_here = {indicator.key: indicator for indicator in registry_indicators()}
        territories.append((territory, indicators_here))
    start = datetime.combine(_month(1), datetime.min.time())
    end = datetime.combine(_month(0) + timedelta(days=40), datetime.min.time())

    def read(count):
        asked = [Asked(indicator, None, start, end, territory) for territory, here in territories[:count]
                 for indicator in here.values()]
        with territory_scope(territories[0][0]):
            measure_many(asked)  # loads what the fixtures' commits expired
            with app.test_request_context(), count_queries() as run:  # a page: definitions read once per key
                figures, _also = measure_many(asked)
        return figures, len(run)

    figures, statements = read(6)
    expected = []
    for number in range(6):  # registry order: by name (Adhérents, Besoins de mobilité, Recrues)
        expected += [float(number), number + 1, float(11 * number) if number else 0.0]
    assert figures == expected
    assert statements == read(2)[1] == 1 + 3  # the figures, and the definitions of each of the three keys
