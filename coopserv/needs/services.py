"""The one place that writes needs, supports, collective needs and campaigns; and the board's sums."""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext
from marshmallow import ValidationError
from sqlalchemy import func, or_, select

from coopserv.audit.services import record
from coopserv.extensions import db
from coopserv.i18n import _l
from coopserv.notifications.services import notify
from coopserv.organizations.models import Organization
from coopserv.timeutil import local_today, utcnow

from .models import (
    ADDRESSED,
    COMPANY,
    DEFAULT_CATEGORIES,
    INDIVIDUAL,
    MERGED,
    NOT_RETAINED,
    UNDER_STUDY,
    CampaignAnswer,
    CampaignQuestion,
    CollectiveNeed,
    Need,
    NeedCampaign,
    NeedCategory,
    NeedSettings,
    NeedSupport,
)


# -- categories and settings -------------------------------------------------
def ensure_categories():
    """Seed the method's default categories the first time a territory's needs are used."""
    if db.session.scalar(select(func.count(NeedCategory.id))):
        return
    for position, (key, family, label) in enumerate(DEFAULT_CATEGORIES):
        db.session.add(NeedCategory(key=key, family=family, label=label, position=position))
    db.session.commit()


def list_categories(active_only=True):
    ensure_categories()
    query = select(NeedCategory).order_by(NeedCategory.family, NeedCategory.position, NeedCategory.id)
    if active_only:
        query = query.filter_by(active=True)
    return list(db.session.scalars(query))


def category_by_key(key):
    return db.session.scalar(select(NeedCategory).filter_by(key=key))


def add_category(data):
    """Add a territory's own category (its key derived from the label)."""
    key = re.sub(r"[^a-z0-9]+", "_", data["label"].lower()).strip("_")[:50] or "category"
    if category_by_key(key) is not None:
        raise ValidationError({"label": [lazy_gettext("This category already exists.")]})
    position = (db.session.scalar(select(func.max(NeedCategory.position))) or 0) + 1
    category = NeedCategory(key=key, family=data["family"], label=data["label"], position=position)
    db.session.add(category)
    record("needs.category_added", key)
    db.session.commit()
    return category


def toggle_category(category):
    category.active = not category.active
    record("needs.category_toggled", category.key, active=category.active)
    db.session.commit()


def get_settings():
    """Return the territory's thresholds, creating the defaults (5 companies or 50 employees)."""
    settings = db.session.scalar(select(NeedSettings))
    if settings is None:
        settings = NeedSettings()
        db.session.add(settings)
        db.session.flush()
    return settings


def update_settings(data):
    settings = get_settings()
    settings.threshold_companies = data["threshold_companies"]
    settings.threshold_employees = data["threshold_employees"]
    record("needs.thresholds_changed", "", **data)
    db.session.commit()
    for collective in db.session.scalars(select(CollectiveNeed)):
        check_threshold(collective)
    return settings


# -- needs and supports --------------------------------------------------------
def submit_need(data, author, organization, is_referent, on_behalf=False):
    """Store a need; only a referent may answer for the company (else it counts one person).

    ``on_behalf``: an admin or a referent records the need for the organization (heard at a
    meeting…); it then counts for the company and must say where it was heard (``source``).
    """
    category = db.session.scalar(select(NeedCategory).filter_by(id=data["category_id"], active=True))
    if category is None:
        raise ValidationError({"category_id": [lazy_gettext("Choose one of the proposed values.")]})
    scope = COMPANY if on_behalf else data.get("scope", INDIVIDUAL)
    if on_behalf and not data.get("source", "").strip():
        raise ValidationError({"source": [lazy_gettext("Say where this need was heard (a meeting, a visit…).")]})
    if scope == COMPANY and not (is_referent or on_behalf):
        raise ValidationError({"scope": [lazy_gettext("Only your company's referent answers for the company.")]})
    need = Need(title=data["title"], description=data["description"], category_id=category.id,
                author_id=author.id, organization_id=organization.id if organization else None, scope=scope,
                employees_affected=data["employees_affected"] if scope == COMPANY else 1,
                sites=data.get("sites", ""), shifts=data.get("shifts", ""),
                business_park=data.get("business_park") or (organization.business_park if organization else ""),
                urgency=data.get("urgency", "medium"), source=data.get("source", "").strip())
    db.session.add(need)
    db.session.flush()
    record("needs.submitted", need.id, actor=author, title=need.title)
    notify(author.id, _l("Your need “%(title)s” is received."), link_to=_need_target(need), title=need.title)
    db.session.commit()
    return need


