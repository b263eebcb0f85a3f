"""The OpenAPI document says what HTTP sends: X-Pagination as JSON text, the refusals each operation
answers, and every pattern a text field follows (coopserv.api.openapi)."""
import json
import re
import warnings

from coopserv import create_app
from coopserv.schemas import NoControlCharacters
from coopserv.tenancy import territory_scope
from coopserv.tokens.services import create_token

OPERATION_METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in OPERATION_METHODS:
                yield path, method, operation


def test_x_pagination_is_documented_as_the_json_text_it_is_sent_as(client, figeac):
    document = _document(client)
    header = document["components"]["headers"]["PAGINATION"]
    assert header["schema"]["type"] == "string"
    assert "PaginationMetadata" in header["description"]
    metadata_fields = set(document["components"]["schemas"]["PaginationMetadata"]["properties"])

    with territory_scope(figeac.territory):
        secret = create_token(figeac.admin, figeac.territory, "pagination")[1]
    answer = client.get("/api/v1/territories/figeac/members/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    sent = answer.headers["X-Pagination"]
    assert re.fullmatch(header["schema"]["pattern"], sent)
    decoded = json.loads(sent)
    assert decoded["total"] >= 1 and set(decoded) <= metadata_fields
    documented = document["paths"]["/api/v1/territories/{territory_slug}/members/"]["get"]["responses"]["200"]
    assert documented["headers"]["X-Pagination"] == {"$ref": "#/components/headers/PAGINATION"}


def test_every_operation_documents_the_refusals_it_can_answer(client):
    document = _document(client)
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    assert "401" not in document["paths"]["/api/v1/territories/"]["get"]["responses"]
    conflict = document["paths"]["/api/v1/territories/{territory_slug}/requests/{request_id}/transitions"]["post"]
    assert conflict["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"}


def test_text_path_parameters_refuse_control_characters_in_the_document_too(client):
    document = _document(client)
    slugs = [parameter for path, item in document["paths"].items() for parameter in item.get("parameters", [])
             if parameter["in"] == "path" and parameter["schema"].get("type") == "string"]
    assert slugs and all(p["schema"]["pattern"] == NoControlCharacters.pattern for p in slugs)
    refused = client.get("/api/v1/territories/fig%01eac")
    assert refused.status_code == 400


def test_a_field_with_its_own_pattern_states_both_rules_without_apispec_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app({"TESTING": True, "SECRET_KEY": "doc", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert not [w for w in caught if "regex validator" in str(w.message)]
    siret = document["components"]["schemas"]["Organization"]["properties"]["siret"]
    assert siret["pattern"] == "^[0-9]{14}$"
    assert siret["allOf"] == [{"pattern": NoControlCharacters.pattern}]
    name = document["components"]["schemas"]["Organization"]["properties"]["name"]
    assert name["pattern"] == NoControlCharacters.pattern and "allOf" not in name
