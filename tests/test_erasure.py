"""Erasure leaves nothing: a person writes a unique marker in every free-text field they can fill,
through the core and every installed service, is erased, and no text column of any table (read
from the database itself, not from a list) still holds the marker.

Plugins declare their tables through ``register_personal_data``: a plugin that forgets a table or a
text column leaves the marker behind and fails this test. A service added tomorrow must add its
scenario to ``SCENARIOS`` (the test says so) so that its free-text fields are checked too.
"""
from datetime import timedelta

import pytest
from sqlalchemy import String, Text, func, inspect, select, text
from sqlalchemy.types import JSON

from coopserv.accounts.models import Membership, User
from coopserv.extensions import db
from coopserv.tenancy import ALL_TERRITORIES, territory_scope
from coopserv.timeutil import local_today

MARKER = "zqxmarker"
EMAIL = f"{MARKER}@example.org"
ALL = {ALL_TERRITORIES: True}


def _one(query):
    return db.session.scalars(query.execution_options(**ALL)).first()


def _territory(slug):
    from coopserv.territories.models import Territory

    return db.session.scalar(select(Territory).filter_by(slug=slug))


def _organization(territory, name):
    from coopserv.organizations.models import Organization

    return _one(select(Organization).filter_by(territory_id=territory.id, name=name))


def _module(territory, key):
    from coopserv.modules.models import ServiceModule

    return _one(select(ServiceModule).filter_by(territory_id=territory.id, service_key=key))


def _join(user, territory, organization, *roles, module=None):
    with territory_scope(territory):
        for role in roles:
            db.session.add(Membership(user_id=user.id, role=role, organization_id=organization.id,
                                      module_id=module.id if module else None))
        db.session.commit()


def _submit(territory, key, user, organization, payload):
    from coopserv.service_requests.services import submit_request

    with territory_scope(territory):
        return submit_request(_module(territory, key), user, organization, payload)


# -- what the person does, service by service ----------------------------------------------------

def concierge(person):
    from coopserv_plugins.concierge.models import CatalogItem, PickupSlot
    from coopserv_plugins.concierge.schemas import ConciergeConfigSchema

    from coopserv.service_requests.services import apply_transition

    figeac = _territory("figeac")
    module = _module(figeac, "concierge")
    config = ConciergeConfigSchema().load(module.config or {})
    with territory_scope(figeac):
        item = db.session.scalar(select(CatalogItem).filter_by(active=True).order_by(CatalogItem.id))
        slot = db.session.scalar(select(PickupSlot).order_by(PickupSlot.id))
    day = local_today() + timedelta(days=config["min_days_ahead"])
    day += timedelta(days=(slot.weekday - day.weekday()) % 7)
    request = _submit(figeac, "concierge", person.user, person.aero, {
        "items": [{"item_id": item.id, "quantity": 1}], "slot_id": slot.id, "dropoff_date": day.isoformat(),
        "notes": f"Amidon léger {MARKER}"})
    with territory_scope(figeac):
        apply_transition(request, "cancel", person.user, False, f"Je me suis trompé {MARKER}")


def spouse_welcome(person):
    figeac = _territory("figeac")
    _submit(figeac, "spouse_welcome", person.user, person.aero, {
        "partner_first_name": f"Thomas{MARKER}", "profession": f"Menuisier {MARKER}", "skills": f"pose {MARKER}",
        "languages": [f"breton {MARKER}"], "sectors": [f"Bois {MARKER}"], "housing_needs": f"maison {MARKER}",
        "children_ages": [4], "arrival_date": (local_today() + timedelta(days=30)).isoformat()})


