"""The one place that writes spouse welcome rows, and the queries its pages use."""
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from coopserv.plugin_api import (
    EMPLOYEE,
    SERVICE_OPERATOR,
    SERVICE_STOPPED,
    ServiceRequest,
    _l,
    db,
    format_day,
    gettext,
    local_today,
    notify,
    submit_request,
    utcnow,
)

from .models import Case, FollowUp, HiringNeed, Introduction, Step
from .schemas import SpouseWelcomeConfigSchema

SERVICE_KEY = "spouse_welcome"
#: Statuses no transition leaves; the retention period starts when a case reaches one.
FINAL_STATES = ("settled", "closed", "cancelled", SERVICE_STOPPED)
#: Organizations that may hire a partner (associations are partners of the welcome, not employers here).
EMPLOYER_KINDS = ("company", "local_authority")
FOLLOW_UP_AFTER_DAYS = 365

#: The default checklist: (code, kind, days relative to the arrival date, needs children aged in range).
#: The first meeting is due ``first_contact_days`` after the opening instead (see the module config).
DEFAULT_STEPS = (
    ("first_meeting", "job", None, None),
    ("cv_review", "job", -14, None),
    ("introductions", "job", 14, None),
    ("housing_visits", "housing", -14, None),
    ("childcare", "childcare", -30, (0, 2)),
    ("school", "school", -30, (3, 17)),
    ("associations", "leisure", 30, None),
)
STEP_LABELS = {
    "first_meeting": _l("First meeting with the welcome referent"),
    "cv_review": _l("Review the CV and the job project"),
    "introductions": _l("Introductions to member companies"),
    "housing_visits": _l("Housing visits"),
    "childcare": _l("Childcare enrolment (crèche, childminder)"),
    "school": _l("School enrolment"),
    "associations": _l("Meet associations and leisure clubs"),
}


def module_config(module):
    return SpouseWelcomeConfigSchema().load(module.config or {})


def today():
    return local_today()


# --- Cases -------------------------------------------------------------------------------------

#: Who fills the form when it is not the family itself (an HR referent), read while the case is stored.
_opened_by = ContextVar("spouse_welcome_opened_by", default=None)


@contextmanager
def opened_by(user):
    """Record ``user`` as the opener of cases submitted in the block, in the same transaction."""
    token = _opened_by.set(user.id)
    try:
        yield
    finally:
        _opened_by.reset(token)


def store_case(request, payload):
    """Create the case of a new request and its default checklist, dated from the arrival."""
    case = Case(request_id=request.id, requester_id=request.requester_id,
                opened_by_id=_opened_by.get() or request.requester_id,
                partner_first_name=payload["partner_first_name"], profession=payload["profession"],
                skills=payload.get("skills", ""), languages=list(payload.get("languages") or []),
                sectors=list(payload.get("sectors") or []), housing_needs=payload.get("housing_needs", ""),
                children_ages=list(payload.get("children_ages") or []), arrival_date=payload["arrival_date"])
    first_day = today()
    first_contact = first_day + timedelta(days=module_config(request.module)["first_contact_days"])
    for code, kind, offset, ages in DEFAULT_STEPS:
        if ages is not None and not any(ages[0] <= age <= ages[1] for age in case.children_ages):
            continue
        due = first_contact if offset is None else max(first_day, case.arrival_date + timedelta(days=offset))
        case.steps.append(Step(kind=kind, code=code, due_date=due))
    db.session.add(case)
    return case


def open_case_for_employee(module, referent, organization, raw, employees):
    """Let an HR referent open a case for one of ``employees``; the employee stays the case's family."""
    from .schemas import ReferentCaseSchema

    schema = ReferentCaseSchema()
    schema.module = module
    data = schema.load(raw)
    employee = next((person for person in employees if person.id == data["employee_id"]), None)
    if employee is None:
        raise ValidationError({"employee_id": [gettext("Choose an employee of your company.")]})
    payload = {key: value for key, value in raw.items() if key != "employee_id"}
    with opened_by(referent):
        request = submit_request(module, employee, organization, payload)
    return case_for_request(request.id)


