"""Smart parking tables, after the FIWARE smart data models OffStreetParking and ParkingSpot.

A lot (OffStreetParking) holds spots (ParkingSpot); a sensor (Device, FIWARE
``refDevice``) watches one or more spots and reports their status. Every
accepted sensor event is kept once per (device, event id), which makes replays
harmless and gives the indicators their history. A reservation is the parking
side of a service request. Relationships name their classes directly rather
than by string: other plugins may well have a ``Lot`` or a ``Device`` too.
"""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopserv.plugin_api import JSONDocument, TenantMixin, db, utcnow

#: FIWARE ParkingSpot ``status`` values.
SPOT_STATUSES = ("free", "occupied", "closed", "unknown")
#: Spot categories (FIWARE OffStreetParking ``specialLocation`` / ``allowedVehicleType`` simplified);
#: "carpool" spots can be kept for carpool crews when the lot says so.
SPOT_CATEGORIES = ("standard", "disabled", "electric_charging", "carpool", "motorcycle")
#: FIWARE OffStreetParking ``category`` values this service uses.
LOT_CATEGORIES = ("forEmployees", "forVisitors", "public")
#: Request statuses during which a reservation holds its spot.
HOLDING_STATUSES = ("confirmed", "honoured")

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class Lot(TenantMixin, db.Model):
    """An off-street car park (FIWARE OffStreetParking), e.g. a company car park in a business park."""

    __tablename__ = "smart_parking_lot"
    __table_args__ = (UniqueConstraint("territory_id", "ngsi_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300), default="")
    #: Name of the business park, as the mobility plugin knows it (for suggestions when full).
    business_park: Mapped[str] = mapped_column(String(160), default="")
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    category: Mapped[str] = mapped_column(String(20), default="forEmployees")
    #: Employees may reserve a spot of this lot for a time window.
    allow_reservations: Mapped[bool] = mapped_column(default=False)
    #: Spots of the "carpool" category are kept for people riding in a carpool crew that day.
    carpool_priority: Mapped[bool] = mapped_column(default=False)
    #: Random token in the kiosk URL: the entrance screen shows counts without signing in.
    kiosk_token: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The car park's entity id in a FIWARE context broker (the ``refParkingSite`` of its spots' notifications);
    #: None: it answers to the id coopserv publishes for it only.
    ngsi_id: Mapped[str | None] = mapped_column(String(256))

    spots = relationship(lambda: Spot, back_populates="lot", order_by=lambda: Spot.ref, cascade="all, delete-orphan")
    devices = relationship(lambda: Device, back_populates="lot", order_by=lambda: Device.name,
                           cascade="all, delete-orphan")


class Device(TenantMixin, db.Model):
    """A sensor (ground sensor, camera, gateway) with its own secret key; only the key's hash is stored."""

    __tablename__ = "smart_parking_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_lot.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the key: keys are long random tokens, so a fast hash is enough and keeps ingestion fast.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Last four characters of the key, to tell keys apart on the operator page.
    key_hint: Mapped[str] = mapped_column(String(8), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: When the sensor last sent anything; silence past the configured time turns its spots "unknown".
    last_seen_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot = relationship(lambda: Lot, back_populates="devices")


class Spot(TenantMixin, db.Model):
    """One parking spot (FIWARE ParkingSpot) with its last observed status."""

    __tablename__ = "smart_parking_spot"
    __table_args__ = (UniqueConstraint("lot_id", "ref"), UniqueConstraint("territory_id", "ngsi_id"),
                      UniqueConstraint("territory_id", "sensor_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_lot.id", ondelete="CASCADE"), index=True)
    #: The spot's painted number, e.g. "A-12"; sensors name spots by it.
    ref: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20), default="standard")
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    #: The sensor watching this spot (FIWARE refDevice), or None for a spot without sensor.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("smart_parking_device.id", ondelete="SET NULL"),
                                                   index=True)
    status: Mapped[str] = mapped_column(String(10), default="unknown")
    #: Time of the observation the status comes from (FIWARE observedAt); older events never win.
    status_observed_at: Mapped[datetime | None] = mapped_column()
    #: Closed by the operator (works, event): sensors' events are logged but do not reopen it.
    closed_by_operator: Mapped[bool] = mapped_column(default=False)
    #: Bumped by every reservation attempt: the UPDATE is the row lock that serialises them.
    reservation_lock: Mapped[int] = mapped_column(default=0)
    #: The spot's entity id in a FIWARE context broker (Orion); its notifications update this spot.
    ngsi_id: Mapped[str | None] = mapped_column(String(256))
    #: The physical sensor's identifier on its network (e.g. a LoRaWAN DevEUI), read from MQTT messages.
    sensor_id: Mapped[str | None] = mapped_column(String(64))

    lot = relationship(lambda: Lot, back_populates="spots")
    device = relationship(lambda: Device)


