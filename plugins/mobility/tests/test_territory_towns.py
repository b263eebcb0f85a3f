"""Carpooling's towns come from the territory's official towns; parks are proposed from organizations."""
from coopserv_plugins.mobility.models import Town
from sqlalchemy import select

from coopserv.plugin_api import ALL_TERRITORIES, db
from coopserv.testing import give_towns


def test_the_operator_picks_a_territory_town_and_enters_its_point_once(make_client, figeac):
    give_towns(figeac.territory, ["46102", "12052"])  # Figeac, Capdenac-Gare
    operator = make_client()
    operator.login(figeac.operator)
    page = operator.get("/t/figeac/mobility/manage").get_data(as_text=True)
    assert '<option value="Figeac"' in page and '<option value="Capdenac-Gare"' in page
    assert '<option value="ZA de l&#39;Aiguille">' in page  # typed on Figeac Aéro, proposed as a park

    typed = operator.post_form("/t/figeac/mobility/manage/town", {"name": "Figeac-sur-Mer", "latitude": "44.6",
                                                                  "longitude": "2.03"})
    assert typed.status_code == 422 and 'id="name-error"' in typed.get_data(as_text=True)
    added = operator.post_form("/t/figeac/mobility/manage/town", {"name": "Figeac", "latitude": "44.608",
                                                                  "longitude": "2.031"})
    assert added.status_code == 302
    [town] = db.session.scalars(select(Town).execution_options(**{ALL_TERRITORIES: True})).all()
    assert (town.name, town.postcode, town.latitude) == ("Figeac", "46100", 44.608)
    page = operator.get("/t/figeac/mobility/manage").get_data(as_text=True)
    assert '<option value="Figeac"' not in page and '<option value="Capdenac-Gare"' in page
