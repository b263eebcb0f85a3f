"""Demo needs for the territories whose story starts with services (Grand Quercy's come with its project).

Each board gets the needs the original experiment heard there, a company answer, an
employee's own need and a "we have it too" from another company, so every needs board of
the demo has something to read, sort and support.
"""
from coopserv.needs.models import COMPANY
from coopserv.needs.services import category_by_key, ensure_categories, submit_need, support_need

#: territory slug -> needs: (author key, organization name, category, title, description, scope, employees)
#: and supports: (need index, supporter key, organization name, employees).
DEMO_NEEDS = {
    "ouest-rhodanien": {
        "needs": [
            ("referent", "Textiles de Tarare", "mobility", "Covoiturage depuis les Monts du Lyonnais",
             "Une trentaine de salariés font 25 km seuls en voiture chaque jour, sans car aux heures d'équipe.",
             COMPANY, 30),
            ("employee", "Textiles de Tarare", "quality_of_life", "Une place d'accueil pour mon enfant en 2 × 8",
             "Je commence à 5 h une semaine sur deux : aucune assistante maternelle ne me prend si tôt.", None, 1),
            ("colleague", "Plasturgie Val de Turdine", "training", "Former nos régleurs sur place",
             "Les formations sont à Lyon : une session commune sur la ZA éviterait deux jours de route.", None, 1),
        ],
        "supports": [(0, "colleague", "Plasturgie Val de Turdine", 12)],
    },
    "autun-morvan": {
        "needs": [
            ("referent", "Nexans Autun", "premises", "Parking saturé à la ZI de Saint-Andoche",
             "Aux changements d'équipe, les salariés tournent vingt minutes pour se garer.", COMPANY, 150),
            ("employee", "Nexans Autun", "training", "Apprendre à installer des capteurs connectés",
             "Nos lignes s'équipent de capteurs : je voudrais savoir les poser et lire leurs données.", None, 1),
            ("colleague", "Morvan Électronique", "hr", "Recruter des techniciens en électronique",
             "Trois postes ouverts depuis six mois, faute de candidats formés dans le bassin.", None, 1),
        ],
        "supports": [(1, "colleague", "Morvan Électronique", 8)],
    },
    "figeac": {
        "needs": [
            ("referent", "Figeac Aéro", "welcoming", "Un emploi pour le conjoint des nouveaux recrutés",
             "Deux recrutements sur cinq échouent parce que le conjoint ne trouve pas de travail dans le Lot.",
             COMPANY, 40),
            ("employee", "Figeac Aéro", "quality_of_life", "Déposer son pressing au travail",
             "Le pressing ferme avant la sortie de l'équipe du soir.", None, 1),
            ("colleague", "Menuiserie du Célé", "mobility", "Une navette depuis la gare de Figeac",
             "Les apprentis arrivent en train et n'ont pas de voiture pour rejoindre la ZA.", None, 1),
        ],
        "supports": [(0, "colleague", "Menuiserie du Célé", 3), (2, "employee", "Figeac Aéro", 1)],
    },
}


def seed_demo_needs(territory, organizations, users):
    """Fill the territory's needs board; ``users`` maps referent, employee and colleague to people."""
    spec = DEMO_NEEDS.get(territory.slug)
    if spec is None:
        return []
    ensure_categories()
    created = []
    for author, organization, category, title, description, scope, employees in spec["needs"]:
        if author not in users or organization not in organizations:
            continue
        data = {"title": title, "description": description, "category_id": category_by_key(category).id,
                "scope": scope or "individual", "employees_affected": employees}
        created.append(submit_need(data, users[author], organizations[organization], scope == COMPANY))
    for index, supporter, organization, employees in spec["supports"]:
        if index < len(created) and supporter in users:
            support_need(created[index], users[supporter], organizations[organization], supporter == "referent",
                         {"employees_affected": employees})
    return created