def _need_target(need):
    from coopserv.urls import target

    return target("needs.detail", need_id=need.id)


def effective_need(need):
    """Follow merges to the need that now carries the supports."""
    seen = set()
    while need.merged_into_id is not None and need.id not in seen:
        seen.add(need.id)
        need = need.merged_into
    return need


def supporters(need):
    """User ids already counted on a need: its author and its supporters."""
    return {need.author_id} | {s.user_id for s in need.supports}


def support_need(need, user, organization, is_referent, data):
    """Record "we have it too" once per person; a referent counts the employees of the company."""
    need = effective_need(need)
    if user.id in supporters(need):
        raise ValidationError({"_schema": [lazy_gettext("You already support this need.")]})
    scope = COMPANY if is_referent and organization is not None else INDIVIDUAL
    support = NeedSupport(need_id=need.id, user_id=user.id, organization_id=organization.id if organization else None,
                          organization_size=organization.size_band if organization else "", scope=scope,
                          employees_affected=data.get("employees_affected", 1) if scope == COMPANY else 1)
    db.session.add(support)
    record("needs.supported", need.id, actor=user)
    db.session.commit()
    if need.collective is not None:
        check_threshold(need.collective)
    return support


def _support_totals():
    """Per need: supports count and employees concerned through supports (one grouped subquery)."""
    return (select(NeedSupport.need_id.label("need_id"), func.count(NeedSupport.id).label("supports"),
                   func.sum(NeedSupport.employees_affected).label("employees"))
            .group_by(NeedSupport.need_id).subquery())


@dataclass
class BoardRow:
    need: Need
    supports: int
    weight: int


def board(category_id=None, business_park=None, size_band=None):
    """Rank open needs by employees concerned (author's and supporters'), then by supports."""
    totals = _support_totals()
    weight = (Need.employees_affected + func.coalesce(totals.c.employees, 0)).label("weight")
    supports = (1 + func.coalesce(totals.c.supports, 0)).label("supports")
    query = (select(Need, supports, weight).outerjoin(totals, totals.c.need_id == Need.id)
             .where(Need.status != MERGED).order_by(weight.desc(), supports.desc(), Need.id))
    if category_id:
        query = query.where(Need.category_id == category_id)
    if business_park:
        query = query.where(Need.business_park == business_park)
    if size_band:
        author_size = select(Organization.id).where(Organization.id == Need.organization_id,
                                                    Organization.size_band == size_band)
        support_size = select(NeedSupport.id).where(NeedSupport.need_id == Need.id,
                                                    NeedSupport.organization_size == size_band)
        query = query.where(or_(author_size.exists(), support_size.exists()))
    return [BoardRow(need, count, int(total)) for need, count, total in db.session.execute(query).all()]


def counts_by_category():
    """(category, number of open needs) for every active category, for the board's chart."""
    count = func.count(Need.id)
    rows = db.session.execute(
        select(NeedCategory, count).outerjoin(Need, (Need.category_id == NeedCategory.id) & (Need.status != MERGED))
        .where(NeedCategory.active.is_(True)).group_by(NeedCategory.id)
        .order_by(NeedCategory.family, NeedCategory.position)
    ).all()
    return [(category, total) for category, total in rows]


def business_parks():
    return [p for p in db.session.scalars(select(Need.business_park).distinct().order_by(Need.business_park)) if p]


def weight_of(need):
    return need.employees_affected + sum(s.employees_affected for s in need.supports)


