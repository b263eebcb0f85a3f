"""Demo data for Autun Morvan's IoT training: needs of Nexans Autun and Morvan Électronique, four
courses, a session that ran (attendance, certificates, survey), sessions open for enrolment with
a waiting list, one awaiting the referent's approval and one heading for cancellation."""
from datetime import time, timedelta

from coopserv.plugin_api import (
    COMPANY_REFERENT,
    EMPLOYEE,
    current_territory,
    db,
    employer_of,
    local_today,
    submit_request,
)

from . import services
from .models import Course, CourseNeed, SkillNeed

NEEDS = [
    ("Nexans Autun", "Maintenance prédictive des tréfileuses par capteurs vibratoires",
     "Détecter l'usure des roulements avant la casse, sur la ligne de tréfilage cuivre.", 8),
    ("Nexans Autun", "Suivi des consommations d'énergie de l'atelier",
     "Installer des compteurs communicants et lire les courbes de charge.", 4),
    ("Morvan Électronique", "Déployer un réseau LoRaWAN sur le site de Bellevue",
     "Relier des capteurs de température et d'humidité du stock de composants.", 4),
    ("Morvan Électronique", "Sécuriser les objets connectés vendus aux clients",
     "Mises à jour à distance, chiffrement, gestion des clés.", 3),
]
COURSES = [
    ("Capteurs connectés et maintenance prédictive", "beginner",
     ("Choisir et poser des capteurs (vibrations, température, courant), collecter les mesures, "
     "fixer des seuils d'alerte et lire une tendance d'usure."), [0, 1]),
    ("LoRaWAN pour l'industrie", "intermediate",
     ("Architecture d'un réseau LoRaWAN, passerelles, couverture d'un site industriel, "
     "serveur de réseau et intégration des données."), [2]),
    ("Cybersécurité des objets connectés", "advanced",
     "Menaces propres à l'IoT, démarrage sécurisé, mises à jour signées, chiffrement de bout en bout.", [3]),
    ("Tableaux de bord IoT avec Node-RED", "beginner",
     "Construire en deux jours un tableau de bord d'atelier à partir de capteurs existants.", [1]),
]
TRAINEES = [
    ("julien.bernard", "Julien Bernard", "Nexans Autun"),
    ("sarah.lefevre", "Sarah Lefèvre", "Nexans Autun"),
    ("thomas.moreau", "Thomas Moreau", "Morvan Électronique"),
    ("ines.girard", "Inès Girard", "Morvan Électronique"),
    ("lucas.roux", "Lucas Roux", "Morvan Électronique"),
]
COMMENTS = [
    (5, "Très concret : nous avons posé un capteur sur une vraie tréfileuse dès le premier jour."),
    (4, "Bon équilibre théorie et pratique ; un peu court sur l'analyse des données."),
    (5, "Formatrice disponible, exemples tirés de nos ateliers."),
    (3, "Utile, mais j'aurais aimé plus de temps sur le paramétrage des alertes."),
]


