"""Ranking member companies for a case, and the hiring needs company referents declare."""
from coopserv_plugins.spouse_welcome import services
from coopserv_plugins.spouse_welcome.models import Case, HiringNeed

from coopserv.plugin_api import db, territory_scope

from .conftest import all_rows


def _need(territory, organization, profession, sector="", active=True):
    with territory_scope(territory):
        db.session.add(HiringNeed(organization_id=organization.id, profession=profession, sector=sector,
                                  active=active))
        db.session.commit()


def _ranking(territory, case_id):
    with territory_scope(territory):
        case = db.session.get(Case, case_id)
        return [(match.organization.name, match.score) for match in services.rank_companies(case)]


def test_profession_needs_rank_first_then_sectors(figeac, open_case):
    # The partner is a "Menuisière agenceuse" wanting wood or aeronautics.
    case = open_case(profession="Menuisière agenceuse", sectors="bois, aeronautique")
    _need(figeac.territory, figeac.grand_figeac, "Menuisier agenceur", sector="Collectivité")  # profession: 3
    _need(figeac.territory, figeac.ratier, "Technicien qualité", sector="Aéronautique")  # sector need: 1
    _need(figeac.territory, figeac.aero, "Menuisier agenceur", active=False)  # closed need: ignored
    ranking = _ranking(figeac.territory, case.id)
    # Ratier: sector 2 + sector need 1; Menuiserie: sector 2; Figeac Aéro: sector 2; Grand-Figeac: need 3.
    assert ranking == [("Grand-Figeac", 3), ("Ratier-Figeac", 3), ("Figeac Aéro", 2), ("Menuiserie du Célé", 2)]
    assert "Figeac Accueil" not in dict(ranking)  # associations are not ranked as employers


def test_no_match_leaves_a_company_out_and_introduced_ones_are_flagged(login, figeac, open_case):
    case = open_case(profession="Infirmière", sectors="Santé")
    assert _ranking(figeac.territory, case.id) == []
    _need(figeac.territory, figeac.ratier, "Infirmier du travail", sector="Aéronautique")
    assert _ranking(figeac.territory, case.id) == [("Ratier-Figeac", 3)]
    operator = login(figeac.operator)
    operator.post_form(f"/t/figeac/spouse-welcome/cases/{case.id}/introductions",
                       {"organization_id": str(figeac.ratier.id)})
    page = operator.get(f"/t/figeac/spouse-welcome/cases/{case.id}").get_data(as_text=True)
    matches = page[page.index('id="matches"'):]
    assert "Ratier-Figeac" in matches and "Infirmier du travail" in matches
    with territory_scope(figeac.territory):
        [match] = services.rank_companies(db.session.get(Case, case.id))
        assert match.introduced is True


def test_operator_page_shows_the_ranking_in_order(login, figeac, open_case):
    case = open_case(profession="Menuisier", sectors="Bois")
    _need(figeac.territory, figeac.ratier, "Menuisier", sector="Aéronautique")
    page = login(figeac.operator).get(f"/t/figeac/spouse-welcome/cases/{case.id}").get_data(as_text=True)
    matches = page[page.index('id="matches"'):]
    assert matches.index("Ratier-Figeac") < matches.index("Menuiserie du Célé")


def test_company_referent_declares_hiring_needs_that_feed_the_ranking(login, figeac, open_case):
    case = open_case(profession="Comptable", sectors="Santé")
    referent = login(figeac.ratier_referent)
    bad = referent.post_form("/t/figeac/spouse-welcome/hiring-needs", {"profession": "x"})
    assert bad.status_code == 422 and 'id="profession-error"' in bad.get_data(as_text=True)
    assert all_rows(HiringNeed) == []
    response = referent.post_form("/t/figeac/spouse-welcome/hiring-needs",
                                  {"profession": "Comptable fournisseurs", "sector": "Aéronautique"})
    assert response.status_code == 302
    [need] = all_rows(HiringNeed)
    assert need.organization_id == figeac.ratier.id
    assert _ranking(figeac.territory, case.id) == [("Ratier-Figeac", 3)]
    # Another company's referent may neither see nor close this need.
    other = login(figeac.referent)
    assert "Comptable fournisseurs" not in other.get("/t/figeac/spouse-welcome/hiring-needs").get_data(as_text=True)
    assert other.post_form(f"/t/figeac/spouse-welcome/hiring-needs/{need.id}/toggle").status_code == 404
    assert referent.post_form(f"/t/figeac/spouse-welcome/hiring-needs/{need.id}/toggle").status_code == 302
    assert all_rows(HiringNeed)[0].active is False
    assert _ranking(figeac.territory, case.id) == []
    # Employees do not manage hiring needs.
    assert login(figeac.employee).get("/t/figeac/spouse-welcome/hiring-needs").status_code == 403


def test_words_match_ignores_accents_case_and_gender():
    assert services.words_match("Ingénieure qualité", "ingenieur")
    assert services.words_match("AÉRONAUTIQUE", "aéronautique")
    assert not services.words_match("Infirmière", "Informatique")
    assert not services.words_match("de la", "de la")  # short words never match on their own
