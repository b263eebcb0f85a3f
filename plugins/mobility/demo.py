"""Demo data: Ouest Rhodanien's business parks with carpools and a shuttle; Figeac's mobility offer."""
from datetime import time, timedelta

from sqlalchemy import select

from coopserv.plugin_api import (
    combine,
    current_territory,
    db,
    employer_of,
    local_today,
    submit_request,
)

from .models import BikePool, BusinessPark, Proposal, ShuttleRun, Town

#: Approximate real coordinates (WGS 84) of the parks and of the towns around them.
PLACES = {
    "ouest-rhodanien": {
        "parks": [("ZA des Pins", 45.9030, 4.4180, "Tarare"), ("ZA du Tuburon", 45.8745, 4.4880, "Pontcharra-sur-Turdine")],
        "towns": [("Tarare", "69170", 45.8960, 4.4330), ("Amplepuis", "69550", 45.9725, 4.3316),
                  ("Thizy-les-Bourgs", "69240", 46.0290, 4.3130), ("Pontcharra-sur-Turdine", "69490", 45.8740, 4.4910),
                  ("Saint-Romain-de-Popey", "69490", 45.8470, 4.5310), ("L'Arbresle", "69210", 45.8350, 4.6170),
                  ("Valsonne", "69170", 45.9430, 4.4260), ("Joux", "69170", 45.8890, 4.3700),
                  ("Cours", "69470", 46.1020, 4.3190)],
    },
    "figeac": {
        "parks": [("ZA de l'Aiguille", 44.6180, 2.0130, "Figeac")],
        "towns": [("Figeac", "46100", 44.6086, 2.0317), ("Capdenac-Gare", "12700", 44.5730, 2.0800),
                  ("Cajarc", "46160", 44.4860, 1.8420), ("Bagnac-sur-Célé", "46270", 44.6660, 2.1600),
                  ("Lacapelle-Marival", "46120", 44.7270, 1.9260), ("Assier", "46320", 44.6740, 1.8800),
                  ("Decazeville", "12300", 44.5600, 2.2510), ("Maurs", "15600", 44.7100, 2.1980)],
    },
}


def seed(module, organizations, users):
    """Add parks and towns; an offer and a matching request (a crew in Ouest Rhodanien); the alternatives."""
    slug = current_territory().slug
    places = PLACES.get(slug)
    if places is None:
        return
    parks = {name: BusinessPark(name=name, latitude=lat, longitude=lon, address=address)
             for name, lat, lon, address in places["parks"]}
    towns = {name: Town(name=name, postcode=code, latitude=lat, longitude=lon)
             for name, code, lat, lon in places["towns"]}
    db.session.add_all([*parks.values(), *towns.values()])
    db.session.flush()
    if slug == "ouest-rhodanien":
        module.config = dict(module.config or {}, shuttle_enabled=True, publish_open_data=True)
        monday = _next_weekday(local_today() + timedelta(days=1), 0)
        for day in range(5):
            for hour, minute in ((7, 10), (8, 10)):
                db.session.add(ShuttleRun(business_park_id=parks["ZA du Tuburon"].id, origin="Gare de Tarare",
                                          origin_latitude=45.8932, origin_longitude=4.4329, duration_minutes=15,
                                          departs_at=combine(monday + timedelta(days=day), time(hour, minute)),
                                          seats=8))
        _carpool(module, users, parks["ZA des Pins"], towns["Amplepuis"], towns["Tarare"], accept=True)
        _commute(module, users.get("referent"), "request", parks["ZA du Tuburon"], towns["Saint-Romain-de-Popey"],
                 [0, 2, 4], time(6, 50), time(15, 30), 1)
    else:
        module.config = dict(module.config or {}, bikes_enabled=True, publish_open_data=True)
        db.session.add(BikePool(business_park_id=parks["ZA de l'Aiguille"].id, name="Vélos de la gare de Figeac",
                                kind="ebike", bikes=6))
        _carpool(module, users, parks["ZA de l'Aiguille"], towns["Capdenac-Gare"], towns["Figeac"], accept=False)
    db.session.commit()


def _carpool(module, users, park, driver_town, passenger_town, accept):
    """The employee drives from one town, the referent asks from a town on the way; accepted or not yet."""
    from .services import answer_proposal

    offer = _commute(module, users.get("employee"), "offer", park, driver_town, [0, 1, 2, 3, 4], time(7, 30),
                     time(16, 45), 3)
    request = _commute(module, users.get("referent"), "request", park, passenger_town, [0, 1, 3, 4], time(7, 40),
                       time(16, 45), 1)
    if not (offer and request and accept):
        return
    proposal = db.session.scalar(select(Proposal).where(Proposal.offer_id == offer.id,
                                                        Proposal.request_id == request.id))
    if proposal is not None:
        answer_proposal(proposal, users["employee"], "accept")
        answer_proposal(proposal, users["referent"], "accept")


def _commute(module, user, kind, park, town, days, departure, return_time, seats):
    from .services import commute_for_request

    if user is None or employer_of(user) is None:
        return None
    request = submit_request(module, user, employer_of(user), {
        "kind": kind, "business_park_id": park.id, "town_id": town.id, "weekdays": days,
        "departure_time": departure.strftime("%H:%M"), "return_time": return_time.strftime("%H:%M"), "seats": seats,
    })
    return commute_for_request(request.id)


def _next_weekday(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)

