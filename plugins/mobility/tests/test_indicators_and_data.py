"""Indicators against hand-counted crews, personal data export and erasure, the demo seed."""
from datetime import datetime

import pytest
from coopserv_plugins.mobility import indicators
from coopserv_plugins.mobility.models import (
    BusinessPark,
    Commute,
    Crew,
    CrewMember,
    ShuttleRun,
)
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, db
from coopserv.testing import erase_person, export_person

START, END = datetime(2026, 11, 1), datetime(2026, 12, 1)


@pytest.fixture
def crews(ouest, scoped):
    """Two crews of November by hand: one still riding, one that ended before November."""
    with scoped(ouest.territory):
        riding = Crew(business_park_id=ouest.pins.id, label="Amplepuis → ZA des Pins", weekdays=0b11111,
                      created_at=datetime(2026, 10, 5))
        ended = Crew(business_park_id=ouest.pins.id, label="Joux → ZA des Pins", weekdays=0b11, active=False,
                     created_at=datetime(2026, 9, 1), ended_at=datetime(2026, 10, 20))
        db.session.add_all([riding, ended])
        db.session.flush()
        db.session.add_all([
            CrewMember(crew_id=riding.id, user_id=ouest.driver.id, organization_id=ouest.textiles.id, role="driver",
                       weekdays=0b11111, days_per_week=5, trip_km=0, joined_at=datetime(2026, 10, 5)),
            CrewMember(crew_id=riding.id, user_id=ouest.passenger.id, organization_id=ouest.plasturgie.id,
                       role="passenger", weekdays=0b111, days_per_week=3, trip_km=10.0,
                       joined_at=datetime(2026, 10, 5)),
            CrewMember(crew_id=riding.id, user_id=ouest.second.id, organization_id=ouest.textiles.id,
                       role="passenger", weekdays=0b11, days_per_week=2, trip_km=5.0, joined_at=datetime(2026, 10, 5)),
            CrewMember(crew_id=ended.id, user_id=ouest.admin.id, role="passenger", weekdays=0b11, days_per_week=2,
                       trip_km=30.0, active=False, joined_at=datetime(2026, 9, 1), left_at=datetime(2026, 10, 20)),
        ])
        db.session.commit()


def test_indicators_match_hand_counts(ouest, crews, scoped, enable_module):
    with scoped(ouest.territory):
        module = ouest.module
        assert indicators.active_crews(module, START, END) == 1
        # (10 km × 2 × 3 days + 5 km × 2 × 2 days) a week = 80 km, × 52/12 weeks = 346.7 km a month.
        assert indicators.shared_km_per_month(module, START, END) == pytest.approx(346.7)
        months = 30 / (365.25 / 12)
        assert indicators.co2_avoided(module, START, END) == pytest.approx(round(346.7 * months * 0.218, 1))
        # 3 riders of the 200 employees of the two companies at ZA des Pins.
        assert indicators.park_coverage(module, START, END) == pytest.approx(1.5)
        # October also counts the ended crew and its passenger.
        assert indicators.active_crews(module, datetime(2026, 10, 1), datetime(2026, 11, 1)) == 2
        module.config = dict(module.config, emission_factor_kg_per_km=0.1)
        assert indicators.co2_avoided(module, START, END) == pytest.approx(round(346.7 * months * 0.1, 1))


def test_personal_data_is_exported_and_erased(people, ouest, scoped):
    from .conftest import commute_form, publish

    publish(people.passenger, commute_form(ouest, "request", town="Valsonne"))
    with scoped(ouest.territory):
        db.session.add(CrewMember(crew_id=_crew(ouest).id, user_id=ouest.passenger.id, role="passenger",
                                  weekdays=1, days_per_week=1, trip_km=4.5))
        db.session.commit()
    exported = export_person(ouest.passenger)
    assert exported["mobility_commutes"][0]["home_latitude"] == 45.94318
    assert exported["mobility_crews"][0]["trip_km"] == 4.5
    erase_person(ouest.passenger)

    def count(query):
        return db.session.scalar(query.execution_options(**{ALL_TERRITORIES: True}))

    assert count(select(func.count(Commute.id))) == 0
    assert count(select(func.count(CrewMember.id))) == 1
    assert count(select(CrewMember.user_id)) is None


def _crew(ouest):
    crew = Crew(business_park_id=ouest.pins.id, label="Test")
    db.session.add(crew)
    db.session.flush()
    return crew


def test_the_demo_seeds_parks_commutes_a_crew_and_a_shuttle(app):
    from coopserv.plugin_api import Territory
    from coopserv.testing import seed_demo

    seed_demo()

    def rows(model, slug):
        territory = db.session.scalar(select(Territory).filter_by(slug=slug))
        return db.session.scalars(select(model).where(model.territory_id == territory.id)
                                  .execution_options(**{ALL_TERRITORIES: True})).all()

    assert {p.name for p in rows(BusinessPark, "ouest-rhodanien")} == {"ZA des Pins", "ZA du Tuburon"}
    assert {p.name for p in rows(BusinessPark, "figeac")} == {"ZA de l'Aiguille"}
    assert {c.kind for c in rows(Commute, "ouest-rhodanien")} == {"offer", "request"}
    assert [c.label for c in rows(Crew, "ouest-rhodanien")] == ["Amplepuis → ZA des Pins"]
    assert len(rows(ShuttleRun, "ouest-rhodanien")) == 10
    assert len(rows(Commute, "figeac")) == 2 and rows(Crew, "figeac") == []
    # The demo publishes its feeds: the shuttle's runs are in the GTFS zip, Figeac's bikes in GBFS.
    client = app.test_client()
    assert all(run.origin_latitude is not None for run in rows(ShuttleRun, "ouest-rhodanien"))
    gtfs = client.get("/t/ouest-rhodanien/mobility/feeds/gtfs.zip")
    assert gtfs.status_code == 200 and gtfs.data[:2] == b"PK"
    stations = client.get("/t/figeac/mobility/feeds/gbfs/station_information.json").get_json()["data"]["stations"]
    assert [station["name"] for station in stations] == ["Vélos de la gare de Figeac"]


def test_the_config_defaults_to_the_ademe_factor_and_refuses_bad_limits(app):
    from coopserv_plugins.mobility.schemas import MobilityConfigSchema
    from marshmallow import ValidationError

    config = MobilityConfigSchema().load({})
    assert config["emission_factor_kg_per_km"] == 0.218 and config["max_detour_km"] == 5.0
    assert "ADEME" in str(MobilityConfigSchema().fields["emission_factor_kg_per_km"].metadata["label"])
    with pytest.raises(ValidationError) as refused:
        MobilityConfigSchema().load({"max_detour_km": 0, "max_time_difference_minutes": 500})
    assert set(refused.value.messages) == {"max_detour_km", "max_time_difference_minutes"}