# -- admin answers -------------------------------------------------------------
def set_status(need, status, reason="", project=None, actor=None):
    """Answer a need with a visible status; its author is notified of the change."""
    if status == need.status and (project is None or project.id == need.project_id) and reason == need.status_reason:
        return need
    old = need.status
    need.status = status
    need.status_reason = reason or ""
    need.project_id = project.id if (status == ADDRESSED and project is not None) else None
    record("needs.status_changed", need.id, actor=actor, old=old, new=status, reason=reason)
    if status == ADDRESSED and project is not None:
        notify(need.author_id, _l("Your need “%(title)s” is addressed by the project “%(project)s”."),
               link_to=_need_target(need), title=need.title, project=project.title)
    elif status == NOT_RETAINED:
        notify(need.author_id, _l("Your need “%(title)s” is not retained: %(reason)s"), link_to=_need_target(need),
               title=need.title, reason=reason)
    else:
        notify(need.author_id, _l("Your need “%(title)s” is now: %(status)s."), link_to=_need_target(need),
               title=need.title, status=_status_label(status))
    _mail_need_status(need, status, reason, project)
    db.session.commit()
    return need


def _mail_need_status(need, status, reason, project):
    """E-mail the change to the need's author and to everyone who supports it."""
    from coopserv.emails.categories import NEEDS
    from coopserv.emails.services import send_email_to_users

    common = dict(link_to=_need_target(need), title=need.title, status=_status_label(status), reason=reason or "",
                  project=project.title if (status == ADDRESSED and project is not None) else "")
    send_email_to_users([need.author_id], NEEDS, "emails/need_status.html", mine=True, **common)
    others = [user_id for user_id in supporters(need) if user_id != need.author_id]
    send_email_to_users(others, NEEDS, "emails/need_status.html", mine=False, **common)


def _status_label(status):
    from .models import STATUSES

    return STATUSES[status]


def merge(duplicate, target, actor=None):
    """Merge a duplicate into ``target``: its author and supporters now support the target."""
    target = effective_need(target)
    if duplicate.id == target.id or duplicate.status == MERGED:
        raise ValidationError({"target_id": [lazy_gettext("Choose another need to merge into.")]})
    counted = supporters(target)
    carried = [(duplicate.author_id, duplicate.organization, duplicate.scope, duplicate.employees_affected)]
    carried += [(s.user_id, s.organization, s.scope, s.employees_affected) for s in duplicate.supports]
    for user_id, organization, scope, employees in carried:
        if user_id is None or user_id in counted:
            continue
        counted.add(user_id)
        db.session.add(NeedSupport(need_id=target.id, user_id=user_id,
                                   organization_id=organization.id if organization else None,
                                   organization_size=organization.size_band if organization else "",
                                   scope=scope, employees_affected=employees))
    duplicate.status = MERGED
    duplicate.merged_into_id = target.id
    record("needs.merged", duplicate.id, actor=actor, into=target.id)
    notify(duplicate.author_id, _l("Your need “%(title)s” was merged into “%(target)s”; your support is kept."),
           link_to=_need_target(target), title=duplicate.title, target=target.title)
    db.session.commit()
    db.session.refresh(target)
    if target.collective is not None:
        check_threshold(target.collective)
    return target


# -- collective needs -------------------------------------------------------------
def create_collective(data, actor=None):
    """Group needs into a collective need and check it against the territory's threshold."""
    needs = list(db.session.scalars(select(Need).where(Need.id.in_(data["need_ids"]), Need.status != MERGED)))
    if len(needs) != len(set(data["need_ids"])):
        raise ValidationError({"need_ids": [lazy_gettext("Choose needs of this territory that are not merged.")]})
    collective = CollectiveNeed(title=data["title"], description=data.get("description", ""))
    db.session.add(collective)
    for need in needs:
        need.collective = collective
    db.session.flush()
    record("needs.collective_created", collective.id, actor=actor, needs=sorted(n.id for n in needs))
    db.session.commit()
    check_threshold(collective)
    return collective


def add_to_collective(collective, need, actor=None):
    need.collective = collective
    record("needs.collective_added", collective.id, actor=actor, need=need.id)
    db.session.commit()
    check_threshold(collective)


