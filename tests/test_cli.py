"""The `coopserv` command: clear errors, non-zero exits and nothing half-written on bad arguments."""
import json

import pytest
from sqlalchemy import func, select

from coopserv.accounts.models import Membership, User
from coopserv.cli import main
from coopserv.extensions import db
from coopserv.modules.models import ServiceModule
from coopserv.territories.models import Territory
from coopserv.timeutil import local_today
from tests.helpers import count_rows, place_order, rows

PASSWORD = "un mot de passe assez long"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(main, list(args), **kwargs)

    return invoke


def test_territory_create(cli):
    result = cli("territory", "create", "lot-celé", "Lot Célé")
    assert result.exit_code != 0
    assert "slug" in result.output and "Traceback" not in result.output
    assert count_rows(Territory) == 0
    result = cli("territory", "create", "lot-cele", "Lot Célé", "--region", "Occitanie")
    assert result.exit_code == 0, result.output
    [territory] = rows(Territory)
    assert (territory.slug, territory.name, territory.region) == ("lot-cele", "Lot Célé", "Occitanie")
    again = cli("territory", "create", "lot-cele", "Autre")
    assert again.exit_code != 0 and "slug" in again.output
    assert count_rows(Territory) == 1


def test_user_create_with_unknown_territory_leaves_no_user(cli):
    result = cli("user", "create", "claude@example.org", "--name", "Claude", "--password", PASSWORD,
                 "--territory", "nowhere", "--role", "employee")
    assert result.exit_code != 0
    assert "nowhere" in result.output
    assert rows(User, email="claude@example.org") == []


def test_user_create_with_unknown_organization_leaves_no_user(cli, figeac):
    result = cli("user", "create", "claude@example.org", "--name", "Claude", "--password", PASSWORD,
                 "--territory", "figeac", "--role", "employee", "--organization", "Inconnue SA")
    assert result.exit_code != 0 and "Inconnue SA" in result.output
    assert rows(User, email="claude@example.org") == []


def test_user_create_with_a_role(cli, figeac):
    result = cli("user", "create", "claude@example.org", "--name", "Claude", "--password", PASSWORD,
                 "--territory", "figeac", "--role", "employee", "--organization", "Figeac Aéro")
    assert result.exit_code == 0, result.output
    [user] = rows(User, email="claude@example.org")
    assert user.check_password(PASSWORD) and PASSWORD not in user.password_hash
    [membership] = rows(Membership, user_id=user.id)
    assert (membership.role, membership.organization_id, membership.territory_id) == (
        "employee", figeac.aero.id, figeac.territory.id)


def test_user_create_rejects_a_short_password_or_a_used_email(cli, figeac):
    assert cli("user", "create", "claude@example.org", "--name", "Claude", "--password", "short").exit_code != 0
    duplicate = cli("user", "create", figeac.employee.email, "--name", "Claude", "--password", PASSWORD)
    assert duplicate.exit_code != 0 and "email" in duplicate.output
    assert rows(User, email="claude@example.org") == [] and count_rows(User, email=figeac.employee.email) == 1


def test_module_enable(cli, make_territory):
    make_territory("lot", "Lot")
    unknown_territory = cli("module", "enable", "nowhere", "concierge")
    assert unknown_territory.exit_code != 0 and "nowhere" in unknown_territory.output
    unknown_service = cli("module", "enable", "lot", "teleportation")
    assert unknown_service.exit_code != 0 and "teleportation" in unknown_service.output
    invalid = cli("module", "enable", "lot", "concierge", "--config", '{"min_days_ahead": 99}')
    assert invalid.exit_code != 0 and "min_days_ahead" in invalid.output
    not_json = cli("module", "enable", "lot", "concierge", "--config", "{min_days")
    assert not_json.exit_code != 0 and "JSON" in not_json.output
    assert count_rows(ServiceModule) == 0
    good = cli("module", "enable", "lot", "concierge", "--stage", "pilot", "--config", '{"min_days_ahead": 2}')
    assert good.exit_code == 0, good.output
    [module] = rows(ServiceModule)
    assert (module.service_key, module.stage, module.config["min_days_ahead"]) == ("concierge", "pilot", 2)


