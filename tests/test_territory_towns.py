"""A territory gets its towns from the official administrative division (Etalab, vendored)."""
import pytest
from marshmallow import ValidationError

from coopserv.cli import main
from coopserv.territories import division
from coopserv.territories.models import Territory, TerritoryTown
from coopserv.territories.services import create_territory_with_towns
from tests.helpers import count_rows, rows

GRAND_FIGEAC = "200067361"


def test_the_vendored_division_knows_communes_and_epci():
    figeac = division.commune("46102")
    assert (figeac.name, figeac.postcode, figeac.departement) == ("Figeac", "46100", "46")
    group = division.epci(GRAND_FIGEAC)
    assert group.name == "CC Grand-Figeac" and group.kind == "CC" and len(group.communes) == 92
    assert "Capdenac-Gare" in {c.name for c in group.communes}  # members across two départements
    assert {c.departement for c in group.communes} == {"12", "46"}
    assert division.commune("99999") is None and division.epci("123") is None


def test_a_territory_created_from_its_epci_gets_its_towns_at_once(app):
    territory = create_territory_with_towns({"slug": "grand-figeac", "name": "Grand-Figeac"}, epci_siren=GRAND_FIGEAC,
                                            insee_codes=["46102", "15119"])  # Figeac again, and Massiac
    towns = rows(TerritoryTown)
    assert len(towns) == 93 and {t.territory_id for t in towns} == {territory.id}
    figeac = next(t for t in towns if t.insee_code == "46102")
    assert (figeac.name, figeac.postcode, figeac.latitude) == ("Figeac", "46100", None)


def test_unknown_codes_are_field_errors_and_create_nothing(app):
    with pytest.raises(ValidationError) as raised:
        create_territory_with_towns({"slug": "nulle-part", "name": "Nulle part"}, epci_siren="000000000",
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
