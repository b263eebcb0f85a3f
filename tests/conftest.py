"""Core tests reuse the concierge's fixtures: it is the built-in service every demo runs."""
from coopserv_plugins.concierge.tests.conftest import autun, catalogue, figeac, order_form  # noqa: F401