def seed(module, organizations, users):
    """Add needs, courses, sessions and enrolments; the first session is moved into the past and run."""
    territory_slug = current_territory().slug
    needs = []
    referents = {}
    for company, title, description, people in NEEDS:
        organization = organizations.get(company)
        if organization is None:
            continue
        referent = referents.get(company)
        if referent is None:
            referent = users.get("referent") if employer_of(users["referent"]) == organization else \
                _trainee(territory_slug, "rh." + company.split()[0].lower(), f"Référent RH {company}", organization,
                         COMPANY_REFERENT)
            referents[company] = referent
        need = SkillNeed(organization_id=organization.id, declared_by_id=referent.id, title=title,
                         description=description, people_count=people)
        db.session.add(need)
        needs.append(need)
    db.session.flush()
    courses = []
    for title, level, summary, need_indexes in COURSES:
        course = Course(title=title, level=level, summary=summary)
        course.need_links = [CourseNeed(need_id=needs[i].id) for i in need_indexes if i < len(needs)]
        db.session.add(course)
        courses.append(course)
    db.session.commit()

    people = [users["employee"]] + [
        _trainee(territory_slug, handle, name, organizations[company], EMPLOYEE)
        for handle, name, company in TRAINEES if company in organizations
    ]
    db.session.commit()
    today = local_today()
    ran = _session(courses[0], today + timedelta(days=12), 2, "Campus des métiers, Autun", "Sophie Garnier", 10, 4)
    lorawan = _session(courses[1], today + timedelta(days=24), 2, "Morvan Électronique, ZA de Bellevue",
                       "Karim Haddad", 8, 4)
    full = _session(courses[0], today + timedelta(days=38), 2, "Nexans Autun, salle de formation",
                    "Sophie Garnier", 3, 2)
    doomed = _session(courses[2], today + timedelta(days=9), 1, "Pépinière d'entreprises, Autun",
                      "Claire Dumas", 10, 5, deadline_days=4)
    for person in people:
        _enrol(module, person, ran)
    for person in people[0:1] + people[3:5]:
        _enrol(module, person, lorawan)
    for person in people[1:5]:
        _enrol(module, person, full)  # the fourth one waits for a seat
    _enrol(module, people[-1], doomed)

    # The first session ran six weeks ago: attendance, closing, certificates and survey.
    _move_to_past(ran, today - timedelta(days=30))
    first, second = (day.id for day in ran.days)
    seated = [e for e in services.session_enrolments(ran.id) if e.request.status == "enrolled"]
    present = [f"{e.id}-{first}" for e in seated] + [f"{e.id}-{second}" for e in seated[:-1]]
    services.record_attendance(ran, present)
    services.close_session(ran, users.get("operator"), services.module_config(module)["completion_threshold"])
    for enrolment, (score, comment) in zip(services.session_enrolments(ran.id), COMMENTS):
        services.answer_survey(enrolment, {"score": score, "comment": comment})

    # From now on the territory asks referents to approve: one enrolment waits for Nexans' referent.
    from coopserv.plugin_api import configure_module

    configure_module(module, dict(module.config or {}, referent_approval=True))
    if len(people) > 1:
        _enrol(module, people[1], lorawan)


def _session(course, first_day, days, place, trainer, capacity, minimum, deadline_days=7):
    while first_day.weekday() >= 5:
        first_day += timedelta(days=1)
    last_day = first_day + timedelta(days=days - 1)
    while last_day.weekday() >= 5:
        last_day += timedelta(days=1)
    return services.save_session(None, {
        "course_id": course.id, "first_day": first_day, "last_day": last_day, "starts_at": time(9, 0),
        "ends_at": time(17, 0), "place": place, "trainer": trainer, "capacity": capacity,
        "min_participants": minimum, "registration_deadline": first_day - timedelta(days=deadline_days),
    })


def _enrol(module, person, session):
    organization = employer_of(person)
    submit_request(module, person, organization, {"session_id": session.id,
                                                  "motivation": "Appliquer la formation à nos lignes de production."})


def _move_to_past(session, first_day):
    """Shift a session that filled up into the past, as if it had run (the demo has no time machine)."""
    while first_day.weekday() != 1:
        first_day -= timedelta(days=1)
    session = services.lock_session(session.id)
    session.first_day, session.last_day = first_day, first_day + timedelta(days=1)
    session.registration_deadline = first_day - timedelta(days=7)
    session.status = "confirmed"
    for day, new_day in zip(session.days, (session.first_day, session.last_day)):
        day.day = new_day
    db.session.commit()


def _trainee(territory_slug, handle, name, organization, role):
    """A demo person of the territory (the core creates only one employee and one referent)."""
    from coopserv.plugin_api import Membership, create_demo_user

    user = create_demo_user(name, f"{handle}@{territory_slug}.demo")
    db.session.add(Membership(user_id=user.id, role=role, organization_id=organization.id))
    if role == COMPANY_REFERENT:
        db.session.add(Membership(user_id=user.id, role=EMPLOYEE, organization_id=organization.id))
    db.session.flush()
    return user