@dataclass
class Breakdown:
    """A collective need's weight: per organization, and in total."""

    rows: list
    companies: int
    employees: int
    people_without_organization: int


def breakdown(collective):
    """Add up company answers and individual ones; a company's referent figure includes its employees."""
    per_org = {}
    loose = 0
    entries = []
    for need in collective.needs:
        if need.status == MERGED:
            continue
        entries.append((need.organization, need.scope, need.employees_affected))
        entries += [(s.organization, s.scope, s.employees_affected) for s in need.supports]
    for organization, scope, employees in entries:
        if organization is None:
            loose += employees
            continue
        row = per_org.setdefault(organization.id, {"organization": organization, "company": 0, "individuals": 0})
        if scope == COMPANY:
            row["company"] = max(row["company"], employees)
        else:
            row["individuals"] += employees
    rows = []
    for row in per_org.values():
        row["employees"] = row["company"] or row["individuals"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["employees"], r["organization"].name))
    return Breakdown(rows, len(rows), sum(r["employees"] for r in rows) + loose, loose)


def passes_threshold(collective, settings=None):
    settings = settings or get_settings()
    totals = breakdown(collective)
    return totals.companies >= settings.threshold_companies or totals.employees >= settings.threshold_employees


def check_threshold(collective):
    """Flag a collective need for a feasibility study once it passes the threshold; its needs go under study."""
    if collective.flagged_at is not None or not passes_threshold(collective):
        return False
    collective.flagged_at = utcnow()
    record("needs.collective_flagged", collective.id)
    _tell_the_committee(collective)
    _mail_committee_threshold(collective)
    db.session.commit()
    for need in collective.needs:
        if need.status in ("received",):
            set_status(need, UNDER_STUDY, reason="")
    return True


def _tell_the_committee(collective):
    """Notify committee members and territory admins that a collective need passed the threshold."""
    from flask import has_request_context, url_for

    from coopserv.accounts.models import ACTIVE, GOVERNANCE_MEMBER, TERRITORY_ADMIN, Membership

    link = url_for("needs.collective", collective_id=collective.id) if has_request_context() else ""
    people = db.session.scalars(select(Membership.user_id).distinct().where(
        Membership.role.in_((GOVERNANCE_MEMBER, TERRITORY_ADMIN)), Membership.status == ACTIVE))
    for user_id in people:
        notify(user_id, _l("The collective need “%(title)s” passed the territory's threshold: it can go on the next "
                           "committee meeting's agenda."), link=link, title=collective.title)


def _mail_committee_threshold(collective):
    """Tell the steering committee a collective need crossed the threshold (a feasibility study is due)."""
    from coopserv.emails.categories import NEEDS
    from coopserv.emails.services import send_email_to_users
    from coopserv.governance.services import committee_members
    from coopserv.urls import target

    totals = breakdown(collective)
    send_email_to_users([member.user.id for member in committee_members()], NEEDS, "emails/collective_threshold.html",
                        link_to=target("needs.collective", collective_id=collective.id), title=collective.title,
                        companies=totals.companies, employees=totals.employees)


def list_collectives():
    return list(db.session.scalars(select(CollectiveNeed).order_by(CollectiveNeed.flagged_at.is_(None),
                                                                   CollectiveNeed.id.desc())))


# -- campaigns ------------------------------------------------------------------
def create_campaign(data, actor=None):
    campaign = NeedCampaign(title=data["title"], introduction=data.get("introduction", ""),
                            opens_on=data["opens_on"], closes_on=data["closes_on"])
    for position, question in enumerate(data["questions"]):
        campaign.questions.append(CampaignQuestion(position=position, text=question["text"], kind=question["kind"],
                                                   choices=question.get("choices") or []))
    db.session.add(campaign)
    db.session.flush()
    record("needs.campaign_opened", campaign.id, actor=actor, title=campaign.title)
    db.session.commit()
    return campaign


def is_open(campaign, today=None):
    today = today or local_today()
    return campaign.opens_on <= today <= campaign.closes_on


