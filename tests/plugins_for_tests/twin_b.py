"""The second plugin declaring the service key "twin"."""
from coopserv.plugin_api import hookimpl
from tests.plugins_for_tests.twin_a import twin_service_type


@hookimpl
def register_service_types():
    return [twin_service_type()]
