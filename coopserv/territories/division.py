"""France's official administrative division (communes and EPCI), from the vendored Etalab data.

Read once per process from ``data/decoupage-administratif-*.json.gz`` (see its README for the
version and licence), so a territory gets its towns from its EPCI's SIREN or a list of INSEE
codes and nobody types them.
"""
import gzip
import json
import os
from dataclasses import dataclass
from functools import lru_cache

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "decoupage-administratif-6.0.0.json.gz")


@dataclass(frozen=True)
class Commune:
    insee_code: str
    name: str
    postcode: str
    departement: str
    population: int


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    kind: str
    communes: tuple


@lru_cache(maxsize=1)
def _data():
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def commune(insee_code):
    """The current commune with this INSEE code, or None."""
    row = _data()["communes"].get(str(insee_code).strip())
    return Commune(str(insee_code).strip(), *row) if row else None


def epci(siren):
    """The EPCI with this SIREN and its member communes, or None."""
    siren = str(siren).strip()
    row = _data()["epci"].get(siren)
    if row is None:
        return None
    name, kind, codes = row
    return Epci(siren, name, kind, tuple(c for c in (commune(code) for code in codes) if c is not None))
