"""Schemathesis against the API's own OpenAPI document: every operation (discovered from the document,
so endpoints added later are fuzzed too), with a real token of a territory admin, a
bounded number of examples per operation: no server error, no answer that disagrees with the
document."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coopserv import create_app
from tests.helpers import place_order

#: The checks run: no server error, every answer (status, content type, headers, body) as documented,
#: and data the document allows is accepted or refused only with a status the operation documents.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, positive_data_acceptance]
#: Examples per operation: enough to try each parameter's odd values, small enough for CI on two databases.
EXAMPLES = 25


@pytest.fixture
def api_token(figeac, catalogue, scoped):
    """Figeac with an order, and a personal access token of its territory admin."""
    from coopserv.tokens.services import create_token

    place_order(figeac.territory, figeac.module, figeac.employee, figeac.aero, catalogue)
    with scoped(figeac.territory):
        _token, secret = create_token(figeac.admin, figeac.territory, "fuzz")
    return secret


def _document():
    """The API's OpenAPI document, read from a throwaway app at collection time."""
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _operations(document):
    """(path, method) of every operation of the document."""
    methods = {"get", "post", "put", "patch", "delete"}
    return [pytest.param(path, method, id=f"{method.upper()} {path}")
            for path, item in sorted(document["paths"].items()) for method in sorted(item) if method in methods]


DOCUMENT = _document()
OPERATIONS = _operations(DOCUMENT)


def accepted_statuses(path, method):
    """What schema-valid data may get: a success, or a refusal this operation documents (404, 409, 422…)."""
    documented = DOCUMENT["paths"][path][method]["responses"]
    return ["2xx", *sorted(code for code in documented if code.isdigit() and not code.startswith("2"))]


def test_every_operation_of_the_document_is_fuzzed():
    assert len(OPERATIONS) >= 8
    assert any(path.endswith("/requests/") and method == "post" for path, method in
               (param.values for param in OPERATIONS))


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_api_keeps_its_document(app, api_token, path, method):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=accepted_statuses(path, method))
    operation = schema[path][method.upper()]
    headers = {"Authorization": f"Bearer {api_token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        # Most examples aim at Figeac, where the token is valid; the others check refusals.
        if "territory_slug" in (case.path_parameters or {}) and len(str(case.path_parameters)) % 4:
            case.path_parameters["territory_slug"] = "figeac"
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
