"""Coordinators and platform operators run a network from its admin page: territories, partners, coordinators."""
import pytest

from coopserv.audit.models import AuditEntry
from coopserv.network import access
from coopserv.network import services
from coopserv.network.models import NetworkAuditEntry, NetworkMember, NetworkPartner, NetworkTerritory
from tests.helpers import count_rows, rows, text_of

WRITES = [("/n/adefpat/admin/territories", {"territory": "lot"}),
          ("/n/adefpat/admin/partners", {"name": "Intrus", "role": "partner"}),
          ("/n/adefpat/admin/coordinators", {"email": "admin@lot.example"})]


def _log(network):
    """The network's log, oldest first."""
    return sorted(rows(NetworkAuditEntry, network_id=network.id), key=lambda entry: entry.id)


def _member_ids(network):
    return set(services.territory_ids(network))


def test_coordinators_add_and_remove_territories_with_audit_in_both_logs(network, login):
    client = login(network.coordinator)
    page = text_of(client.get("/n/adefpat/admin"))
    assert "Réseau ADEFPAT" in page
    assert "Lot" in page  # offered: not a member yet
    added = client.post_form("/n/adefpat/admin/territories", {"territory": "lot"})
    assert added.status_code == 302
    assert network.lot.territory.id in _member_ids(network.network)
    assert access.is_coordinator(network.network, network.coordinator)
    lot_log = sorted(rows(AuditEntry, territory_id=network.lot.territory.id, action="network.joined"),
                     key=lambda entry: entry.id)
    assert [(e.target, e.actor_id) for e in lot_log] == [("causses", None), ("adefpat", network.coordinator.id)]
    removed = client.post_form(f"/n/adefpat/admin/territories/{network.lot.territory.id}/remove")
    assert removed.status_code == 302
    assert network.lot.territory.id not in _member_ids(network.network)
    actions = [(e.action, e.target, e.actor_id) for e in _log(network.network) if e.target == "lot"]
    assert actions == [("network.territory_added", "lot", network.coordinator.id),
                       ("network.territory_removed", "lot", network.coordinator.id)]
    assert len(rows(AuditEntry, territory_id=network.lot.territory.id, action="network.left")) == 1
    log = text_of(client.get("/n/adefpat/admin"))
    assert "network.territory_removed" in log and "Coordinatrice ADEFPAT" in log


def test_a_bad_territory_gets_a_field_error_and_nothing_changes(network, login):
    client = login(network.coordinator)
    before = count_rows(NetworkTerritory), count_rows(NetworkAuditEntry)
    for values in ({}, {"territory": "nowhere"}, {"territory": "figeac"}, {"territory": "x" * 61}):
        answer = client.post_form("/n/adefpat/admin/territories", values)
        assert answer.status_code == 422, values
        assert 'aria-invalid="true"' in answer.get_data(as_text=True)
        as_json = client.post_json("/n/adefpat/admin/territories", values)
        assert as_json.status_code == 422 and "territory" in as_json.get_json()["errors"]
    assert (count_rows(NetworkTerritory), count_rows(NetworkAuditEntry)) == before


def test_partners_are_saved_updated_and_removed_from_events_they_organised(network, login):
    from coopserv.network import events

    event = events.save_event(network.network, {"kind": "seminar", "title": "Séminaire de Figeac",
                                                "starts_on": network.seminar_day, "organiser_ids": [network.aradel.id]})
    client = login(network.coordinator)
    assert client.post_form("/n/adefpat/admin/partners", {"name": "Cap Rural", "role": "partner",
                                                          "description": "Centre de ressources"}).status_code == 302
    assert client.post_form("/n/adefpat/admin/partners", {"name": "Cap Rural", "role": "co_organiser"}).status_code == 302
    [cap] = rows(NetworkPartner, network_id=network.network.id, name="Cap Rural")
    assert cap.role == "co_organiser"
    bad = client.post_form("/n/adefpat/admin/partners", {"name": "X", "role": "boss"})
    assert bad.status_code == 422
    assert "name" in text_of(bad) and len(rows(NetworkPartner, network_id=network.network.id)) == 3
    assert client.post_form(f"/n/adefpat/admin/partners/{network.aradel.id}/remove").status_code == 302
    assert [p.name for p in rows(NetworkPartner, network_id=network.network.id)] == ["ADEFPAT", "Cap Rural"]
    assert events.get_event(network.network, event.id).organisers == []
    # Another network's partner is not this network's to remove.
    causses = services.add_partner(network.other, "Parc des Causses")
    assert client.post_form(f"/n/adefpat/admin/partners/{causses.id}/remove").status_code == 404
    assert rows(NetworkPartner, id=causses.id)


