"""Human labels of the smart parking's stored codes, shared by pages and the request form."""
from coopserv.plugin_api import _l, gettext

STATUS_LABELS = {"free": _l("Free"), "occupied": _l("Occupied"), "closed": _l("Out of service"),
                 "unknown": _l("Unknown")}
CATEGORY_LABELS = {
    "standard": _l("Standard"),
    "disabled": _l("Disabled drivers"),
    "electric_charging": _l("Electric charging"),
    "carpool": _l("Carpool"),
    "motorcycle": _l("Motorcycles"),
}
LOT_CATEGORY_LABELS = {"forEmployees": _l("For employees"), "forVisitors": _l("For visitors"),
                       "public": _l("Public")}


def translated(labels):
    """The labels in the reader's language (``_l`` only marks them for extraction)."""
    return {key: gettext(text) for key, text in labels.items()}
