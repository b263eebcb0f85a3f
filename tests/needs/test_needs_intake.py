"""Needs intake over HTTP: submitting, supporting and weighting, the board, merges, collective needs,
status answers with notifications, campaigns, role checks and tenant isolation."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from coopserv.extensions import db
from coopserv.needs import services
from coopserv.needs.models import (
    CampaignAnswer,
    CollectiveNeed,
    Need,
    NeedCampaign,
    NeedCategory,
    NeedSupport,
)
from coopserv.notifications.models import Notification
from coopserv.tenancy import ALL_TERRITORIES
from coopserv.timeutil import local_today, utcnow


def _count(model, **filters):
    query = select(func.count()).select_from(model).execution_options(**{ALL_TERRITORIES: True})
    for key, value in filters.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _notes(user):
    return db.session.scalars(select(Notification.params).filter_by(user_id=user.id).order_by(Notification.id)
                              .execution_options(**{ALL_TERRITORIES: True})).all()


@pytest.fixture
def quercy(make_territory, make_organization, make_user):
    """Three companies of different sizes on two business parks, their referents and employees, an admin."""
    territory = make_territory("grand-quercy", "Grand Quercy")
    conserverie = make_organization(territory, "Conserverie du Quercy", size_band="50-249", employee_count=60,
                                    business_park="ZA du Mas de Jouy")
    batiment = make_organization(territory, "Bouriane Bâtiment", size_band="10-49", employee_count=18,
                                 business_park="ZA du Mas de Jouy")
    boulangerie = make_organization(territory, "Fournil de Gourdon", size_band="1-9", employee_count=5,
                                    business_park="Centre-ville")
    return SimpleNamespace(
        territory=territory, conserverie=conserverie, batiment=batiment, boulangerie=boulangerie,
        ref_conserverie=make_user(territory, "company_referent", conserverie),
        emp_conserverie=make_user(territory, "employee", conserverie),
        ref_batiment=make_user(territory, "company_referent", batiment),
        emp_batiment=make_user(territory, "employee", batiment),
        emp_boulangerie=make_user(territory, "employee", boulangerie),
        admin=make_user(territory, "territory_admin"),
    )


@pytest.fixture
def other(make_territory, make_organization, make_user):
    territory = make_territory("autun-morvan", "Autun Morvan")
    company = make_organization(territory, "Morvan Électronique")
    return SimpleNamespace(territory=territory, company=company,
                           admin=make_user(territory, "territory_admin"),
                           employee=make_user(territory, "employee", company))


def _category(territory, key, scoped):
    with scoped(territory):
        services.ensure_categories()
        return db.session.scalar(select(NeedCategory).filter_by(key=key)).id


def _submit(client, category_id, title="Garde d'enfants tôt le matin", **fields):
    data = {"title": title, "description": "Aucune crèche n'ouvre avant 7 h 30 près de la ZA.",
            "category_id": str(category_id), **fields}
    response = client.post_form("/t/grand-quercy/needs/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _client(make_client, user):
    client = make_client()
    client.login(user)
    return client


def test_categories_follow_the_two_families_and_are_per_territory(make_client, quercy, other, scoped):
    with scoped(quercy.territory):
        categories = services.list_categories()
        assert {c.family for c in categories} == {"attractiveness", "performance"}
        assert {"mobility", "quality_of_life", "business_transfer", "production", "accessibility"} <= \
            {c.key for c in categories}
        services.add_category({"label": "Logement des saisonniers", "family": "attractiveness"})
    with scoped(other.territory):
        assert "logement_des_saisonniers" not in {c.key for c in services.list_categories()}
    with scoped(quercy.territory):
        assert "logement_des_saisonniers" in {c.key for c in services.list_categories()}
        services.add_category({"label": "Télétravail à 100 %", "family": "performance"})
    admin = _client(make_client, quercy.admin)
    for path in ("/needs/", "/needs/settings"):
        page = admin.get("/t/grand-quercy" + path)
        assert page.status_code == 200 and "Télétravail à 100 %" in page.get_data(as_text=True)


def test_employee_answers_for_themself_and_referent_for_the_company(make_client, quercy, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    employee = _client(make_client, quercy.emp_conserverie)
    need_id = _submit(employee, childcare, employees_affected="40")
    refused = employee.post_form("/t/grand-quercy/needs/new", {
        "title": "Pour toute l'entreprise", "description": "Je voudrais répondre pour l'entreprise.",
        "category_id": str(childcare), "scope": "company", "employees_affected": "40"})
    assert refused.status_code == 422 and 'id="scope-error"' in refused.get_data(as_text=True)

    referent = _client(make_client, quercy.ref_conserverie)
    company_need = _submit(referent, childcare, title="Crèche aux horaires décalés", scope="company",
                           employees_affected="25", sites="Gourdon", shifts="5 h – 13 h")
    with scoped(quercy.territory):
        mine, company = db.session.get(Need, need_id), db.session.get(Need, company_need)
        assert (mine.scope, mine.employees_affected, mine.organization_id) == ("individual", 1, quercy.conserverie.id)
        assert (company.scope, company.employees_affected, company.shifts) == ("company", 25, "5 h – 13 h")
        assert company.business_park == "ZA du Mas de Jouy"
    assert _count(Need) == 2
    assert _count(Notification, user_id=quercy.emp_conserverie.id) == 1


def test_bad_input_gives_field_errors_and_stores_nothing(make_client, quercy, scoped):
    _category(quercy.territory, "mobility", scoped)
    referent = _client(make_client, quercy.ref_conserverie)
    response = referent.post_form("/t/grand-quercy/needs/new", {"title": "ab", "category_id": "99999",
                                                                "employees_affected": "-3", "urgency": "now"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("title", "description", "employees_affected", "urgency"):
        assert f'id="{field}-error"' in page
    api = referent.post_json("/t/grand-quercy/needs/new", {"title": "Navette", "description": "Une navette le matin.",
                                                           "category_id": 99999})
    assert api.status_code == 422 and set(api.get_json()["errors"]) == {"category_id"}
    assert _count(Need) == 0


def test_supports_weight_the_board_by_employees_concerned(make_client, quercy, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    training = _category(quercy.territory, "training", scoped)
    referent = _client(make_client, quercy.ref_conserverie)
    crèche = _submit(referent, childcare, title="Crèche aux horaires décalés", scope="company",
                     employees_affected="20")
    caces = _submit(_client(make_client, quercy.emp_boulangerie), training, title="Formation CACES mutualisée",
                    business_park="Centre-ville")

    batiment = _client(make_client, quercy.ref_batiment)
    supported = batiment.post_form(f"/t/grand-quercy/needs/{crèche}/support", {"employees_affected": "7"},
                                   headers={"HX-Request": "true"})
    fragment = supported.get_data(as_text=True)
    assert supported.status_code == 200 and "<html" not in fragment and 'id="support-box"' in fragment
    employee = _client(make_client, quercy.emp_batiment)
    assert employee.post_form(f"/t/grand-quercy/needs/{caces}/support", {"employees_affected": "30"}).status_code == 302
    again = employee.post_json(f"/t/grand-quercy/needs/{caces}/support", {})
    assert again.status_code == 422
    assert referent.post_json(f"/t/grand-quercy/needs/{crèche}/support", {}).status_code == 422  # its author

    with scoped(quercy.territory):
        rows = services.board()
        assert [(r.need.id, r.supports, r.weight) for r in rows] == [(crèche, 2, 27), (caces, 2, 2)]
        support = db.session.scalar(select(NeedSupport).filter_by(need_id=crèche))
        assert (support.organization_id, support.organization_size, support.scope) == \
            (quercy.batiment.id, "10-49", "company")
        assert [r.need.id for r in services.board(category_id=training)] == [caces]
        assert [r.need.id for r in services.board(business_park="Centre-ville")] == [caces]
        assert [r.need.id for r in services.board(size_band="10-49")] == [crèche, caces]
        assert [r.need.id for r in services.board(size_band="1-9")] == [caces]
        assert [r.need.id for r in services.board(size_band="250+")] == []

    page = referent.get("/t/grand-quercy/needs/?size=1-9").get_data(as_text=True)
    assert "Formation CACES mutualisée" in page and "Crèche aux horaires décalés" not in page.split("<table")[-1]
    assert "<svg" in page and 'role="img"' in page and "<title" in page
    partial = referent.get(f"/t/grand-quercy/needs/?category={training}", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "Formation CACES" in partial.get_data(as_text=True)
    with scoped(quercy.territory):
        counts = {c.key: n for c, n in services.counts_by_category()}
    assert counts["quality_of_life"] == 1 and counts["training"] == 1 and counts["mobility"] == 0


def test_only_admins_merge_and_supports_are_carried_over(make_client, quercy, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    kept = _submit(_client(make_client, quercy.ref_conserverie), childcare, title="Crèche inter-entreprises",
                   scope="company", employees_affected="20")
    duplicate = _submit(_client(make_client, quercy.emp_boulangerie), childcare, title="Une crèche sur la ZA")
    _client(make_client, quercy.ref_batiment).post_form(f"/t/grand-quercy/needs/{duplicate}/support",
                                                        {"employees_affected": "6"})
    # The Conserverie's referent supports both: counted once after the merge.
    _client(make_client, quercy.emp_conserverie).post_form(f"/t/grand-quercy/needs/{duplicate}/support", {})
    _client(make_client, quercy.emp_conserverie).post_form(f"/t/grand-quercy/needs/{kept}/support", {})

    for user in (quercy.emp_boulangerie, quercy.ref_conserverie):
        response = _client(make_client, user).post_form(f"/t/grand-quercy/needs/{duplicate}/merge",
                                                        {"target_id": str(kept)})
        assert response.status_code == 403
    admin = _client(make_client, quercy.admin)
    assert admin.post_form(f"/t/grand-quercy/needs/{duplicate}/merge", {"target_id": str(kept)}).status_code == 302
    with scoped(quercy.territory):
        target, merged = db.session.get(Need, kept), db.session.get(Need, duplicate)
        assert (merged.status, merged.merged_into_id) == ("merged", kept)
        assert sorted(s.user_id for s in target.supports) == sorted(
            [quercy.emp_conserverie.id, quercy.emp_boulangerie.id, quercy.ref_batiment.id])
        assert services.weight_of(target) == 20 + 1 + 1 + 6
        assert [r.need.id for r in services.board()] == [kept]
    assert any(p.get("target") == "Crèche inter-entreprises" for p in _notes(quercy.emp_boulangerie))
    # Supporting the merged need lands on the kept one; merging it again is refused.
    assert admin.post_json(f"/t/grand-quercy/needs/{duplicate}/merge", {"target_id": kept}).status_code == 422


def test_collective_need_is_flagged_past_the_threshold_with_a_breakdown(make_client, quercy, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    admin = _client(make_client, quercy.admin)
    assert admin.post_form("/t/grand-quercy/needs/settings", {"form": "thresholds", "threshold_companies": "3",
                                                             "threshold_employees": "30"}).status_code == 302
    company = _submit(_client(make_client, quercy.ref_conserverie), childcare, title="Crèche aux horaires décalés",
                      scope="company", employees_affected="20")
    individual = _submit(_client(make_client, quercy.emp_conserverie), childcare, title="Garde le samedi")
    other = _submit(_client(make_client, quercy.emp_batiment), childcare, title="Garde le mercredi")
    assert _client(make_client, quercy.ref_conserverie).post_form(
        "/t/grand-quercy/needs/collective", {"title": "Garde d'enfants", "need_ids": str(company)}).status_code == 403
    created = admin.post_json("/t/grand-quercy/needs/collective",
                              {"title": "Garde d'enfants en horaires atypiques", "need_ids": [company, individual, other]})
    assert created.status_code == 201 and created.get_json()["flagged"] is False
    with scoped(quercy.territory):
        collective = db.session.get(CollectiveNeed, created.get_json()["id"])
        totals = services.breakdown(collective)
        # The referent's 20 include the Conserverie employee who answered alone; Bouriane counts 1.
        assert (totals.companies, totals.employees) == (2, 21)
        assert {r["organization"].name: r["employees"] for r in totals.rows} == \
            {"Conserverie du Quercy": 20, "Bouriane Bâtiment": 1}

    # A third company supports one of the needs: 3 companies reach the threshold.
    _client(make_client, quercy.emp_boulangerie).post_form(f"/t/grand-quercy/needs/{other}/support", {})
    with scoped(quercy.territory):
        collective = db.session.get(CollectiveNeed, created.get_json()["id"])
        assert collective.flagged_at is not None
        assert {n.status for n in collective.needs} == {"under_study"}
    assert any(p.get("status") == "Under study" for p in _notes(quercy.emp_batiment))
    page = admin.get(f"/t/grand-quercy/needs/collective/{collective.id}").get_data(as_text=True)
    assert "Fournil de Gourdon" in page and "Conserverie du Quercy" in page

    bad = admin.post_form("/t/grand-quercy/needs/collective", {"title": "x"})
    assert bad.status_code == 422 and 'id="need_ids-error"' in bad.get_data(as_text=True)
    assert _count(CollectiveNeed) == 1


def test_a_collective_need_past_the_threshold_tells_the_committee_and_goes_on_the_agenda_in_one_click(
        make_client, make_user, quercy, scoped):
    from coopserv.governance import services as governance
    from coopserv.governance.models import AgendaItem

    member = make_user(quercy.territory, "governance_member", quercy.conserverie, name="Hélène Cassagnes")
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    admin = _client(make_client, quercy.admin)
    admin.post_form("/t/grand-quercy/needs/settings", {"form": "thresholds", "threshold_companies": "2",
                                                       "threshold_employees": "500"})
    first = _submit(_client(make_client, quercy.emp_conserverie), childcare, title="Garde le samedi")
    second = _submit(_client(make_client, quercy.emp_batiment), childcare, title="Garde le mercredi")
    collective_id = admin.post_json("/t/grand-quercy/needs/collective", {
        "title": "Garde d'enfants", "need_ids": [first]}).get_json()["id"]
    url = f"/t/grand-quercy/needs/collective/{collective_id}"
    agenda = f"/t/grand-quercy/governance/collective-needs/{collective_id}/agenda"
    # Not past the threshold yet: nobody is told, and it cannot be scheduled.
    assert _count(Notification, user_id=member.id) == 0
    assert admin.post_json(agenda).status_code == 409
    # A second company's need joins: two companies, the threshold is passed.
    joined = admin.post_json(f"/t/grand-quercy/needs/{second}/collective", {"collective_id": collective_id})
    assert joined.get_json()["flagged"] is True
    with scoped(quercy.territory):
        flagged = db.session.scalars(select(CollectiveNeed).where(CollectiveNeed.flagged_at.is_not(None))).all()
    assert [c.id for c in flagged] == [collective_id]
    told = db.session.scalars(select(Notification).where(Notification.user_id == member.id)
                              .execution_options(**{ALL_TERRITORIES: True})).all()
    assert [(n.params["title"], n.link) for n in told] == [(flagged[0].title, url)]
    # No meeting planned: the page says so, the click explains why nothing happened.
    page = _client(make_client, member).get(url).get_data(as_text=True)
    assert "Aucune réunion du comité n’est encore prévue" in page or "No committee meeting is planned" in page
    assert _client(make_client, member).post_json(agenda).status_code == 409
    with scoped(quercy.territory):
        past = governance.create_meeting({"title": "Comité d'hiver", "starts_at": utcnow() - timedelta(days=3)},
                                         quercy.admin)
        later = governance.create_meeting({"title": "Comité d'automne", "starts_at": utcnow() + timedelta(days=60)},
                                          quercy.admin)
        soon = governance.create_meeting({"title": "Comité de printemps", "starts_at": utcnow() + timedelta(days=9)},
                                         quercy.admin)
    page = _client(make_client, member).get(url).get_data(as_text=True)
    assert f'action="{agenda}"' in page and "Comité de printemps" in page
    # Employees may not; a committee member may, in one click, once.
    assert _client(make_client, quercy.emp_batiment).post_form(agenda).status_code == 403
    clicked = _client(make_client, member).post_form(agenda)
    assert clicked.status_code == 302 and f"/governance/meetings/{soon.id}#item-" in clicked.headers["Location"]
    assert _client(make_client, member).post_json(agenda).get_json()["meeting"] == soon.id
    with scoped(quercy.territory):
        items = db.session.scalars(select(AgendaItem).filter_by(collective_need_id=collective_id)).all()
        assert [(i.meeting_id, i.vote_status) for i in items] == [(soon.id, "none")]
        assert flagged[0].title in items[0].title
        assert past.id != later.id
    assert "Comité de printemps" in admin.get(url).get_data(as_text=True)  # the need links to its meeting


def test_status_answers_are_visible_and_notify_the_author(make_client, quercy, scoped):
    mobility = _category(quercy.territory, "mobility", scoped)
    need_id = _submit(_client(make_client, quercy.emp_batiment), mobility, title="Navette depuis la gare")
    admin = _client(make_client, quercy.admin)
    missing = admin.post_form(f"/t/grand-quercy/needs/{need_id}/status", {"status": "not_retained"})
    assert missing.status_code == 422 and 'id="reason-error"' in missing.get_data(as_text=True)
    assert admin.post_json(f"/t/grand-quercy/needs/{need_id}/status", {"status": "addressed"}).status_code == 422
    assert _client(make_client, quercy.emp_batiment).post_form(
        f"/t/grand-quercy/needs/{need_id}/status", {"status": "under_study"}).status_code == 403
    before = len(_notes(quercy.emp_batiment))
    assert admin.post_form(f"/t/grand-quercy/needs/{need_id}/status", {"status": "under_study"}).status_code == 302
    assert admin.post_form(f"/t/grand-quercy/needs/{need_id}/status",
                           {"status": "not_retained", "reason": "Une ligne de bus ouvre en janvier."}).status_code == 302
    notes = _notes(quercy.emp_batiment)[before:]
    assert [n.get("status") or n.get("reason") for n in notes] == ["Under study", "Une ligne de bus ouvre en janvier."]
    page = _client(make_client, quercy.emp_batiment).get(f"/t/grand-quercy/needs/{need_id}").get_data(as_text=True)
    assert "Une ligne de bus ouvre en janvier." in page


def test_campaign_takes_one_answer_per_organization_and_shows_its_rate(make_client, quercy, make_user, scoped):
    admin = _client(make_client, quercy.admin)
    today = local_today()
    bad = admin.post_form("/t/grand-quercy/needs/campaigns/new", {
        "title": "Recueil 2026", "opens_on": today.isoformat(), "closes_on": (today - timedelta(days=1)).isoformat(),
        "q1_text": "Quels services ?", "q1_kind": "multiple", "q1_choices": "Crèche"})
    assert bad.status_code == 422
    assert 'id="closes_on-error"' in bad.get_data(as_text=True) and _count(NeedCampaign) == 0
    assert _client(make_client, quercy.ref_conserverie).post_form(
        "/t/grand-quercy/needs/campaigns/new", {"title": "Recueil"}).status_code == 403
    created = admin.post_form("/t/grand-quercy/needs/campaigns/new", {
        "title": "Recueil des besoins 2026", "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "q1_text": "Quels services aideraient vos salariés ?", "q1_kind": "multiple",
        "q1_choices": "Crèche\nCovoiturage\nConciergerie",
        "q2_text": "Combien travaillent en horaires décalés ?", "q2_kind": "choice", "q2_choices": "Aucun\n1 à 10\nPlus de 10",
        "q3_text": "Une idée ?", "q3_kind": "text"})
    assert created.status_code == 302
    campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with scoped(quercy.territory):
        q1, q2, q3 = db.session.get(NeedCampaign, campaign_id).questions
    url = f"/t/grand-quercy/needs/campaigns/{campaign_id}"
    referent = _client(make_client, quercy.ref_conserverie)
    wrong = referent.post_form(url, {f"q{q1.id}": "Piscine", f"q{q3.id}": "Oui"})
    assert wrong.status_code == 422 and f'id="q{q1.id}-error"' in wrong.get_data(as_text=True)
    assert _count(CampaignAnswer) == 0
    answers = {f"q{q1.id}[]": ["Crèche", "Covoiturage"], f"q{q2.id}": "Plus de 10", f"q{q3.id}": "Une navette."}
    assert referent.post_form(url, answers).status_code == 302
    second_referent = make_user(quercy.territory, "company_referent", quercy.conserverie)
    again = _client(make_client, second_referent).post_form(url, answers)
    assert again.status_code == 422 and _count(CampaignAnswer) == 1
    assert _client(make_client, quercy.emp_batiment).post_form(url, answers).status_code == 403
    assert _client(make_client, quercy.ref_batiment).post_form(
        url, {f"q{q1.id}": "Crèche", f"q{q2.id}": "Aucun", f"q{q3.id}": "Rien."}).status_code == 302
    with scoped(quercy.territory):
        campaign = db.session.get(NeedCampaign, campaign_id)
        assert services.response_rate(campaign) == (2, 3, 67)
        results = {q.text: data for q, data in services.results(campaign)}
    assert results["Quels services aideraient vos salariés ?"] == [("Crèche", 2), ("Covoiturage", 1), ("Conciergerie", 0)]
    assert results["Combien travaillent en horaires décalés ?"] == [("Aucun", 1), ("1 à 10", 0), ("Plus de 10", 1)]
    page = admin.get(url).get_data(as_text=True)
    assert "67 %" in page and "Une navette." in page
    with scoped(quercy.territory):
        campaign = db.session.get(NeedCampaign, campaign_id)
        campaign.closes_on = today - timedelta(days=1)
        db.session.commit()
    third = make_user(quercy.territory, "company_referent", quercy.boulangerie)
    assert _client(make_client, third).post_form(url, answers).status_code == 422


def test_other_territories_see_nothing_of_needs(make_client, quercy, other, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    need_id = _submit(_client(make_client, quercy.ref_conserverie), childcare, title="Crèche secrète du Quercy",
                      scope="company", employees_affected="20")
    admin = _client(make_client, quercy.admin)
    collective_id = admin.post_json("/t/grand-quercy/needs/collective",
                                    {"title": "Garde d'enfants", "need_ids": [need_id]}).get_json()["id"]
    today = local_today()
    admin.post_form("/t/grand-quercy/needs/campaigns/new", {
        "title": "Recueil secret", "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "q1_text": "Une idée ?", "q1_kind": "text"})
    with scoped(quercy.territory):
        campaign_id = db.session.scalar(select(NeedCampaign.id))
    routes = [("get", "/needs/"), ("get", "/needs/new"), ("get", f"/needs/{need_id}"),
              ("post", f"/needs/{need_id}/support"), ("post", f"/needs/{need_id}/status"),
              ("post", f"/needs/{need_id}/merge"), ("get", "/needs/collective"), ("post", "/needs/collective"),
              ("get", f"/needs/collective/{collective_id}"), ("get", "/needs/settings"), ("post", "/needs/settings"),
              ("get", "/needs/campaigns"), ("get", "/needs/campaigns/new"), ("post", "/needs/campaigns/new"),
              ("get", f"/needs/campaigns/{campaign_id}"), ("post", f"/needs/campaigns/{campaign_id}")]
    for user in (other.admin, other.employee):
        outsider = _client(make_client, user)
        for method, path in routes:
            url = "/t/grand-quercy" + path
            response = outsider.get(url) if method == "get" else outsider.post_form(url, {"status": "received"})
            assert response.status_code == 403, (user.email, url, response.status_code)
            assert "Crèche secrète" not in response.get_data(as_text=True)
        # Their own territory's URLs do not reach Grand Quercy's rows either.
        for path in (f"/needs/{need_id}", f"/needs/collective/{collective_id}", f"/needs/campaigns/{campaign_id}"):
            assert outsider.get("/t/autun-morvan" + path).status_code == 404
        board = outsider.get("/t/autun-morvan/needs/").get_data(as_text=True)
        assert "Crèche secrète" not in board
    assert _count(NeedSupport) == 0


def test_pages_render_for_members(make_client, quercy, scoped):
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    need_id = _submit(_client(make_client, quercy.ref_conserverie), childcare, scope="company",
                      employees_affected="5")
    admin = _client(make_client, quercy.admin)
    for path in ("/needs/", "/needs/new", f"/needs/{need_id}", "/needs/collective", "/needs/settings",
                 "/needs/campaigns", "/needs/campaigns/new"):
        response = admin.get("/t/grand-quercy" + path)
        # An admin without an employer records needs on an organization's behalf (issue 16).
        assert response.status_code == 200, path
    employee = _client(make_client, quercy.emp_conserverie)
    assert employee.get("/t/grand-quercy/needs/settings").status_code == 403
    assert "We have it too" in employee.get(f"/t/grand-quercy/needs/{need_id}").get_data(as_text=True) or \
        "Nous aussi" in employee.get(f"/t/grand-quercy/needs/{need_id}").get_data(as_text=True)


def test_campaign_question_errors_land_on_their_inputs(make_client, quercy):
    admin = _client(make_client, quercy.admin)
    today = local_today().isoformat()
    response = admin.post_form("/t/grand-quercy/needs/campaigns/new", {
        "title": "Recueil 2026", "opens_on": today, "closes_on": today,
        "q1_text": "Une idée ?", "q1_kind": "text", "q3_text": "Quels services ?", "q3_kind": "choice",
        "q3_choices": "Crèche"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="q3_choices-error"' in page and 'id="q1_choices-error"' not in page
    assert _count(NeedCampaign) == 0


def test_admin_adds_a_need_to_a_collective_need_which_then_passes_the_threshold(make_client, quercy, scoped):
    mobility = _category(quercy.territory, "mobility", scoped)
    first = _submit(_client(make_client, quercy.ref_conserverie), mobility, title="Covoiturage vers la ZA",
                    scope="company", employees_affected="25")
    second = _submit(_client(make_client, quercy.ref_batiment), mobility, title="Navette du matin",
                     scope="company", employees_affected="8")
    admin = _client(make_client, quercy.admin)
    collective = admin.post_json("/t/grand-quercy/needs/collective", {"title": "Mobilité", "need_ids": [first]})
    assert collective.get_json()["flagged"] is False  # 1 company, 25 employees: under 5 companies or 50 employees
    with scoped(quercy.territory):
        services.update_settings({"threshold_companies": 5, "threshold_employees": 30})
    url = f"/t/grand-quercy/needs/{second}/collective"
    assert _client(make_client, quercy.ref_batiment).post_form(
        url, {"collective_id": str(collective.get_json()["id"])}).status_code == 403
    assert admin.post_json(url, {"collective_id": 999}).status_code == 422
    joined = admin.post_json(url, {"collective_id": collective.get_json()["id"]})
    assert joined.status_code == 200 and joined.get_json()["flagged"] is True
    with scoped(quercy.territory):
        assert db.session.get(Need, second).status == "under_study"
        assert services.breakdown(db.session.get(CollectiveNeed, collective.get_json()["id"])).employees == 33
