"""A territory gets its towns from the official administrative division (Etalab, vendored)."""
import pytest
from marshmallow import ValidationError

from coopserv.cli import main
from coopserv.territories import division
from coopserv.territories.models import Territory, TerritoryTown
from coopserv.territories.services import create_territory_with_towns
from tests.helpers import count_rows, rows

GRAND_FIGEAC = "200067361"
#: With Grand-Figeac, the PETR Figeac Quercy Vallée de la Dordogne.
CAUVALDOR = "200066371"


def test_the_vendored_division_knows_communes_and_epci():
    figeac = division.commune("46102")
    assert (figeac.name, figeac.postcode, figeac.departement) == ("Figeac", "46100", "46")
    group = division.epci(GRAND_FIGEAC)
    assert group.name == "CC Grand-Figeac" and group.kind == "CC" and len(group.communes) == 92
    assert "Capdenac-Gare" in {c.name for c in group.communes}  # members across two départements
    assert {c.departement for c in group.communes} == {"12", "46"}
    assert division.commune("99999") is None and division.epci("123") is None


def test_a_territory_created_from_its_epci_gets_its_towns_at_once(app):
    territory = create_territory_with_towns({"slug": "grand-figeac", "name": "Grand-Figeac"}, epci_sirens=[GRAND_FIGEAC],
                                            insee_codes=["46102", "15119"])  # Figeac again, and Massiac
    towns = rows(TerritoryTown)
    assert len(towns) == 93 and {t.territory_id for t in towns} == {territory.id}
    figeac = next(t for t in towns if t.insee_code == "46102")
    assert (figeac.name, figeac.postcode, figeac.latitude) == ("Figeac", "46100", None)


def test_unknown_codes_are_field_errors_and_create_nothing(app):
    with pytest.raises(ValidationError) as raised:
        create_territory_with_towns({"slug": "nulle-part", "name": "Nulle part"}, epci_sirens=["000000000"],
                                    insee_codes=["46102", "00000"])
    assert set(raised.value.messages) == {"epci", "communes"} and "00000" in str(raised.value.messages["communes"])
    assert count_rows(Territory) == 0 and count_rows(TerritoryTown) == 0


def test_the_command_creates_a_territory_from_its_epci(app):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["territory", "create", "grand-figeac", "Grand-Figeac", "--epci", GRAND_FIGEAC])
    assert result.exit_code == 0, result.output
    assert "92" in result.output and count_rows(TerritoryTown) == 92
    wrong = runner.invoke(main, ["territory", "create", "autre", "Autre", "--commune", "4610"])
    assert wrong.exit_code != 0 and "communes" in wrong.output and "Traceback" not in wrong.output
    assert count_rows(Territory) == 1


def test_the_admin_adds_the_towns_of_an_epci_from_the_towns_page(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.get("/t/figeac/admin/towns").status_code == 200
    empty = admin.post_form("/t/figeac/admin/towns", {"epci": "", "communes": ""})
    assert empty.status_code == 422 and 'id="epci-error"' in empty.get_data(as_text=True)
    wrong = admin.post_form("/t/figeac/admin/towns", {"epci": "", "communes": "46102 00000"})
    assert wrong.status_code == 422 and 'id="communes-error"' in wrong.get_data(as_text=True)
    assert count_rows(TerritoryTown) == 0
    added = admin.post_form("/t/figeac/admin/towns", {"epci": GRAND_FIGEAC, "communes": ""})
    assert added.status_code == 302 and count_rows(TerritoryTown) == 92
    again = admin.post_json("/t/figeac/admin/towns", {"communes": "46102, 15119"})
    assert again.status_code == 200 and again.get_json() == {"added": 1}
    assert "Capdenac-Gare" in admin.get("/t/figeac/admin/towns").get_data(as_text=True)

    employee = make_client()
    employee.login(figeac.employee)
    assert employee.post_form("/t/figeac/admin/towns", {"epci": GRAND_FIGEAC}).status_code == 403


def test_a_territory_from_a_petr_gets_the_towns_of_each_of_its_epci(app):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["territory", "create", "petr-figeac", "PETR Figeac Quercy", "--epci", GRAND_FIGEAC,
                                  "--epci", CAUVALDOR])
    assert result.exit_code == 0, result.output
    assert "169 towns" in result.output and count_rows(TerritoryTown) == 92 + 77
    names = {town.name for town in rows(TerritoryTown)}
    assert {"Capdenac-Gare", "Souillac"} <= names  # one from each EPCI
    wrong = runner.invoke(main, ["territory", "create", "autre", "Autre", "--epci", GRAND_FIGEAC, "--epci", "123"])
    assert wrong.exit_code != 0 and "123" in wrong.output and count_rows(Territory) == 1


def test_the_towns_page_adds_the_communes_of_several_epci_in_one_action(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    wrong = admin.post_form("/t/figeac/admin/towns", {"epci": f"{GRAND_FIGEAC} 000000000", "communes": ""})
    assert wrong.status_code == 422 and "000000000" in wrong.get_data(as_text=True)
    assert count_rows(TerritoryTown) == 0  # one unknown EPCI adds nothing
    added = admin.post_form("/t/figeac/admin/towns", {"epci": f"{GRAND_FIGEAC}, {CAUVALDOR}", "communes": ""})
    assert added.status_code == 302 and count_rows(TerritoryTown) == 169
    api = admin.post_json("/t/figeac/admin/towns", {"epci": "abc"})
    assert api.status_code == 422 and set(api.get_json()["errors"]) == {"epci"}