def test_person_export_and_erase(cli, figeac, catalogue):
    request = place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    request_id, user_id = request.id, figeac.employee.id
    exported = cli("person", "export", "camille@aero.example")
    assert exported.exit_code == 0
    data = json.loads(exported.output)
    assert data["account"]["email"] == "camille@aero.example"
    assert [r["id"] for r in data["service_requests"]] == [request_id]
    assert cli("person", "export", "nobody@example.org").exit_code != 0

    refused = cli("person", "erase", "camille@aero.example", input="n\n")
    assert refused.exit_code != 0 and len(rows(User, id=user_id)) == 1
    erased = cli("person", "erase", "camille@aero.example", "--yes")
    assert erased.exit_code == 0, erased.output
    assert rows(User, id=user_id) == []
    assert rows(Membership, user_id=user_id) == []


@pytest.mark.parametrize("app_config", [{"EXTRA_PLUGINS": ["tests.plugins_for_tests.tick_recorder"]}])
def test_tick_calls_every_territory_in_its_scope(cli, figeac, autun):
    from tests.plugins_for_tests import tick_recorder

    tick_recorder.calls.clear()
    first = cli("tick")
    assert first.exit_code == 0 and "Tick" in first.output
    assert [(slug, scope) for slug, scope, _now in tick_recorder.calls] == [
        ("figeac", "figeac"), ("autun-morvan", "autun-morvan")]
    assert cli("tick").exit_code == 0
    assert len(tick_recorder.calls) == 4


def test_demo_prepares_the_four_territories_and_prints_the_sign_ins(app):
    from flask.cli import ScriptInfo

    from coopserv.cli import main
    from coopserv.territories.models import Territory

    runner = app.test_cli_runner()
    result = runner.invoke(main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "employee@figeac.demo" in result.output and "operator-concierge@figeac.demo" in result.output
    slugs = set(db.session.scalars(select(Territory.slug)))
    assert slugs == {"ouest-rhodanien", "autun-morvan", "figeac", "grand-quercy"}
    # Every account the demo creates is printed, with its roles: committee members, non-pilot employees…
    from coopserv.accounts.models import User
    from coopserv.needs.models import Need
    from coopserv.tenancy import ALL_TERRITORIES

    emails = db.session.scalars(select(User.email)).all()
    assert len(emails) > 40 and all(email in result.output for email in emails)
    assert "elue@grand-quercy.demo" in result.output and "committee member" in result.output
    assert "colleague@figeac.demo" in result.output and "(not in a pilot)" in result.output
    # Every territory's needs board has needs to read.
    boards = db.session.execute(select(Territory.slug, func.count(Need.id)).join(Need, Need.territory_id == Territory.id)
                                .group_by(Territory.slug).execution_options(**{ALL_TERRITORIES: True})).all()
    assert {slug for slug, count in boards if count >= 3} == slugs
    _check_demo_network(result.output)
    again = runner.invoke(main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app))
    assert again.exit_code == 0 and "already present" in again.output


def _check_demo_network(output):
    """ADEFPAT's network over the four territories, ARADEL co-organising the guide's eight seminars."""

    from coopserv.network.models import Network, NetworkEvent, PracticeSheet
    from coopserv.public.models import PublishedEvent
    from tests.helpers import rows

    assert "coordination@adefpat.demo" in output
    network = rows(Network)[0]
    assert {t.territory.slug for t in network.territories} == {"ouest-rhodanien", "autun-morvan", "figeac",
                                                                "grand-quercy"}
    seminars = [e for e in rows(NetworkEvent) if e.kind == "seminar"]
    assert [e.starts_on.year for e in sorted(seminars, key=lambda e: e.starts_on)] == [2017, 2018, 2018, 2018, 2019,
                                                                                        2019, 2019, 2019]
    assert all({p.name for p in e.organisers} == {"ADEFPAT", "ARADEL"} and e.minutes and e.registrations
               for e in seminars)
    assert any(e.starts_on > local_today() for e in rows(NetworkEvent))
    assert {s.source_territory.slug for s in rows(PracticeSheet)} == {"figeac", "autun-morvan"}
    assert any(p.registration_open for p in rows(PublishedEvent))