def mobility(person):
    from coopserv_plugins.mobility import services as mobility_services
    from coopserv_plugins.mobility.models import BusinessPark, Commute, Proposal, Town

    ouest = _territory("ouest-rhodanien")
    with territory_scope(ouest):
        park = db.session.scalar(select(BusinessPark).filter_by(name="ZA des Pins"))
        town = db.session.scalar(select(Town).order_by(Town.name))
    # A commute has no free text: its town is chosen from the territory's towns, which erasure keeps.
    _submit(ouest, "mobility", person.user, person.textiles, {
        "kind": "offer", "business_park_id": park.id, "town_id": town.id, "weekdays": [0, 1, 2, 3, 4],
        "departure_time": "07:30", "return_time": "17:00", "seats": 3})
    # A colleague asks for a seat: both accept, so a crew forms, labelled after the driver's town.
    colleague = person.colleague
    _submit(ouest, "mobility", colleague, person.textiles, {
        "kind": "request", "business_park_id": park.id, "town_id": town.id, "weekdays": [0, 1],
        "departure_time": "07:30", "return_time": "17:00", "seats": 1})
    with territory_scope(ouest):
        offer = db.session.scalar(select(Commute).filter_by(user_id=person.user.id))
        proposal = db.session.scalar(select(Proposal).filter_by(offer_id=offer.id))
        assert proposal is not None, "the demo colleague's request should match the person's offer"
        mobility_services.answer_proposal(proposal, person.user, "accept")
        mobility_services.answer_proposal(proposal, colleague, "accept")


def childminder_house(person):
    from coopserv_plugins.childminder_house.models import House

    ouest = _territory("ouest-rhodanien")
    with territory_scope(ouest):
        house = db.session.scalar(select(House).filter_by(active=True))
    opens = house.opens_at + 60
    _submit(ouest, "childminder_house", person.user, person.textiles, {
        "house_id": house.id, "child_first_name": f"Lina{MARKER}", "child_age_months": 12,
        "slots": [{"weekday": sorted(house.weekdays)[0], "starts_at": f"{opens // 60:02d}:{opens % 60:02d}",
                   "ends_at": f"{(opens + 180) // 60:02d}:{(opens + 180) % 60:02d}"}],
        "start_date": (local_today() + timedelta(days=20)).isoformat()})


def iot_training(person):
    from coopserv_plugins.iot_training import services as training
    from coopserv_plugins.iot_training.models import SurveyAnswer

    autun = _territory("autun-morvan")
    with territory_scope(autun):
        session = next(s for s in training.open_sessions() if training.registration_problem(s) is None)
        training.declare_need(person.nexans, person.user, {"title": f"Capteurs {MARKER}",
                                                           "description": f"ligne {MARKER}", "people_count": 2})
    request = _submit(autun, "iot_training", person.user, person.nexans,
                      {"session_id": session.id, "motivation": f"J'apprends {MARKER}"})
    with territory_scope(autun):
        enrolment = training.enrolment_for_request(request.id)
        # The survey opens after the session; the answer is stored as the survey page stores it.
        db.session.add(SurveyAnswer(enrolment_id=enrolment.id, user_id=person.user.id, score=4,
                                    comment=f"Très bien {MARKER}"))
        db.session.commit()


def smart_parking(person):
    """A reservation has no free text; the person's reservation must still go (checked by the scan of ids)."""


def coworking(person):
    from coopserv_coworking.models import Resource

    from coopserv.modules.services import enable_module

    quercy = _territory("grand-quercy")
    with territory_scope(quercy):
        enable_module("coworking", stage="perennial")
        desk = Resource(name="Bureau 1")
        db.session.add(desk)
        db.session.commit()
    _submit(quercy, "coworking", person.user, person.conserverie, {
        "resource_id": desk.id, "day": (local_today() + timedelta(days=2)).isoformat(), "notes": f"Écran {MARKER}"})


SCENARIOS = {
    "concierge": concierge, "spouse_welcome": spouse_welcome, "mobility": mobility,
    "childminder_house": childminder_house, "iot_training": iot_training, "smart_parking": smart_parking,
    "coworking": coworking,
}


