"""What the dashboard's summary row says about a series: latest value, trend, distance to target."""
from dataclasses import dataclass


@dataclass
class Reading:
    """One indicator's story over the period, ready for a card or a summary figure."""

    latest: float | None
    previous: float | None
    target: float | None
    higher_is_better: bool
    has_data: bool

    @property
    def trend(self):
        """"up", "down" or "flat" from the month before the latest to the latest (None without two values)."""
        if self.latest is None or self.previous is None:
            return None
        if self.latest == self.previous:
            return "flat"
        return "up" if self.latest > self.previous else "down"

    @property
    def trend_is_good(self):
        if self.trend in (None, "flat"):
            return None
        return (self.trend == "up") == self.higher_is_better

    @property
    def change_percent(self):
        if self.trend is None or not self.previous:
            return None
        return 100.0 * (self.latest - self.previous) / abs(self.previous)

    @property
    def on_target(self):
        if self.target is None or self.latest is None:
            return None
        return self.latest >= self.target if self.higher_is_better else self.latest <= self.target

    @property
    def gap(self):
        """How far the latest value is from the target, in the indicator's unit (0 once reached)."""
        if self.target is None or self.latest is None:
            return None
        gap = self.target - self.latest if self.higher_is_better else self.latest - self.target
        return max(gap, 0)


def higher_is_better(indicator):
    if indicator.higher_is_better is not None:
        return indicator.higher_is_better
    key = indicator.key.lower()
    return not ("median" in key or "wait" in key)


def read(indicator, points, target):
    """Read a monthly series [(month, value)]; zeros alone count as no data (a flat line says nothing)."""
    values = [value for _month, value in points if value is not None]
    return Reading(latest=values[-1] if values else None, previous=values[-2] if len(values) > 1 else None,
                   target=target, higher_is_better=higher_is_better(indicator),
                   has_data=any(value for value in values))


def summary(cards, size=4):
    """The handful of cards for the summary row: those with a target first, then those with data."""
    with_target = [card for card in cards if card["reading"].target is not None]
    others = [card for card in cards if card["reading"].target is None and card["reading"].has_data]
    return (with_target + others)[:size]