class SensorEvent(TenantMixin, db.Model):
    """An accepted sensor observation, stored once per (device, event id).

    The busiest table by far, so it carries a single foreign key: each one is a
    per-row check that doubled the cost of a batch insert on PostgreSQL. Rows
    still go when their spot goes (and so with their lot and territory, which
    cascade to spots); ``territory_id`` and ``device_id`` are plain columns.
    """

    __tablename__ = "smart_parking_event"
    __table_args__ = (
        UniqueConstraint("device_id", "event_id"),
        Index("ix_smart_parking_event_spot_observed", "spot_id", "observed_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    #: No foreign key and no index of its own (see above); the tenancy listener only needs the column.
    territory_id: Mapped[int] = mapped_column()
    territory = relationship(
        "Territory", viewonly=True,
        primaryjoin="foreign(coopserv_plugins.smart_parking.models.SensorEvent.territory_id) == Territory.id")
    device_id: Mapped[int] = mapped_column()
    spot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_spot.id", ondelete="CASCADE"))
    #: The sensor's own identifier for the event; a replayed event carries the same one.
    event_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    observed_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()


class Reservation(TenantMixin, db.Model):
    """A spot held for one person and a time window; its status is the service request's."""

    __tablename__ = "smart_parking_reservation"
    __table_args__ = (Index("ix_smart_parking_reservation_spot_window", "spot_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    #: Kept here so the reservation can be exported and anonymised with the person's data.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_lot.id", ondelete="CASCADE"), index=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_spot.id", ondelete="CASCADE"))
    #: Naive UTC, like every stored datetime.
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    #: Denormalised from the request, so overlap checks need no join.
    holding: Mapped[bool] = mapped_column(default=True)
    #: The crew (from the mobility plugin) that earned a carpool spot, if any.
    carpool_crew_label: Mapped[str] = mapped_column(String(160), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column()

    request = relationship("ServiceRequest")
    lot = relationship(lambda: Lot)
    spot = relationship(lambda: Spot)


class NgsiSubscription(TenantMixin, db.Model):
    """An Orion subscription notifying this territory, with its own key; only the key's hash is stored.

    Notifications must come with the subscription's ``Fiware-Service`` (when set)
    and a ``Fiware-ServicePath`` under its path; entities then update spots of
    its lot (or of every lot when it has none).
    """

    __tablename__ = "smart_parking_ngsi_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: None: entities may update spots of every lot of the territory.
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("smart_parking_lot.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(8), default="")
    #: Orion's tenant (Fiware-Service header, lower case); empty accepts notifications without one.
    fiware_service: Mapped[str] = mapped_column(String(50), default="")
    #: Fiware-ServicePath the notifications must carry: "/autun/nexans", or "/autun/#" for a whole subtree.
    fiware_service_path: Mapped[str] = mapped_column(String(100), default="/#")
    active: Mapped[bool] = mapped_column(default=True)
    last_notified_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot = relationship(lambda: Lot)


class MqttMapping(TenantMixin, db.Model):
    """How MQTT messages on some topics become spot observations of one lot (``coopserv parking mqtt``).

    Pointers are JSON pointers (RFC 6901) into each message: the spot is found by
    its sensor's identifier or by its number, the status by the value found at
    ``status_pointer`` looked up in ``status_values``.
    """

    __tablename__ = "smart_parking_mqtt_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_lot.id", ondelete="CASCADE"), index=True)
    #: MQTT topic filter, wildcards allowed: "application/+/device/+/event/up".
    topic: Mapped[str] = mapped_column(String(200))
    #: Where the sensor's identifier is (matched to Spot.sensor_id), e.g. "/deviceInfo/devEui"; or empty.
    sensor_pointer: Mapped[str] = mapped_column(String(200), default="")
    #: Where the spot's number is (matched to Spot.ref in the lot), for cameras watching many spots; or empty.
    spot_pointer: Mapped[str] = mapped_column(String(200), default="")
    status_pointer: Mapped[str] = mapped_column(String(200))
    #: Raw value, as text ("true", "1", "busy"), to spot status: {"true": "occupied", "false": "free"}.
    status_values: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    time_pointer: Mapped[str] = mapped_column(String(200))
    #: Where the network's own message id is (e.g. "/deduplicationId"); empty derives it from sensor and time.
    event_id_pointer: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot = relationship(lambda: Lot)


class OccupancyCell(TenantMixin, db.Model):
    """What one spot's sensor history adds up to in one month (UTC) and local hour of day (see ``occupancy``).

    Kept by ingestion in the transaction that stores the events, so occupancy
    indicators read a few rows per spot and month instead of the whole history.
    Rows go with their spot, as its events do.
    """

    __tablename__ = "smart_parking_occupancy"
    __table_args__ = (UniqueConstraint("spot_id", "month", "hour"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_spot.id", ondelete="CASCADE"))
    #: First day of the month (UTC) the time belongs to.
    month: Mapped[date] = mapped_column()
    #: Hour of the local day (the territory's zone), 0-23.
    hour: Mapped[int] = mapped_column()
    #: Time occupied between an "occupied" event and the spot's next event, in microseconds (exact sums).
    occupied_us: Mapped[int] = mapped_column(BigInteger, default=0)
    #: "Occupied" events whose previous event on the spot was not "occupied" (cars arriving).
    arrivals: Mapped[int] = mapped_column(default=0)


class OccupancyDay(TenantMixin, db.Model):
    """The same sums as ``OccupancyCell`` per local calendar day instead of UTC month (see ``occupancy``).

    A lot's indicators page asks for whole local days: these cells answer it
    with a few rows per spot and day, whatever the length of the history.
    """

    __tablename__ = "smart_parking_occupancy_day"
    __table_args__ = (UniqueConstraint("spot_id", "day", "hour"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("smart_parking_spot.id", ondelete="CASCADE"))
    #: The local calendar day (the territory's zone) the time belongs to.
    day: Mapped[date] = mapped_column()
    #: Hour of that local day, 0-23.
    hour: Mapped[int] = mapped_column()
    occupied_us: Mapped[int] = mapped_column(BigInteger, default=0)
    arrivals: Mapped[int] = mapped_column(default=0)