def test_coordinators_are_named_by_email_and_the_last_one_stays(network, login, make_user):
    newcomer = make_user(name="Chargée de mission ARADEL", email="mission@aradel.example")
    setup_entries = len(_log(network.network))
    client = login(network.coordinator)
    unknown = client.post_form("/n/adefpat/admin/coordinators", {"email": "personne@nulle.part"})
    assert unknown.status_code == 422 and 'aria-invalid="true"' in unknown.get_data(as_text=True)
    wrong_partner = client.post_json("/n/adefpat/admin/coordinators",
                                     {"email": newcomer.email, "partner_id": 10_000})
    assert wrong_partner.status_code == 422 and list(wrong_partner.get_json()["errors"]) == ["partner_id"]
    assert not access.is_coordinator(network.network, newcomer)
    named = client.post_form("/n/adefpat/admin/coordinators",
                             {"email": "MISSION@aradel.example", "partner_id": str(network.aradel.id)})
    assert named.status_code == 302
    member = rows(NetworkMember, network_id=network.network.id, user_id=newcomer.id)[0]
    assert member.partner_id == network.aradel.id
    assert login(newcomer).get("/n/adefpat/").status_code == 200
    # The first coordinator leaves: they are sent out of the pages they no longer open.
    first = rows(NetworkMember, network_id=network.network.id, user_id=network.coordinator.id)[0]
    leaving = client.post_form(f"/n/adefpat/admin/coordinators/{first.id}/remove")
    assert leaving.status_code == 302 and "/admin" not in leaving.headers["Location"]
    assert client.get("/n/adefpat/admin").status_code == 403
    # The last coordinator cannot be withdrawn, even by themselves.
    last = login(newcomer).post_form(f"/n/adefpat/admin/coordinators/{member.id}/remove")
    assert last.status_code == 422 and 'role="alert"' in last.get_data(as_text=True)
    assert access.is_coordinator(network.network, newcomer)
    actions = [(e.action, e.target) for e in _log(network.network)][setup_entries:]
    assert actions == [("network.coordinator_added", newcomer.email),
                       ("network.coordinator_removed", network.coordinator.email)]


def test_platform_operators_administer_every_network(network, login, make_user):
    operator = make_user(name="Exploitante", email="ops@coopserv.example", platform_admin=True)
    client = login(operator)
    assert client.get("/n/causses/admin").status_code == 200
    assert client.post_form("/n/causses/admin/territories", {"territory": "figeac"}).status_code == 302
    assert network.figeac.territory.id in _member_ids(network.other)


@pytest.mark.parametrize(("path", "values"), WRITES + [("/n/adefpat/admin/territories/1/remove", {}),
                                                      ("/n/adefpat/admin/partners/1/remove", {}),
                                                      ("/n/adefpat/admin/coordinators/1/remove", {})])
