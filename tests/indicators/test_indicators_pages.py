"""Shared indicators: dashboard, exports, sharing, comparison, open data, monthly snapshots."""
from datetime import date, datetime

import pytest
from sqlalchemy import delete

from coopserv.extensions import db
from coopserv.indicators import services
from coopserv.indicators.services import current_month
from coopserv.service_requests.models import ServiceRequest
from coopserv.tenancy import territory_scope


def _requests(territory, module, requester, organization, count, created):
    with territory_scope(territory):
        for _ in range(count):
            db.session.add(ServiceRequest(module_id=module.id, requester_id=requester.id,
                                          organization_id=organization.id, status="submitted", payload={},
                                          created_at=created))
        db.session.commit()


@pytest.fixture
def admin(make_client, figeac):
    client = make_client()
    client.login(figeac.admin)
    return client


def this_month():
    today = current_month()
    return datetime(today.year, today.month, 1, 12)


def test_dashboard_draws_accessible_charts_with_the_values(admin, figeac):
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 3, this_month())
    page = admin.get("/t/figeac/indicators/").get_data(as_text=True)
    assert 'role="img"' in page and "<desc id=" in page
    assert "Values as a table" in page or "Valeurs sous forme de tableau" in page
    assert "<td>3</td>" in page  # the table alternative carries this month's 3 orders


def test_export_csv_and_json(admin, figeac):
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 2, this_month())
    month = this_month().strftime("%Y-%m")
    csv_text = admin.get(f"/t/figeac/indicators/concierge.orders.csv?start={month}&end={month}").get_data(as_text=True)
    assert csv_text.splitlines() == ["territory,indicator,unit,month,value",
                                     f"figeac,concierge.orders,orders,{month}-01,2"]
    body = admin.get(f"/t/figeac/indicators/concierge.orders.json?start={month}&end={month}").get_json()
    assert body["points"] == [{"month": f"{month}-01", "value": 2}]


def test_only_admins_and_governance_read_indicators(make_client, make_user, figeac):
    employee = make_client()
    employee.login(figeac.employee)
    assert employee.get("/t/figeac/indicators/").status_code == 403
    assert employee.get("/t/figeac/indicators/concierge.orders.csv").status_code == 403
    member = make_client()
    member.login(make_user(figeac.territory, "governance_member"))
    assert member.get("/t/figeac/indicators/").status_code == 200
    assert member.post_form("/t/figeac/indicators/concierge.orders/sharing", {"public": "on"}).status_code == 403


def test_open_data_shows_only_what_is_published(admin, client, figeac):
    assert client.get("/t/figeac/open-data/concierge.orders.csv").status_code == 404
    assert admin.post_form("/t/figeac/indicators/concierge.orders/sharing", {"public": "on"}).status_code == 302
    page = client.get("/t/figeac/open-data/").get_data(as_text=True)
    assert "concierge.orders.csv" in page and "concierge.active_users" not in page
    assert client.get("/t/figeac/open-data/concierge.orders.csv").status_code == 200
    assert client.get("/t/figeac/open-data/concierge.active_users.json").status_code == 404


def test_comparison_between_sharing_territories_per_thousand_employees(admin, make_client, figeac, autun,
                                                                      make_organization):
    # Figeac: 1,222 employees (1200 + 22), 611 orders -> 500 per 1,000. Autun: 40 employees, 2 orders -> 50.
    with territory_scope(autun.territory):
        autun.company.employee_count = 40
        db.session.commit()
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 611, this_month())
    _requests(autun.territory, autun.module, autun.employee, autun.company, 2, this_month())
    month = this_month().strftime("%Y-%m")
    assert admin.get(f"/t/figeac/indicators/concierge.orders/compare?start={month}&end={month}").status_code == 302
    assert admin.post_form("/t/figeac/indicators/concierge.orders/sharing", {"compare": "on"}).status_code == 302
    page = admin.get(f"/t/figeac/indicators/concierge.orders/compare?start={month}&end={month}").get_data(as_text=True)
    assert "Autun Morvan" not in page  # Autun does not share it yet
    autun_admin = make_client()
    autun_admin.login(autun.admin)
    assert autun_admin.post_form("/t/autun-morvan/indicators/concierge.orders/sharing", {"compare": "on"}).status_code == 302
    page = admin.get(f"/t/figeac/indicators/concierge.orders/compare?start={month}&end={month}").get_data(as_text=True)
    import re
    table = re.search(r"<table>.*</table>", page, re.S).group(0)
    assert "Autun Morvan" in table and ">500</td>" in table and ">50</td>" in table, table


def test_snapshots_keep_history_after_rows_are_erased(app, figeac):
    from flask.cli import ScriptInfo

    from coopserv.cli import main

    october = datetime(2026, 10, 15)
    _requests(figeac.territory, figeac.module, figeac.employee, figeac.aero, 4, october)
    result = app.test_cli_runner().invoke(main, ["indicators", "snapshot", "--month", "2026-10"],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    with territory_scope(figeac.territory):
        db.session.execute(delete(ServiceRequest))
        db.session.commit()
        indicator = app.extensions["coopserv"].indicators["concierge.orders"]
        points = services.series(indicator, figeac.module, date(2026, 10, 1), date(2026, 10, 1),
                                 today=date(2026, 11, 28))
        assert points == [(date(2026, 10, 1), 4.0)]
        assert services.compute(indicator, figeac.module, date(2026, 10, 1), date(2026, 11, 1)) == 0
    bad = app.test_cli_runner().invoke(main, ["indicators", "snapshot", "--month", "octobre"],
                                       obj=ScriptInfo(create_app=lambda: app))
    assert bad.exit_code != 0


def test_dashboard_shows_the_method_indicators_and_project_targets(admin, figeac, scoped):
    """Needs and governance have indicators too; a project's target is drawn beside its indicator."""
    from coopserv.needs import services as needs
    from coopserv.projects.models import ProjectTarget, ServiceProject

    with scoped(figeac.territory):
        needs.ensure_categories()
        needs.submit_need({"title": "Navette du matin", "description": "Depuis la gare de Figeac.",
                           "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                          figeac.employee, figeac.aero, False)
        project = ServiceProject(title="Conciergerie", service_key="concierge", stage="prototype",
                                 module_id=figeac.module.id)
        db.session.add(project)
        db.session.flush()
        db.session.add(ProjectTarget(project_id=project.id, indicator_key="concierge.orders", target_value=25))
        db.session.commit()
    page = admin.get("/t/figeac/indicators/").get_data(as_text=True)
    assert "needs.expressed.csv" in page and "governance.meetings.csv" in page
    assert 'class="target"' in page  # the dashed target line on the concierge orders chart
    month = this_month().strftime("%Y-%m")
    body = admin.get(f"/t/figeac/indicators/needs.expressed.json?start={month}&end={month}").get_json()
    assert body["points"] == [{"month": f"{month}-01", "value": 1}]
