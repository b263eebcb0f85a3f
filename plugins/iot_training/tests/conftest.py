"""IoT training fixtures: Autun Morvan running the training as a pilot, and Figeac next door."""
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from coopserv_plugins.iot_training.models import Course, SessionDay, TrainingSession
from coopserv_plugins.iot_training.services import working_days
from sqlalchemy import func, select

from coopserv.plugin_api import ALL_TERRITORIES, ServiceRequest, db, local_today, territory_scope

PREFIX = "/t/autun-morvan/iot-training"


@pytest.fixture
def autun(make_territory, make_organization, make_user, enable_module):
    """Autun Morvan: two pilot companies and one that is not, with their people and a coordinator."""
    territory = make_territory("autun-morvan", "Autun Morvan")
    nexans = make_organization(territory, "Nexans Autun", employee_count=400)
    morvan = make_organization(territory, "Morvan Électronique", employee_count=35)
    outsider = make_organization(territory, "Grand Autunois Morvan", kind="local_authority")
    module = enable_module(territory, "iot_training", stage="pilot", pilots=(nexans, morvan))
    return SimpleNamespace(
        territory=territory, nexans=nexans, morvan=morvan, outsider=outsider, module=module,
        employee=make_user(territory, "employee", nexans, email="camille@nexans.example", name="Camille Martin"),
        colleague=make_user(territory, "employee", nexans, email="julien@nexans.example", name="Julien Bernard"),
        other=make_user(territory, "employee", morvan, email="ines@morvan.example", name="Inès Girard"),
        stranger=make_user(territory, "employee", outsider, email="paul@grandautunois.example"),
        referent=make_user(territory, "company_referent", nexans, email="rh@nexans.example"),
        morvan_referent=make_user(territory, "company_referent", morvan, email="rh@morvan.example"),
        admin=make_user(territory, "territory_admin", email="admin@autun.example"),
        operator=make_user(territory, "service_operator", module=module, email="formation@autun.example"),
    )


@pytest.fixture
def figeac(make_peopled_territory):
    """Another territory running the same service, to check that nothing leaks across."""
    town = make_peopled_territory('figeac', 'Figeac', services=('iot_training',), organizations=[('Figeac Aéro', 35)],
                                  emails={'employee': 'lou@aero.example', 'referent': 'rh@aero.example', 'admin': 'admin@figeac.example', 'operator': 'formation@figeac.example'})
    town.company = town.organizations[0]
    return town


def today():
    return local_today()


def next_monday(after_days=14):
    day = today() + timedelta(days=after_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def add_course(territory, title="Capteurs connectés et maintenance prédictive"):
    with territory_scope(territory):
        course = Course(title=title, summary="Capteurs, seuils, tendances.")
        db.session.add(course)
        db.session.commit()
        return course


def add_session(territory, course, first_day=None, days=2, capacity=10, minimum=2, deadline=None, status="open"):
    """A session written directly, so tests can place it in the past too."""
    first_day = first_day or next_monday()
    last_day = first_day + timedelta(days=days - 1)
    with territory_scope(territory):
        session = TrainingSession(
            course_id=course.id, first_day=first_day, last_day=last_day, starts_at=time(9), ends_at=time(17),
            place="Campus des métiers, Autun", trainer="Sophie Garnier", capacity=capacity, min_participants=minimum,
            registration_deadline=deadline or first_day - timedelta(days=3), status=status)
        session.days = [SessionDay(day=day) for day in working_days(first_day, last_day)]
        db.session.add(session)
        db.session.commit()
        return session


def enrol(client, session_id, expect=302):
    response = client.post_form("/t/autun-morvan/services/iot_training/requests", {"session_id": str(session_id)})
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    if expect == 302:
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return None


def status_of(request_id):
    return db.session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == request_id)
                             .execution_options(**{ALL_TERRITORIES: True}))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True}))


def move_into_past(territory, session, first_day, scoped=territory_scope):
    """Let time pass: the session's days are now behind us."""
    with scoped(territory):
        row = db.session.get(TrainingSession, session.id)
        shift = row.first_day - first_day
        row.first_day -= shift
        row.last_day -= shift
        row.registration_deadline -= shift
        row.status = "confirmed"
        for day in row.days:
            day.day -= shift
        db.session.commit()


@pytest.fixture
def course(autun):
    return add_course(autun.territory)


@pytest.fixture
def session(autun, course):
    return add_session(autun.territory, course)


@pytest.fixture
def login(make_client):
    """``login(user)`` returns a signed-in client of its own."""
    def factory(user):
        client = make_client()
        client.login(user)
        return client

    return factory
