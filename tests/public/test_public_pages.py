"""Public pages: visitors read only the sections a territory publishes, never a name, and register to an evening."""
from datetime import timedelta

import pytest

from coopserv.extensions import limiter
from coopserv.governance import events
from coopserv.needs import services as needs
from coopserv.needs.models import Need
from coopserv.public import services
from coopserv.public.models import PublicRegistration
from coopserv.tenancy import territory_scope
from coopserv.timeutil import utcnow
from tests.helpers import count_rows, rows, text_of

SECTIONS = ["/t/figeac/public/services", "/t/figeac/public/needs", "/t/figeac/public/projects",
            "/t/figeac/public/events"]


@pytest.fixture
def evening(figeac):
    with territory_scope(figeac.territory):
        needs.ensure_categories()
        needs.submit_need({"title": "Navette depuis la gare", "description": "Détails privés de Camille.",
                           "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                          figeac.employee, figeac.aero, False)
        event = events.create_event({"kind": "startup_evening", "title": "Start Up de Territoire",
                                     "starts_at": utcnow() + timedelta(days=10), "place": "Espace Mitterrand",
                                     "description": "Faire émerger des projets."}, figeac.admin)
        private = events.create_event({"kind": "leaders_meeting", "title": "Petit-déjeuner privé",
                                       "starts_at": utcnow() + timedelta(days=3)}, figeac.admin)
    return event, private


def _publish(figeac, event=None, capacity=None, **sections):
    with territory_scope(figeac.territory):
        services.save_settings({"services": True, "needs": True, "projects": True, "events": True,
                                "introduction": "Figeac co-construit ses services.", **sections}, figeac.admin)
        if event is not None:
            services.set_publication({"event_id": event.id, "published": True, "registration_open": True,
                                      "capacity": capacity}, figeac.admin)


def test_nothing_is_public_until_the_territory_publishes_it(figeac, evening, client):
    assert client.get("/t/figeac/public/").status_code == 200
    for path in SECTIONS + [f"/t/figeac/public/events/{evening[0].id}",
                            f"/t/figeac/public/events/{evening[0].id}/register"]:
        assert client.get(path).status_code == 404, path
    _publish(figeac, evening[0], needs=False)
    assert client.get("/t/figeac/public/needs").status_code == 404
    assert client.get("/t/figeac/public/services").status_code == 200


def test_public_pages_show_titles_and_counts_but_no_names(figeac, evening, client, make_client):
    _publish(figeac, evening[0])
    colleague = make_client()
    colleague.login(figeac.colleague)
    need_id = rows(Need)[0].id
    assert colleague.post_form(f"/t/figeac/needs/{need_id}/support", {}).status_code in (200, 302)
    pages = {path: text_of(client.get(path)) for path in SECTIONS}
    assert "Navette depuis la gare" in pages["/t/figeac/public/needs"]
    assert "<td>2</td>" in pages["/t/figeac/public/needs"].replace(" ", "")
    assert "Start Up de Territoire" in pages["/t/figeac/public/events"]
    assert "Petit-déjeuner privé" not in pages["/t/figeac/public/events"]
    everything = " ".join(pages.values())
    for secret in ("Camille", "camille@aero.example", "Figeac Aéro", "Menuiserie du Célé", "Détails privés",
                   "lou@menuiserie.example"):
        assert secret not in everything, secret
    assert client.get(f"/t/figeac/public/events/{evening[1].id}").status_code == 404


def test_public_pages_are_indexable_light_and_without_scripts(figeac, evening, client):
    _publish(figeac, evening[0])
    for path in ["/t/figeac/public/"] + SECTIONS + [f"/t/figeac/public/events/{evening[0].id}/register"]:
        page = client.get(path).get_data(as_text=True)
        assert "<title>" in page and '<meta name="description" content="' in page and 'rel="canonical"' in page
        assert "<script" not in page, path
        assert len(page.encode()) < 20_000, (path, len(page.encode()))
    assert 'content="Figeac co-construit ses services."' in client.get("/t/figeac/public/").get_data(as_text=True)


def test_a_visitor_registers_once_and_gets_a_plain_confirmation(figeac, evening, client, smtp_server):
    _publish(figeac, evening[0])
    url = f"/t/figeac/public/events/{evening[0].id}/register"
    form = {"name": "Alex Visiteur", "email": "Alex@Example.org", "company": "Boulangerie du Pont"}
    response = client.post_form(url, form)
    assert response.status_code == 303 and response.headers["Location"].endswith("/registered")
    assert "Start Up de Territoire" in text_of(client.get(response.headers["Location"]))
    assert client.post_form(url, form).status_code == 303
    saved = rows(PublicRegistration)
    assert [(r.name, r.email, r.company) for r in saved] == [("Alex Visiteur", "alex@example.org",
                                                              "Boulangerie du Pont")]
    # One confirmation by e-mail, in the territory's language: registering again sends nothing more.
    [message] = smtp_server.messages
    assert message["To"] == "alex@example.org"
    text = smtp_server.text(message)
    assert "Bonjour Alex Visiteur," in text and "Start Up de Territoire" in text


@pytest.mark.parametrize(("form", "fields"), [
    ({}, {"name", "email"}),
    ({"name": "A", "email": "not-an-address"}, {"name", "email"}),
    ({"name": "A", "email": "alex@example.org", "company": "x" * 200}, {"name", "company"}),
])
def test_bad_registrations_get_field_errors_and_store_nothing(figeac, evening, client, form, fields):
    _publish(figeac, evening[0])
    response = client.post_form(f"/t/figeac/public/events/{evening[0].id}/register", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {f for f in ("name", "email", "company") if f'id="{f}-error"' in page} == fields
    assert count_rows(PublicRegistration) == 0


def test_bots_filling_the_hidden_field_get_a_confirmation_and_nothing_is_stored(figeac, evening, client):
    _publish(figeac, evening[0])
    response = client.post_form(f"/t/figeac/public/events/{evening[0].id}/register",
                                {"name": "Bot", "email": "bot@example.org", "website": "http://spam.example"})
    assert response.status_code == 303 and count_rows(PublicRegistration) == 0


def test_registrations_are_rate_limited_per_visitor(app, figeac, evening, client):
    app.config["RATELIMIT_ENABLED"] = True
    limiter.reset()
    _publish(figeac, evening[0])
    url = f"/t/figeac/public/events/{evening[0].id}/register"
    answers = [client.post_form(url, {"name": f"Person {n}", "email": f"p{n}@example.org"}).status_code
               for n in range(7)]
    assert answers[:5] == [303] * 5 and answers[5:] == [429, 429]
    assert count_rows(PublicRegistration) == 5


def test_full_closed_or_past_events_refuse_registrations(figeac, evening, client, scoped):
    _publish(figeac, evening[0], capacity=1)
    url = f"/t/figeac/public/events/{evening[0].id}/register"
    assert client.post_form(url, {"name": "First", "email": "first@example.org"}).status_code == 303
    full = client.post_form(url, {"name": "Second", "email": "second@example.org"})
    assert full.status_code == 422 and count_rows(PublicRegistration) == 1
    with scoped(figeac.territory):
        services.set_publication({"event_id": evening[0].id, "published": True, "registration_open": False,
                                  "capacity": None}, figeac.admin)
    assert client.post_form(url, {"name": "Third", "email": "third@example.org"}).status_code == 409
    with scoped(figeac.territory):
        services.set_publication({"event_id": evening[1].id, "published": True, "registration_open": True,
                                  "capacity": None}, figeac.admin)
        evening[1].starts_at = utcnow() - timedelta(days=1)
        from coopserv.extensions import db

        db.session.commit()
    assert client.post_form(f"/t/figeac/public/events/{evening[1].id}/register",
                            {"name": "Late", "email": "late@example.org"}).status_code == 409


def test_admins_choose_sections_and_events_and_see_registrations(figeac, evening, autun, make_client, client):
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.post_form("/t/figeac/admin/public/", {"projects": "on", "events": "on",
                                                       "introduction": "Bienvenue"}).status_code == 302
    assert admin.post_form("/t/figeac/admin/public/events", {"event_id": str(evening[0].id), "published": "on",
                                                             "registration_open": "on"}).status_code == 302
    assert client.get("/t/figeac/public/projects").status_code == 200
    assert client.get("/t/figeac/public/services").status_code == 404
    client.post_form(f"/t/figeac/public/events/{evening[0].id}/register", {"name": "Alex", "email": "a@example.org"})
    listing = text_of(admin.get(f"/t/figeac/admin/public/events/{evening[0].id}/registrations"))
    assert "a@example.org" in listing
    registration = rows(PublicRegistration)[0]
    assert admin.post_form(f"/t/figeac/admin/public/registrations/{registration.id}/delete").status_code == 302
    assert count_rows(PublicRegistration) == 0
    intruder = make_client()
    intruder.login(autun.admin)
    assert intruder.post_form("/t/figeac/admin/public/", {"needs": "on"}).status_code == 403
    assert client.get("/t/figeac/public/needs").status_code == 404
    too_long = admin.post_form("/t/figeac/admin/public/", {"introduction": "x" * 400})
    assert too_long.status_code == 422 and 'id="introduction-error"' in too_long.get_data(as_text=True)


def test_a_withdrawn_events_registrations_stay_reachable_until_deleted(figeac, evening, make_client, client):
    _publish(figeac, evening[0])
    client.post_form(f"/t/figeac/public/events/{evening[0].id}/register", {"name": "Alex", "email": "a@example.org"})
    admin = make_client()
    admin.login(figeac.admin)
    assert admin.post_form("/t/figeac/admin/public/events", {"event_id": str(evening[0].id)}).status_code == 302
    url = f"/t/figeac/admin/public/events/{evening[0].id}/registrations"
    assert f'href="{url}"' in admin.get("/t/figeac/admin/public/").get_data(as_text=True)
    assert "a@example.org" in text_of(admin.get(url))
    assert admin.get("/t/figeac/admin/public/events/999999/registrations").status_code == 404


def test_erasing_a_visitor_with_an_account_removes_their_registrations(figeac, evening, client, make_user):
    from coopserv.privacy.services import erase_person

    _publish(figeac, evening[0])
    client.post_form(f"/t/figeac/public/events/{evening[0].id}/register", {"name": "Alex", "email": "alex@example.org"})
    erase_person(make_user(email="alex@example.org"))
    assert count_rows(PublicRegistration) == 0


def test_public_pages_cost_a_fixed_number_of_queries(figeac, evening, client, count_queries, scoped):
    from coopserv.projects.services import create_project

    _publish(figeac, evening[0])

    def queries():
        counts = {}
        for path in SECTIONS:
            client.get(path)
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts[path] = len(statements)
        return counts

    with scoped(figeac.territory):
        create_project({"title": "Premier projet", "origin_text": "Soirée"}, figeac.admin)
    before = queries()
    with scoped(figeac.territory):
        for number in range(5):
            needs.submit_need({"title": f"Besoin {number}", "description": "Un besoin de plus.",
                               "category_id": needs.category_by_key("mobility").id, "employees_affected": 1},
                              figeac.employee, figeac.aero, False)
            create_project({"title": f"Projet {number}", "origin_text": "Soirée"}, figeac.admin)
    assert queries() == before
