"""The pure matching function: distances, limits, ranking, and the index agreeing with brute force."""
import random

import pytest
from coopserv_plugins.mobility.matching import (
    Commute,
    Limits,
    detour_km,
    haversine_km,
    match_commutes,
    weekdays_list,
    weekdays_mask,
)

from .conftest import AMPLEPUIS, LARBRESLE, PINS, TARARE, VALSONNE

PARKS = {1: PINS}
WEEK = 0b0011111


def offer(id, point, departure=450, back=1020, days=WEEK, seats=3, user_id=None):
    return Commute(id, 1, point[0], point[1], days, departure, back, seats, user_id)


def test_haversine_matches_known_distances():
    assert haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(392, abs=2)  # Paris – Lyon
    assert haversine_km(*TARARE, *TARARE) == 0


def test_detour_is_zero_on_the_way_and_grows_off_the_way():
    # Valsonne lies roughly between Amplepuis and the park; L'Arbresle is beyond the park.
    on_the_way = detour_km(AMPLEPUIS, VALSONNE, PINS)
    off_the_way = detour_km(AMPLEPUIS, LARBRESLE, PINS)
    assert 0 <= on_the_way < 3
    expected = haversine_km(*AMPLEPUIS, *LARBRESLE) + haversine_km(*LARBRESLE, *PINS) - haversine_km(*AMPLEPUIS, *PINS)
    assert off_the_way == pytest.approx(expected)
    assert off_the_way > 20


def test_offers_are_ranked_by_detour_and_time_gap_within_limits():
    limits = Limits(max_detour_km=5, max_time_difference=20)
    from_home_on_time = offer(1, VALSONNE, departure=455)
    from_home_late = offer(2, VALSONNE, departure=470)
    small_detour = offer(3, AMPLEPUIS, departure=455)
    too_late = offer(4, VALSONNE, departure=500)
    off_route = offer(5, LARBRESLE, departure=455)
    other_days = offer(6, VALSONNE, days=0b1100000)
    too_small = offer(7, VALSONNE, seats=1)
    request = offer(100, VALSONNE, departure=455, seats=2)
    found = match_commutes([small_detour, from_home_late, from_home_on_time, too_late, off_route, other_days,
                            too_small], [request], PARKS, limits)
    detour = detour_km(AMPLEPUIS, VALSONNE, PINS)
    assert 1 < detour < 0.75 * 5  # so the small detour ranks between the two others
    assert detour_km(LARBRESLE, VALSONNE, PINS) > 5
    assert [m.offer_id for m in found[100]] == [1, 3, 2]
    assert [m.score for m in found[100]] == pytest.approx([0, detour / 5, 15 / 20], abs=0.01)
    assert found[100][2].time_gap == 15 and found[100][1].detour_km == pytest.approx(detour, abs=0.01)


def test_a_person_is_never_matched_with_themselves_and_limits_cap_the_list():
    me = offer(1, VALSONNE, user_id=7)
    others = [offer(10 + n, VALSONNE, departure=450 + n) for n in range(5)]
    found = match_commutes([me, *others], [offer(100, TARARE, user_id=7)], PARKS,
                           Limits(max_proposals_per_request=3))
    assert [m.offer_id for m in found[100]] == [10, 11, 12]


def test_the_index_finds_exactly_what_comparing_every_pair_finds():
    rng = random.Random(7)
    parks = {1: PINS, 2: (45.8745, 4.4880)}

    def random_commutes(first_id, count):
        result = []
        for number in range(count):
            lat = 45.90 + rng.uniform(-0.25, 0.25)
            lon = 4.43 + rng.uniform(-0.35, 0.35)
            departure = 360 + 5 * rng.randrange(40)
            result.append(Commute(first_id + number, rng.choice([1, 2]), lat, lon, rng.randrange(1, 128),
                                  departure, departure + 480 + 15 * rng.randrange(4), rng.randint(1, 3)))
        return result

    offers, requests = random_commutes(1, 300), random_commutes(1000, 300)
    limits = Limits(max_detour_km=4, max_time_difference=15, max_proposals_per_request=1000)
    indexed = {(m.offer_id, m.request_id) for ranked in match_commutes(offers, requests, parks, limits).values()
               for m in ranked}
    brute = set()
    for o in offers:
        for r in requests:
            if o.park_id != r.park_id or not o.weekdays & r.weekdays or r.seats > o.seats:
                continue
            if max(abs(o.departure - r.departure), abs(o.return_ - r.return_)) > 15:
                continue
            park = parks[o.park_id]
            if detour_km((o.latitude, o.longitude), (r.latitude, r.longitude), park) <= 4:
                brute.add((o.id, r.id))
    assert len(brute) > 50
    assert indexed == brute


def test_weekday_masks_round_trip():
    assert weekdays_mask([0, 2, 4]) == 0b10101
    assert weekdays_list(0b10101) == [0, 2, 4]