def case_for_request(request_id):
    return db.session.scalar(
        select(Case).filter_by(request_id=request_id)
        .options(selectinload(Case.steps), selectinload(Case.introductions).selectinload(Introduction.organization))
    )


def get_case(case_id):
    return db.session.scalar(
        select(Case).filter_by(id=case_id)
        .options(selectinload(Case.steps), selectinload(Case.introductions).selectinload(Introduction.organization),
                 selectinload(Case.request), selectinload(Case.follow_up))
    )


def list_cases(module, status=None, referent_id=None):
    """Cases with their request, and per case the steps done, steps in all and introductions sent."""
    steps = (select(Step.case_id, func.count(Step.id).label("total"), func.count(Step.done_at).label("done"))
             .group_by(Step.case_id).subquery())
    intros = (select(Introduction.case_id, func.count(Introduction.id).label("sent"))
              .group_by(Introduction.case_id).subquery())
    query = (
        select(Case, func.coalesce(steps.c.done, 0), func.coalesce(steps.c.total, 0), func.coalesce(intros.c.sent, 0))
        .join(ServiceRequest, ServiceRequest.id == Case.request_id)
        .outerjoin(steps, steps.c.case_id == Case.id)
        .outerjoin(intros, intros.c.case_id == Case.id)
        .where(ServiceRequest.module_id == module.id)
        .options(selectinload(Case.request), selectinload(Case.requester), selectinload(Case.referent))
        .order_by(Case.arrival_date.desc(), Case.id.desc())
    )
    if status:
        query = query.where(ServiceRequest.status == status)
    if referent_id:
        query = query.where(Case.referent_id == referent_id)
    return db.session.execute(query).all()


def cases_of_family(user_id):
    """The cases where ``user_id`` is the family (normally one)."""
    return db.session.scalars(
        select(Case).where(Case.requester_id == user_id).options(selectinload(Case.request)).order_by(Case.id.desc())
    ).all()


def cases_opened_by(user_id):
    """Cases an HR referent opened for their employees (the referent page shows only their status)."""
    return db.session.scalars(
        select(Case).where(Case.opened_by_id == user_id, Case.requester_id != user_id)
        .options(selectinload(Case.request), selectinload(Case.requester)).order_by(Case.id.desc())
    ).all()


def module_operators(module):
    """People who operate this module: the welcome referents a case can be assigned to."""
    from coopserv.plugin_api import Membership, User

    return db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == SERVICE_OPERATOR, Membership.module_id == module.id, Membership.status == "active")
        .order_by(User.name)
    ).all()


def company_employees(organization):
    """Employees of ``organization`` in this territory, for the referent's form."""
    from coopserv.plugin_api import Membership, User

    return db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == EMPLOYEE, Membership.organization_id == organization.id,
               Membership.status == "active")
        .order_by(User.name).distinct()
    ).all()


def assign_referent(module, case, referent_id):
    """Give the case a welcome referent among the module's operators and tell the family who it is."""
    referent = next((person for person in module_operators(module) if person.id == referent_id), None)
    if referent is None:
        raise ValidationError({"referent_id": [gettext("Choose one of the welcome referents.")]})
    case.referent_id = referent.id
    notify(case.requester_id, _l("%(name)s is now your welcome referent."), name=referent.name)
    db.session.commit()
    return case


def mark_status(request, change):
    """Start or stop the retention clock when a case enters or leaves a final state."""
    case = db.session.scalar(select(Case).filter_by(request_id=request.id))
    if case is None:
        return
    case.closed_at = (change.at or utcnow()) if change.to_status in FINAL_STATES else None


def close_cases_on_stop(requests, now=None):
    """The service stopped: its open cases close now, which starts their retention clock."""
    ids = [request.id for request in requests]
    if not ids:
        return 0
    now = now or utcnow()
    cases = db.session.scalars(select(Case).where(Case.request_id.in_(ids), Case.closed_at.is_(None))).all()
    for case in cases:
        case.closed_at = now
    return len(cases)