def core(person):
    """Needs, supports, a campaign answer, an idea, a satisfaction comment, an API token."""
    from coopserv.governance import events as gov_events
    from coopserv.needs import services as needs
    from coopserv.projects.models import SatisfactionAnswer, ServiceProject
    from coopserv.tokens.services import create_token

    figeac = _territory("figeac")
    with territory_scope(figeac):
        needs.ensure_categories()
        need = needs.submit_need({"title": f"Navette {MARKER}", "description": f"Depuis la gare {MARKER}",
                                  "category_id": needs.category_by_key("mobility").id, "employees_affected": 1,
                                  "sites": f"Site {MARKER}", "shifts": f"Nuit {MARKER}"},
                                 person.user, person.aero, False)
        # A colleague supports it: the need now lives in a shared space.
        needs.support_need(need, person.colleague_figeac, person.aero, False, {})
        campaign = needs.create_campaign({"title": "Recueil d'automne", "opens_on": local_today(),
                                          "closes_on": local_today() + timedelta(days=10),
                                          "questions": [{"text": "Vos besoins ?", "kind": "text"}]})
        question = campaign.questions[0]
        needs.answer_campaign(campaign, person.aero, person.user, {f"q{question.id}": f"Crèche {MARKER}"})
        event = next(e for e in gov_events.list_events())
        gov_events.register(event, person.user, person.aero)
        idea = gov_events.submit_idea(event, person.user, {"title": f"Idée {MARKER}", "pitch": f"Pitch {MARKER}"})
        gov_events.register(event, person.colleague_figeac, person.aero)
        gov_events.vote_for_idea(idea, person.colleague_figeac)
        project = db.session.scalar(select(ServiceProject).order_by(ServiceProject.id))
        db.session.add(SatisfactionAnswer(project_id=project.id, user_id=person.user.id, score=5,
                                          comment=f"Merci {MARKER}"))
        db.session.commit()
        create_token(person.user, figeac, f"Jeton {MARKER}")


