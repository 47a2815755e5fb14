"""Checking real answers against the served OpenAPI schema, as a client generated from it
would read them."""

import jsonschema
import yaml


def _json_schema(node):
    """OpenAPI 3.0's `nullable` in JSON Schema's words."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def response_schema(client, path: str, method: str, status: int) -> dict:
    """The JSON schema the served OpenAPI document gives for one answer."""
    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    answer = document["paths"][path][method]["responses"][str(status)]
    schema = answer["content"]["application/json"]["schema"]
    if ref := schema.get("$ref"):  # "#/components/schemas/Name": that schema itself
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return {
        **_json_schema(schema),
        "components": {"schemas": _json_schema(document["components"]["schemas"])},
    }


def assert_matches_schema(client, path: str, method: str, response) -> None:
    schema = response_schema(client, path, method, response.status_code)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    body = response.json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors
