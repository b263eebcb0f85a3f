"""Demo data for Figeac's inter-company concierge: real-sounding providers, slots and orders."""
from datetime import time, timedelta

from coopserv.plugin_api import db, local_today

from .models import CatalogItem, PickupPoint, PickupSlot, Provider

PROVIDERS = [
    ("Pressing du Célé", "pressing", "Pressing et blanchisserie, rue Gambetta", [
        ("Chemise repassée", 350, "la pièce"), ("Costume deux pièces", 1490, "la pièce"), ("Couette", 1900, "la pièce")]),
    ("Atelier Fil & Aiguille", "alterations", "Retouches et couture", [
        ("Ourlet de pantalon", 1200, "la pièce"), ("Fermeture éclair", 1500, "la pièce")]),
    ("Cordonnerie Figeacoise", "shoe_repair", "Talons, semelles, clés", [
        ("Talons", 1400, "la paire"), ("Double de clé", 600, "la clé")]),
    ("Lavage Auto du Quercy", "car_wash", "Lavage de votre voiture sur le parking de l'entreprise", [
        ("Lavage intérieur et extérieur", 3500, "le véhicule")]),
    ("Panier du Ségala", "fresh_produce", "Légumes et fruits de producteurs du Lot", [
        ("Panier de légumes", 1500, "le panier"), ("Panier fruits et fromage", 2200, "le panier")]),
    ("Point colis", "parcels", "Réception de vos colis au point de retrait", [
        ("Réception d'un colis", 0, "le colis")]),
    ("Aide administrative Lot", "admin_help", "Accompagnement aux démarches en ligne", [
        ("Rendez-vous démarches (30 min)", 0, "le rendez-vous")]),
]


def seed(module, organizations, users):
    """Add providers, two pickup points with Tuesday and Thursday lunch slots, and a few orders."""
    from coopserv.plugin_api import apply_transition, employer_of, submit_request

    items = {}
    for name, category, description, catalogue in PROVIDERS:
        provider = Provider(name=name, category=category, description=description)
        db.session.add(provider)
        for label, price, unit in catalogue:
            item = CatalogItem(provider=provider, name=label, price_cents=price, unit=unit)
            db.session.add(item)
            items[label] = item
    aiguille = PickupPoint(name="Conciergerie ZA de l'Aiguille", address="Avenue de l'Europe, Figeac",
                           business_park="ZA de l'Aiguille")
    centre = PickupPoint(name="Accueil de la mairie", address="Place Vival, Figeac", business_park="")
    slots = [
        PickupSlot(pickup_point=aiguille, weekday=1, starts_at=time(11, 30), ends_at=time(14, 0)),
        PickupSlot(pickup_point=aiguille, weekday=3, starts_at=time(11, 30), ends_at=time(14, 0)),
        PickupSlot(pickup_point=centre, weekday=4, starts_at=time(16, 30), ends_at=time(18, 30)),
    ]
    db.session.add_all([aiguille, centre, *slots])
    db.session.commit()

    employee = users.get("employee")
    if employee is None:
        return
    tuesday = _next_weekday(local_today() + timedelta(days=1), 1)
    thursday = _next_weekday(local_today() + timedelta(days=1), 3)
    orders = [
        ({"items": [{"item_id": items["Chemise repassée"].id, "quantity": 5}], "slot_id": slots[0].id,
          "dropoff_date": tuesday.isoformat(), "notes": "Amidon léger, merci."}, ["accept", "start"]),
        ({"items": [{"item_id": items["Panier de légumes"].id, "quantity": 1}], "slot_id": slots[1].id,
          "dropoff_date": thursday.isoformat()}, []),
    ]
    organization = employer_of(employee)
    for payload, steps in orders:
        request = submit_request(module, employee, organization, payload)
        for step in steps:
            apply_transition(request, step, users["operator"], may_operate=True)


def _next_weekday(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)