def answer_of(campaign, organization):
    if organization is None:
        return None
    return db.session.scalar(select(CampaignAnswer).filter_by(campaign_id=campaign.id, organization_id=organization.id))


def validate_answers(campaign, values):
    """Check the submitted answers against the questions; return {question id: answer}."""
    answers, errors = {}, {}
    for question in campaign.questions:
        name = f"q{question.id}"
        raw = values.get(name)
        if question.kind == "multiple":
            chosen = raw if isinstance(raw, list) else ([raw] if raw else [])
            if not chosen or any(c not in question.choices for c in chosen):
                errors[name] = [lazy_gettext("Choose one or more of the proposed values.")]
            answers[str(question.id)] = chosen
        elif question.kind == "choice":
            if raw not in question.choices:
                errors[name] = [lazy_gettext("Choose one of the proposed values.")]
            answers[str(question.id)] = raw
        else:
            text = (raw or "").strip() if isinstance(raw, str) else ""
            if not text:
                errors[name] = [lazy_gettext("This field is required.")]
            elif len(text) > 2000:
                errors[name] = [lazy_gettext("At most 2000 characters.")]
            answers[str(question.id)] = text
    if errors:
        raise ValidationError(errors)
    return answers


def answer_campaign(campaign, organization, user, values, today=None):
    """Store an organization's one set of answers, given by its referent while the campaign is open."""
    if not is_open(campaign, today):
        raise ValidationError({"_schema": [lazy_gettext("This campaign is not open.")]})
    if answer_of(campaign, organization) is not None:
        raise ValidationError({"_schema": [lazy_gettext("Your organization has already answered.")]})
    answers = validate_answers(campaign, values)
    answer = CampaignAnswer(campaign_id=campaign.id, organization_id=organization.id, user_id=user.id,
                            answers=answers)
    db.session.add(answer)
    record("needs.campaign_answered", campaign.id, actor=user, organization=organization.name)
    db.session.commit()
    return answer


def member_company_count():
    return db.session.scalar(select(func.count(Organization.id)).filter_by(kind="company"))


def response_rate(campaign):
    """(answers, member companies, percent) for a campaign."""
    answered = db.session.scalar(select(func.count(CampaignAnswer.id)).filter_by(campaign_id=campaign.id))
    companies = member_company_count()
    return answered, companies, round(100 * answered / companies) if companies else 0


def results(campaign):
    """Per question: counts per choice, or the free-text answers with their organization."""
    rows = list(db.session.scalars(select(CampaignAnswer).filter_by(campaign_id=campaign.id)
                                   .order_by(CampaignAnswer.id)))
    summary = []
    for question in campaign.questions:
        key = str(question.id)
        if question.kind == "text":
            summary.append((question, [(row.organization.name, row.answers.get(key, "")) for row in rows]))
            continue
        counts = {choice: 0 for choice in question.choices}
        for row in rows:
            given = row.answers.get(key)
            for choice in (given if isinstance(given, list) else [given]):
                if choice in counts:
                    counts[choice] += 1
        summary.append((question, list(counts.items())))
    return summary


def list_campaigns():
    return list(db.session.scalars(select(NeedCampaign).order_by(NeedCampaign.opens_on.desc())))


def bar_chart(pairs, width=420, bar_height=22, gap=6, label_width=230):
    """Lay out a horizontal bar chart (SVG coordinates) for (label, value) pairs."""
    top = max([value for _label, value in pairs] + [1])
    bars = []
    for index, (label, value) in enumerate(pairs):
        y = index * (bar_height + gap)
        bars.append({"label": label, "value": value, "y": y, "text_y": y + bar_height * 0.7,
                     "width": round((width - label_width - 40) * value / top, 1)})
    return {"bars": bars, "width": width, "height": max(len(pairs), 1) * (bar_height + gap), "bar_height": bar_height,
            "label_width": label_width}




