"""When spouse welcome stops, its open cases close now, so the retention clock starts (hook module_stopped)."""
from datetime import timedelta

from coopserv_plugins.spouse_welcome import services
from coopserv_plugins.spouse_welcome.models import Case

from coopserv.plugin_api import db, territory_scope, utcnow
from coopserv.testing import stop_module


def test_stopping_the_service_closes_cases_and_they_are_anonymised_after_retention(figeac, open_case):
    case = open_case()
    other = open_case(user=figeac.colleague)
    with territory_scope(figeac.territory):
        assert db.session.get(Case, case.id).closed_at is None
        stop_module(figeac.module, "The territory stopped this service.", figeac.admin)
        for row in (db.session.get(Case, case.id), db.session.get(Case, other.id)):
            assert row.closed_at is not None and row.request.status == "service_stopped"
        assert services.anonymise_expired_cases(figeac.module, utcnow()) == 0  # retention not over yet
        later = utcnow() + timedelta(days=services.module_config(figeac.module)["retention_days"] + 1)
        assert services.anonymise_expired_cases(figeac.module, later) == 2
        assert db.session.get(Case, case.id).partner_first_name == ""