@pytest.fixture
def person(app, client, make_client):
    """A person of the demo with a marker in every free-text field they can fill, in four territories."""
    from types import SimpleNamespace

    from coopserv.demo import seed_demo

    seed_demo()
    figeac, ouest, autun = _territory("figeac"), _territory("ouest-rhodanien"), _territory("autun-morvan")
    # Signing up without an invitation code, naming their company in a free-text field.
    response = client.post_form("/t/grand-quercy/signup", {
        "name": f"Camille {MARKER}", "email": EMAIL, "password": "correct horse battery",
        "password_confirm": "correct horse battery", "organization_name": f"Ma boîte {MARKER}"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    user = db.session.scalar(select(User).filter_by(email=EMAIL))
    quercy = _territory("grand-quercy")
    conserverie = _organization(quercy, "Conserverie du Quercy")
    with territory_scope(quercy):
        membership = db.session.scalar(select(Membership).filter_by(user_id=user.id))
        membership.status, membership.organization_id = "active", conserverie.id
        db.session.commit()
    aero, textiles, nexans = (_organization(figeac, "Figeac Aéro"), _organization(ouest, "Textiles de Tarare"),
                              _organization(autun, "Nexans Autun"))
    _join(user, figeac, aero, "employee", "company_referent", "governance_member")
    _join(user, ouest, textiles, "employee")
    _join(user, autun, nexans, "employee", "company_referent")
    colleague = db.session.scalar(select(User).filter_by(email="employee@ouest-rhodanien.demo"))
    colleague_figeac = db.session.scalar(select(User).filter_by(email="employee@figeac.demo"))
    return SimpleNamespace(user=user, aero=aero, textiles=textiles, nexans=nexans, conserverie=conserverie,
                           colleague=colleague, colleague_figeac=colleague_figeac)


def _text_columns():
    """(table, column) of every text-like column of every table, read from the database."""
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            kind = column["type"]
            if isinstance(kind, (String, Text, JSON)) or type(kind).__name__.upper() in ("JSONB", "JSON", "TEXT"):
                yield table, column["name"]


def _holding(marker):
    found = []
    with db.engine.connect() as connection:
        for table, column in _text_columns():
            count = connection.execute(
                text(f'SELECT COUNT(*) FROM "{table}" WHERE LOWER(CAST("{column}" AS TEXT)) LIKE :pattern'),
                {"pattern": f"%{marker}%"}).scalar()
            if count:
                found.append(f"{table}.{column}")
    return found


def test_every_installed_service_has_an_erasure_scenario(app):
    missing = set(app.extensions["coopserv"].service_types) - set(SCENARIOS)
    assert not missing, (f"Add what a person writes in {sorted(missing)} to SCENARIOS in tests/test_erasure.py, "
                         "so erasure is checked for it.")


def test_every_column_pointing_at_a_person_is_declared(app):
    """Each foreign key to ``user`` in the database is some PersonalData's user column."""
    from coopserv.privacy.services import personal_data_specs

    declared = {(spec.model.__tablename__, spec.user_column) for spec in personal_data_specs()}
    inspector = inspect(db.engine)
    pointing = {(table, column) for table in inspector.get_table_names()
                for key in inspector.get_foreign_keys(table) if key["referred_table"] == "user"
                for column in key["constrained_columns"]}
    assert pointing, "the database has no foreign key to user: the check would prove nothing"
    assert sorted(pointing - declared) == []


def test_a_column_declared_twice_is_refused(app, monkeypatch):
    """Two declarations of one column would export it twice and erase it by whichever rule ran first."""
    host = app.extensions["coopserv"]
    declared = host._declared("personal_data", "register_personal_data")
    monkeypatch.setattr(host, "_declared", lambda *names: declared + [declared[0]])
    with pytest.raises(ValueError, match=f"{declared[0].model.__name__}.{declared[0].user_column}"):
        host.personal_data()


def test_erasure_leaves_no_trace_in_any_text_column(app, person):
    from coopserv.audit.models import AuditEntry
    from coopserv.cli import main
    from coopserv.needs.models import Need
    from coopserv.privacy.services import pseudonym

    core(person)
    for key in sorted(app.extensions["coopserv"].service_types):
        SCENARIOS[key](person)
    written = _holding(MARKER)
    # The scenario reached every kind of place: core tables and each service's own tables (carpooling has no
    # free text any more: its town is chosen from the territory's towns).
    for expected in ("need.title", "governance_idea.pitch", "access_token.name", "audit_entry.details",
                     "concierge_order.notes", "spouse_welcome_case.sectors",
                     "childminder_house_placement.child_first_name", "iot_training_skill_need.description",
                     "coworking_booking.notes", "status_change.comment", "need_campaign_answer.answers"):
        assert expected in written, f"the scenario wrote no marker in {expected}"
    user_id, reference = person.user.id, pseudonym(person.user)

    # What a platform operator runs.
    result = app.test_cli_runner().invoke(main, ["person", "erase", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output

    assert _holding(MARKER) == []
    assert db.session.scalar(select(func.count()).select_from(User).filter_by(id=user_id)) == 0
    # What others supported keeps its place, with neutral words.
    figeac = _territory("figeac")
    with territory_scope(figeac):
        need = db.session.scalar(select(Need).filter(Need.author_id.is_(None)).order_by(Need.id.desc()))
        assert need.title == "Contribution retirée"
    # The audit log names the person by a pseudonym only, in every territory they belonged to.
    erased = db.session.scalars(select(AuditEntry).filter_by(action="privacy.erased").execution_options(**ALL)).all()
    assert {entry.target for entry in erased} == {reference} and len(erased) == 4
    # No foreign key still points at the person.
    inspector = inspect(db.engine)
    with db.engine.connect() as connection:
        for table in inspector.get_table_names():
            for key in inspector.get_foreign_keys(table):
                if key["referred_table"] == "user":
                    column = key["constrained_columns"][0]
                    count = connection.execute(text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = :id'),
                                               {"id": user_id}).scalar()
                    assert count == 0, f"{table}.{column} still points at the erased person"