def test_nobody_else_administers_the_network(network, login, client, path, values):
    before = (count_rows(NetworkTerritory), count_rows(NetworkPartner), count_rows(NetworkMember))
    assert client.get("/n/adefpat/admin").status_code == 302
    assert client.post_form(path, values).status_code == 302  # sent to sign in
    for person in (network.other_coordinator, network.figeac.admin, network.autun.employee, network.lot.admin):
        other = login(person)
        assert other.get("/n/adefpat/admin").status_code == 403, person.email
        assert other.post_form(path, values).status_code == 403, (person.email, path)
    assert (count_rows(NetworkTerritory), count_rows(NetworkPartner), count_rows(NetworkMember)) == before


def test_forms_without_csrf_are_refused(network, login):
    client = login(network.coordinator)
    answer = client.post("/n/adefpat/admin/territories", data={"territory": "lot"})
    assert answer.status_code == 400
    assert network.lot.territory.id not in _member_ids(network.network)


def test_the_admin_page_costs_a_fixed_number_of_queries(network, login, make_user, count_queries):
    client = login(network.coordinator)
    client.get("/n/adefpat/admin")  # the fixture's changes are in the log already, with their (absent) actor
    services.add_partner(network.network, "Cap Rural", actor=network.coordinator)
    with count_queries() as few:
        assert client.get("/n/adefpat/admin").status_code == 200
    for number in range(6):
        user = make_user(email=f"coord{number}@adefpat.example")
        services.add_coordinator(network.network, user, network.adefpat, actor=network.coordinator)
        services.add_partner(network.network, f"Partenaire {number}", actor=network.coordinator)
    with count_queries() as many:
        assert client.get("/n/adefpat/admin").status_code == 200
    assert len(many) == len(few)


def test_the_page_reads_in_french_and_in_english(network, login):
    client = login(network.coordinator)
    client.post_form("/language", {"lang": "fr"})
    french = text_of(client.get("/n/adefpat/admin"))
    client.post_form("/language", {"lang": "en"})
    english = text_of(client.get("/n/adefpat/admin"))
    assert "Member territories" in english and "Member territories" not in french
    assert "Territoires membres" in french


def test_platform_operators_create_networks_and_nobody_else(network, login, client, make_user):
    from coopserv.network.models import Network

    operator = make_user(name="Exploitante", email="ops@coopserv.example", platform_admin=True)
    assert client.get("/networks/new").status_code == 302
    for person in (network.coordinator, network.figeac.admin):
        other = login(person)
        assert other.get("/networks/new").status_code == 403
        assert other.post_form("/networks/new", {"slug": "occitanie", "name": "Réseau Occitanie"}).status_code == 403
    admin = login(operator)
    assert admin.get("/networks/new").status_code == 200
    for values, field in (({"slug": "Pas Bon", "name": "Réseau"}, "slug"), ({"slug": "adefpat", "name": "Doublon"}, "slug"),
                          ({"slug": "occitanie"}, "name")):
        refused = admin.post_form("/networks/new", values)
        assert refused.status_code == 422 and f'id="{field}-error"' in refused.get_data(as_text=True), values
    assert count_rows(Network) == 2
    created = admin.post_form("/networks/new", {"slug": "occitanie", "name": "Réseau Occitanie"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/n/occitanie/admin")
    [occitanie] = rows(Network, slug="occitanie")
    assert [(e.action, e.actor_id) for e in _log(occitanie)] == [("network.created", operator.id)]
    assert admin.get("/n/occitanie/admin").status_code == 200


def test_the_admin_pages_are_linked_for_those_who_may_use_them(network, login, make_user):
    coordinator = login(network.coordinator).get("/n/adefpat/").get_data(as_text=True)
    assert 'href="/n/adefpat/admin"' in coordinator
    member_admin = login(network.figeac.admin).get("/n/adefpat/library").get_data(as_text=True)
    assert 'href="/n/adefpat/admin"' not in member_admin
    operator = make_user(name="Exploitante", email="ops@coopserv.example", platform_admin=True)
    assert 'href="/networks/new"' in login(operator).get("/").get_data(as_text=True)
    assert 'href="/networks/new"' not in login(network.coordinator).get("/").get_data(as_text=True)