# --- Checklist ---------------------------------------------------------------------------------

def step_label(step):
    return gettext(STEP_LABELS[step.code]) if step.code in STEP_LABELS else step.label


def toggle_step(step):
    step.done_at = None if step.done_at else utcnow()
    db.session.commit()
    return step


def add_step(case, data):
    step = Step(case_id=case.id, kind=data["kind"], label=data["label"], due_date=data.get("due_date"))
    db.session.add(step)
    db.session.commit()
    return step


def get_step(step_id):
    return db.session.scalar(select(Step).filter_by(id=step_id).options(selectinload(Step.case)))


# --- Matching and introductions ----------------------------------------------------------------

def _plain(text):
    """Lower-case without accents, so "Aéronautique" matches "aeronautique"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _words(text):
    cleaned = "".join(char if char.isalnum() else " " for char in _plain(text))
    return {word for word in cleaned.split() if len(word) >= 4}


def words_match(left, right):
    """Tell whether two phrases share a word, allowing a gendered or plural ending ("ingénieur(e)s")."""
    for a in _words(left):
        for b in _words(right):
            shorter, longer = sorted((a, b), key=len)
            if longer.startswith(shorter) and len(longer) - len(shorter) <= 2:
                return True
    return False


@dataclass
class Match:
    """A company ranked for a case: its score and the reasons shown to the welcome referent."""

    organization: object
    score: int = 0
    reasons: list = field(default_factory=list)
    introduced: bool = False


def rank_companies(case):
    """Rank the territory's employers for a case: a hiring need for the profession (3), the company's
    sector wanted (2), a hiring need in a wanted sector (1); companies with no match are left out."""
    from coopserv.plugin_api import Organization

    organizations = db.session.scalars(
        select(Organization).where(Organization.kind.in_(EMPLOYER_KINDS)).order_by(Organization.name)
    ).all()
    needs = db.session.scalars(select(HiringNeed).where(HiringNeed.active.is_(True)).order_by(HiringNeed.id)).all()
    introduced = {intro.organization_id for intro in case.introductions}
    matches = {org.id: Match(org, introduced=org.id in introduced) for org in organizations}
    sectors = case.sectors or []
    for org in organizations:
        if org.sector and any(words_match(org.sector, wanted) for wanted in sectors):
            matches[org.id].score += 2
            matches[org.id].reasons.append(gettext("Sector wanted: %(sector)s", sector=org.sector))
    for need in needs:
        match = matches.get(need.organization_id)
        if match is None:
            continue
        if words_match(need.profession, case.profession):
            match.score += 3
            match.reasons.append(gettext("Hiring: %(profession)s", profession=need.profession))
        elif need.sector and any(words_match(need.sector, wanted) for wanted in sectors):
            match.score += 1
            match.reasons.append(gettext("Hiring in a wanted sector: %(profession)s", profession=need.profession))
    ranked = [match for match in matches.values() if match.score > 0]
    ranked.sort(key=lambda match: (-match.score, _plain(match.organization.name)))
    return ranked


def employer_choices():
    from coopserv.plugin_api import Organization

    return db.session.scalars(
        select(Organization).where(Organization.kind.in_(EMPLOYER_KINDS)).order_by(Organization.name)
    ).all()


def send_introduction(case, data, actor):
    """Record that the welcome referent introduced the partner to a company (once per company)."""
    from coopserv.plugin_api import Organization

    organization = db.session.scalar(
        select(Organization).where(Organization.id == data["organization_id"], Organization.kind.in_(EMPLOYER_KINDS))
    )
    if organization is None:
        raise ValidationError({"organization_id": [gettext("Choose a company of the territory.")]})
    if any(intro.organization_id == organization.id for intro in case.introductions):
        raise ValidationError({"organization_id": [gettext("This company already received an introduction.")]})
    introduction = Introduction(case_id=case.id, organization_id=organization.id, sent_by_id=actor.id,
                                notes=data.get("notes", ""))
    db.session.add(introduction)
    notify(case.requester_id, _l("Your welcome referent introduced your partner to %(company)s."),
           company=organization.name)
    db.session.commit()
    return introduction


def get_introduction(introduction_id):
    return db.session.scalar(select(Introduction).filter_by(id=introduction_id)
                             .options(selectinload(Introduction.case), selectinload(Introduction.organization)))


def set_outcome(introduction, outcome):
    introduction.outcome = outcome
    introduction.outcome_at = None if outcome == "pending" else utcnow()
    db.session.commit()
    return introduction


# --- Follow-up ---------------------------------------------------------------------------------

def follow_up_due(case):
    return case.arrival_date + timedelta(days=FOLLOW_UP_AFTER_DAYS) if case.arrival_date else None


def record_follow_up(case, data, actor):
    """Record (or correct) the one-year follow-up; refused before the year has passed."""
    due = follow_up_due(case)
    if due is None or due > today():
        raise ValidationError({"still_in_territory": [
            gettext("The follow-up is recorded one year after arrival, from %(date)s.",
                    date=format_day(due) if due else "—")]})
    follow_up = case.follow_up or FollowUp(case_id=case.id)
    follow_up.still_in_territory = data["still_in_territory"]
    follow_up.partner_working = data.get("partner_working", False)
    follow_up.notes = data.get("notes", "")
    follow_up.recorded_by_id = actor.id
    follow_up.recorded_at = utcnow()
    db.session.add(follow_up)
    db.session.commit()
    return follow_up


# --- Hiring needs ------------------------------------------------------------------------------

def needs_of(organization_ids):
    if not organization_ids:
        return []
    return db.session.scalars(
        select(HiringNeed).where(HiringNeed.organization_id.in_(organization_ids))
        .options(selectinload(HiringNeed.organization)).order_by(HiringNeed.active.desc(), HiringNeed.id.desc())
    ).all()


def add_hiring_need(organization, data):
    need = HiringNeed(organization_id=organization.id, **data)
    db.session.add(need)
    db.session.commit()
    return need


def get_hiring_need(need_id):
    return db.session.scalar(select(HiringNeed).filter_by(id=need_id))


def set_need_active(need, active):
    need.active = active
    db.session.commit()
    return need


# --- Retention ---------------------------------------------------------------------------------

#: Personal fields of a case and the value they take once anonymised.
ANONYMISED_CASE_VALUES = {"partner_first_name": "", "profession": "", "skills": "", "languages": [],
                          "housing_needs": "", "children_ages": []}


def anonymise_case(case, now):
    """Wipe what identifies the family; keep sectors, dates, steps and outcomes for the indicators."""
    for name, value in ANONYMISED_CASE_VALUES.items():
        setattr(case, name, value)
    case.requester_id = None
    case.opened_by_id = None
    case.anonymised_at = now
    for introduction in case.introductions:
        introduction.notes = ""
    if case.follow_up is not None:
        case.follow_up.notes = ""
    # The request's payload repeats the form; the core has no service for this, so the plugin clears it.
    case.request.payload = {}
    case.request.requester_id = None


def anonymise_expired_cases(module, now):
    """Anonymise the module's cases closed longer ago than ``retention_days``, and finish the erasure of
    cases whose family asked to be erased (the core only blanks the case row); idempotent."""
    limit = now - timedelta(days=module_config(module)["retention_days"])
    expired = and_(ServiceRequest.status.in_(FINAL_STATES), Case.closed_at.is_not(None), Case.closed_at <= limit)
    cases = db.session.scalars(
        select(Case).join(ServiceRequest, ServiceRequest.id == Case.request_id)
        .where(ServiceRequest.module_id == module.id, Case.anonymised_at.is_(None),
               or_(expired, Case.requester_id.is_(None)))
        .options(selectinload(Case.request), selectinload(Case.introductions), selectinload(Case.follow_up))
    ).all()
    for case in cases:
        anonymise_case(case, now)
    db.session.commit()
    return len(cases)
