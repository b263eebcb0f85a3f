"""What the OpenAPI document says where flask-smorest's defaults do not match what HTTP sends.

Corrections made here so the library stays untouched: X-Pagination travels as JSON text (a header
holds text, not an object); every operation lists the refusals it can answer (a token missing or of
another territory, a territory or row that does not exist) so a client, and the fuzzer, can tell a
documented refusal from a broken answer; and the rule every text follows (no control characters,
coopserv.input_guard refuses them in any address) is stated on text path parameters, and on string
fields beside a pattern of their own through ``allOf``.
"""
from apispec import BasePlugin

from coopserv.schemas import NoControlCharacters

#: The header as sent: JSON text of the ``PaginationMetadata`` object (total, pages, current page).
PAGINATION_HEADER = {
    "description": "Pagination metadata as JSON text, for instance "
                   '`{"total": 42, "total_pages": 5, "first_page": 1, "last_page": 5, "page": 1, "next_page": 2}` '
                   "(fields described by the `PaginationMetadata` schema).",
    "schema": {"type": "string", "pattern": r"^\{.*\}$"},
}

#: Refusals an operation protected by a token can answer whatever its data.
TOKEN_REFUSALS = {"401": "UNAUTHORIZED", "403": "FORBIDDEN"}
#: The refusal of an operation whose path names something (a territory, a row) that may not exist.
MISSING_REFUSAL = {"404": "NOT_FOUND"}


class RefusalsPlugin(BasePlugin):
    """Document on every operation the refusals coopserv's authentication and lookups answer."""

    def path_helper(self, parameters=None, **kwargs):
        """Text path parameters (slugs, service keys) carry no control characters."""
        for parameter in parameters or []:
            schema = parameter.get("schema") if isinstance(parameter, dict) else None
            if parameter.get("in") == "path" and schema and schema.get("type") == "string":
                schema.setdefault("pattern", NoControlCharacters.pattern)

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            documented = {str(code) for code in responses}
            refusals = dict(TOKEN_REFUSALS) if operation.get("security") else {}
            if "{" in (path or ""):
                refusals.update(MISSING_REFUSAL)
            for code, component in refusals.items():
                if code not in documented:
                    responses[code] = component


def no_control_characters_property(self, field, ret=None, **kwargs):
    """The control-character rule as ``pattern``, or beside the field's own pattern in ``allOf``."""
    rule = next((v for v in field.validators if isinstance(v, NoControlCharacters)), None)
    if rule is None:
        return {}
    if "pattern" not in (ret or {}):
        return {"pattern": rule.pattern}
    return {"allOf": [*(ret.get("allOf") or []), {"pattern": rule.pattern}]}
