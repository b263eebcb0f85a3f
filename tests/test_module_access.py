"""One module-access check for every plugin page, with the same answer codes everywhere."""
import pytest
from flask_login import login_user, logout_user
from werkzeug.exceptions import HTTPException

from coopserv_plugins.concierge.tests.conftest import add_catalogue

from coopserv.modules.services import disable_module
from coopserv.plugin_api import require_module
from coopserv.tenancy import request_cache

BUILT_IN = ("concierge", "spouse_welcome", "childminder_house", "iot_training", "mobility", "smart_parking",
            "coworking")


def _answer(app, territory, user, service_key, who):
    """Run require_module as a page of ``territory`` would for ``user``: the module, or the HTTP status."""
    with app.test_request_context(f"/t/{territory.slug}/"):
        request_cache()["territory"] = territory
        logout_user()  # the test's app context (and its g) outlives each request context
        if user is not None:
            login_user(user)
        try:
            module = require_module(service_key, who)
        except HTTPException as error:
            return error.code if error.code else error.response.status_code
        return module.service_key


@pytest.fixture
def town(make_territory, make_organization, make_user, enable_module):
    from types import SimpleNamespace

    territory = make_territory("figeac", "Figeac")
    pilot = make_organization(territory, "Pilote")
    other = make_organization(territory, "Autre")
    module = enable_module(territory, "concierge", stage="prototype", pilots=[pilot])
    add_catalogue(territory)  # the concierge's prerequisites: the answers below are about people
    stranger_home = make_territory("autun", "Autun")
    return SimpleNamespace(
        territory=territory, module=module,
        pilot_employee=make_user(territory, "employee", pilot),
        other_employee=make_user(territory, "employee", other),
        member_without_employer=make_user(territory, "governance_member"),
        operator=make_user(territory, "service_operator", module=module),
        admin=make_user(territory, "territory_admin"),
        stranger=make_user(stranger_home, "employee", make_organization(stranger_home, "Ailleurs")),
    )


def test_answer_codes_for_each_kind_of_page(app, town):
    def answer(user, who, key="concierge"):
        return _answer(app, town.territory, user, key, who)

    # Operators and admins pass everywhere.
    for person in (town.operator, town.admin):
        assert {answer(person, who) for who in ("operator", "user", "member", "any")} == {"concierge"}
    # A pilot's employee uses the prototype; another company's employee may look but not use it.
    assert answer(town.pilot_employee, "user") == "concierge"
    assert answer(town.pilot_employee, "operator") == 403
    assert answer(town.other_employee, "user") == 403
    assert answer(town.other_employee, "member") == "concierge"
    assert answer(town.member_without_employer, "user") == 403
    # People of another territory: 403 (the module exists here); anonymous visitors: sign in.
    assert answer(town.stranger, "member") == 403 and answer(town.stranger, "user") == 403
    assert answer(None, "user") in (302, 401)
    assert answer(None, "any") == "concierge"
    # No module of that service here, or an unknown service: 404 for everyone.
    assert answer(town.admin, "operator", key="mobility") == 404
    assert answer(town.admin, "any", key="no_such_service") == 404
    with pytest.raises(ValueError):
        answer(town.admin, "owner")


def test_a_stopped_module_is_hidden_from_users_and_a_disabled_one_from_everyone(app, town, scoped):
    from coopserv.testing import update_settings

    with scoped(town.territory):
        update_settings(town.module, {"stage": "stopped", "pilot_organization_ids": []})
    assert _answer(app, town.territory, town.pilot_employee, "concierge", "user") == 404
    assert _answer(app, town.territory, town.pilot_employee, "concierge", "member") == 404
    assert _answer(app, town.territory, town.operator, "concierge", "operator") == "concierge"
    with scoped(town.territory):
        disable_module(town.module)
    for person, who in ((town.operator, "operator"), (town.admin, "user"), (None, "any")):
        assert _answer(app, town.territory, person, "concierge", who) == 404


@pytest.mark.parametrize("service_key", BUILT_IN)
def test_every_plugin_operator_page_answers_alike(app, service_key, make_territory, make_organization, make_user,
                                                  enable_module, make_client, scoped):
    """Employee: 403; operator: 200; once the module is disabled, 404 even for its operator."""
    from flask import url_for

    from coopserv.plugin_host import service_type

    territory = make_territory("figeac", "Figeac")
    company = make_organization(territory, "Figeac Aéro")
    module = enable_module(territory, service_key, stage="perennial")
    employee, operator = make_client(), make_client()
    employee.login(make_user(territory, "employee", company))
    operator.login(make_user(territory, "service_operator", module=module))
    with app.test_request_context():
        url = url_for(service_type(service_key).operator_endpoint, territory_slug="figeac")
    assert employee.get(url).status_code == 403
    assert operator.get(url).status_code == 200
    with scoped(territory):
        disable_module(module)
    assert operator.get(url).status_code == 404
