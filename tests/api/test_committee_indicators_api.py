"""Committee indicators through the API: defined, changed, archived and given a target by the committee;
monthly figures entered by the named person or an admin only; field errors, pagination and territory scope."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopserv.committee_indicators.models import CommitteeIndicator, IndicatorFigure
from coopserv.extensions import db
from coopserv.indicators.services import current_month
from coopserv.needs import services as needs
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.tokens.services import create_token

API = "/api/v1/territories/figeac"
BASE = API + "/indicators/committee"


@pytest.fixture
def team(figeac, autun, make_user):
    """Tokens of Figeac's admin, two committee members (one names the reporter), an employee, and Autun's admin."""
    reporter = make_user(figeac.territory, "governance_member", figeac.aero, name="Élise Fabre")
    member = make_user(figeac.territory, "governance_member", figeac.menuiserie, name="Marc Delmas")
    with territory_scope(figeac.territory):
        needs.ensure_categories()  # what a count of needs filters on
        tokens = {"admin": create_token(figeac.admin, figeac.territory, "t")[1],
                  "employee": create_token(figeac.employee, figeac.territory, "t")[1],
                  "reporter": create_token(reporter, figeac.territory, "t")[1],
                  "member": create_token(member, figeac.territory, "t")[1]}
    with territory_scope(autun.territory):
        tokens["autun"] = create_token(autun.admin, autun.territory, "t")[1]
    return type("Team", (), {"tokens": tokens, "reporter": reporter, "member": member})


def _call(client, team, who, method, url, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {team.tokens[who]}"}}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(url, **kwargs)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def _hires(team, **changes):
    return {"name": "Recrues facilitées par l'accueil", "unit": "recrues", "method": "manual",
            "reporter_id": team.reporter.id, "aggregation": "sum", "target_value": 12, **changes}


def _last_month():
    return (current_month() - timedelta(days=1)).replace(day=1)


def test_the_committee_defines_changes_targets_and_archives_an_indicator(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    assert call("employee", "post", BASE + "/", _hires(team)).status_code == 403
    created = call("member", "post", BASE + "/", _hires(team))
    assert created.status_code == 201, created.get_json()
    indicator = created.get_json()
    assert (indicator["key"], indicator["reporter_id"], indicator["target_value"], indicator["active"]) == \
        ("committee.recrues-facilitees-par-l-accueil", team.reporter.id, 12.0, True)
    # It joins the shared indicators, with the plugins' own.
    keys = [i["key"] for i in call("admin", "get", API + "/indicators/").get_json()]
    assert indicator["key"] in keys
    url = f"{BASE}/{indicator['id']}"
    assert call("employee", "get", url).status_code == 403
    assert call("admin", "get", url).get_json()["name"] == "Recrues facilitées par l'accueil"
    # A partial change keeps the other fields; the target has its own endpoint.
    renamed = call("admin", "patch", url, {"name": "Recrues du réseau"}).get_json()
    assert (renamed["name"], renamed["unit"], renamed["reporter_id"]) == ("Recrues du réseau", "recrues",
                                                                         team.reporter.id)
    assert renamed["key"] == indicator["key"]
    assert call("member", "put", url + "/target", {"target_value": 20}).get_json()["target_value"] == 20.0
    assert call("member", "put", url + "/target", {"target_value": None}).get_json()["target_value"] is None
    assert call("employee", "put", url + "/target", {"target_value": 5}).status_code == 403
    # Archiving keeps the row and takes it out of the shared indicators.
    archived = call("member", "patch", url, {"active": False})
    assert archived.status_code == 200 and archived.get_json()["active"] is False
    keys = [i["key"] for i in call("admin", "get", API + "/indicators/").get_json()]
    assert indicator["key"] not in keys
    listed = call("member", "get", BASE + "/?page_size=1")
    assert listed.status_code == 200 and [i["id"] for i in listed.get_json()] == [indicator["id"]]
    assert '"total": 1' in listed.headers["X-Pagination"]


def test_a_count_indicator_and_field_errors_store_nothing(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    count = {"name": "Besoins de mobilité", "unit": "besoins", "method": "count", "source": "needs",
             "filters": {"category": "mobility"}}
    with territory_scope(figeac.territory):
        before = _count(CommitteeIndicator)
    for body, field in (({**count, "filters": {"category": "teleportation"}}, "filter_category"),
                        ({**count, "source": None}, "source"),
                        (_hires(team, reporter_id=None), "reporter_id"),
                        (_hires(team, name="x"), "name"),
                        (_hires(team, target_value=10 ** 12), "target_value"),
                        (_hires(team, method="guess"), "method")):
        refused = call("member", "post", BASE + "/", body)
        assert refused.status_code == 422, (body, refused.get_json())
        assert field in refused.get_json()["errors"].get("json", refused.get_json()["errors"]), refused.get_json()
    assert _count(CommitteeIndicator) == before
    created = call("member", "post", BASE + "/", count)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["source"], created.get_json()["filters"]) == ("needs", {"category": "mobility"})
    url = f"{BASE}/{created.get_json()['id']}"
    # A bad change is refused field by field and leaves the stored definition as it was.
    refused = call("member", "patch", url, {"method": "manual"})
    assert refused.status_code == 422 and "reporter_id" in refused.get_json()["errors"]
    assert call("member", "put", url + "/target", {"target_value": "beaucoup"}).status_code == 422
    with territory_scope(figeac.territory):
        stored = db.session.get(CommitteeIndicator, created.get_json()["id"])
        db.session.refresh(stored)
        assert (stored.method, stored.target_value) == ("count", None)
    # A count has no figures to enter.
    assert call("admin", "post", url + "/figures", {"month": _last_month().isoformat(), "value": 3}).status_code == 403


def test_only_the_named_reporter_or_an_admin_enters_and_corrects_a_figure(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    url = f"{BASE}/{call('member', 'post', BASE + '/', _hires(team)).get_json()['id']}"
    month = _last_month()
    figure = {"month": month.strftime("%Y-%m"), "value": 3, "note": "Deux conjoints, un salarié"}
    assert call("member", "post", url + "/figures", figure).status_code == 403  # committee, not the reporter
    assert call("employee", "post", url + "/figures", figure).status_code == 403
    entered = call("reporter", "post", url + "/figures", figure)
    assert entered.status_code == 201, entered.get_json()
    assert (entered.get_json()["month"], entered.get_json()["value"]) == (month.isoformat(), 3.0)
    assert entered.get_json()["entered_by_id"] == team.reporter.id
    corrected = call("admin", "post", url + "/figures", {**figure, "value": 4})
    assert corrected.status_code == 201 and corrected.get_json()["id"] == entered.get_json()["id"]
    future = (current_month().replace(day=28) + timedelta(days=10)).strftime("%Y-%m")
    refused = call("reporter", "post", url + "/figures", {"month": future, "value": 1})
    assert refused.status_code == 422 and "month" in refused.get_json()["errors"]
    assert call("reporter", "post", url + "/figures", {"month": "hier", "value": 1}).status_code == 422
    with territory_scope(figeac.territory):
        assert [(f.month, f.value) for f in db.session.scalars(select(IndicatorFigure))] == [(month, 4.0)]
    listed = call("member", "get", url + "/figures")
    assert listed.status_code == 200 and [f["value"] for f in listed.get_json()] == [4.0]
    assert "X-Pagination" in listed.headers
    assert call("employee", "get", url + "/figures").status_code == 403
    # The figure is the indicator's value in the shared series.
    key = call("admin", "get", url).get_json()["key"]
    series = call("admin", "get", f"{API}/indicators/{key}/series?start={month.isoformat()}"
                                  f"&end={month.isoformat()}")
    assert series.status_code == 200, series.get_json()
    assert series.get_json()["points"][0]["value"] == 4.0


def test_other_territories_and_read_only_tokens_change_nothing(client, figeac, team):
    call = lambda who, method, url, body=None: _call(client, team, who, method, url, body)
    url = f"{BASE}/{call('member', 'post', BASE + '/', _hires(team)).get_json()['id']}"
    assert call("autun", "get", url).status_code == 403
    assert call("autun", "patch", url, {"active": False}).status_code == 403
    assert client.get(f"/api/v1/territories/autun/indicators/committee/{url.rsplit('/', 1)[1]}",
                      headers={"Authorization": f"Bearer {team.tokens['autun']}"}).status_code == 404
    with territory_scope(figeac.territory):
        reader = create_token(figeac.admin, figeac.territory, "lecture", read_only=True)[1]
    refused = client.patch(url, json={"name": "Autre nom"}, headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403 and "read-only" in refused.get_json()["message"]
    assert client.get(url, headers={"Authorization": f"Bearer {reader}"}).get_json()["active"] is True