# -- demo -----------------------------------------------------------------------------
def seed_demo_needs(organizations, users, people):
    """Grand Quercy's needs, supports, a collective need past its threshold and an open campaign.

    ``people`` maps an organization name to its (referent, employee) demo users.
    Returns the collective need, for the demo project that answers it.
    """
    from datetime import timedelta

    ensure_categories()
    settings = get_settings()
    settings.threshold_companies, settings.threshold_employees = 2, 30
    db.session.commit()
    conserverie, batiment = organizations["Conserverie du Quercy"], organizations["Bouriane Bâtiment"]
    ref_conserverie, emp_conserverie = people["Conserverie du Quercy"]
    ref_batiment, _emp_batiment = people["Bouriane Bâtiment"]

    def need(author, organization, category, title, description, scope="individual", employees=1, **extra):
        data = {"title": title, "description": description, "category_id": category_by_key(category).id,
                "scope": scope, "employees_affected": employees, **extra}
        return submit_need(data, author, organization, scope == COMPANY)

    childcare = need(ref_conserverie, conserverie, "quality_of_life", "Garde d'enfants aux horaires décalés",
                     "Nos équipes commencent à 5 h en saison : aucune crèche du secteur n'ouvre avant 7 h 30.",
                     COMPANY, 22, sites="Gourdon", shifts="5 h – 13 h, 13 h – 21 h", urgency="high")
    support_need(childcare, ref_batiment, batiment, True, {"employees_affected": 6})
    nursery = need(emp_conserverie, conserverie, "quality_of_life", "Une crèche inter-entreprises",
                   "Une crèche partagée entre les entreprises de la ZA, avec des places réservées.")
    merge(nursery, childcare)
    mobility = need(users["employee"], conserverie, "mobility", "Covoiturage vers la ZA du Mas de Jouy",
                    "Pas de transport en commun pour rejoindre la ZA ; beaucoup viennent seuls en voiture.")
    support_need(mobility, ref_batiment, batiment, True, {"employees_affected": 10})
    need(ref_batiment, batiment, "training", "Formation CACES mutualisée",
         "Trois salariés à former chaque année : une session commune réduirait les coûts.", COMPANY, 3)
    need(ref_conserverie, conserverie, "welcoming", "Logement temporaire pour les saisonniers",
         "Nos saisonniers peinent à se loger à Gourdon entre juin et octobre.", COMPANY, 15)
    collective = create_collective({"title": "Garde d'enfants en horaires atypiques",
                                    "description": "Besoin partagé par les entreprises de la ZA du Mas de Jouy.",
                                    "need_ids": [childcare.id]})
    today = local_today()
    campaign = create_campaign({
        "title": "Recueil des besoins 2026", "opens_on": today - timedelta(days=10),
        "closes_on": today + timedelta(days=20),
        "introduction": "Dites-nous ce qui aiderait vos salariés : vos réponses orientent les services de demain.",
        "questions": [
            {"text": "Quels services aideraient le plus vos salariés ?", "kind": "multiple",
             "choices": ["Garde d'enfants", "Covoiturage", "Conciergerie", "Formation"]},
            {"text": "Combien de salariés travaillent en horaires décalés ?", "kind": "choice",
             "choices": ["Aucun", "Moins de 10", "10 à 50", "Plus de 50"]},
            {"text": "Une remarque, une idée ?", "kind": "text", "choices": []},
        ]})
    first, second, third = campaign.questions
    answer_campaign(campaign, conserverie, ref_conserverie,
                    {f"q{first.id}": ["Garde d'enfants", "Covoiturage"], f"q{second.id}": "10 à 50",
                     f"q{third.id}": "Un service de navette en saison serait précieux."})
    answer_campaign(campaign, batiment, ref_batiment,
                    {f"q{first.id}": ["Formation"], f"q{second.id}": "Moins de 10",
                     f"q{third.id}": "Mutualiser les formations sécurité."})
    return collective


def organizations_with_referent():
    """How many organizations have an active company referent (who answers a needs campaign for them)."""
    from sqlalchemy import func

    from coopserv.accounts.models import ACTIVE, COMPANY_REFERENT, Membership

    return db.session.scalar(select(func.count(func.distinct(Membership.organization_id)))
                             .where(Membership.role == COMPANY_REFERENT, Membership.status == ACTIVE,
                                    Membership.organization_id.isnot(None)))
