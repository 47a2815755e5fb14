"""What replacing or deleting a file looks like from outside: API clients generated from
the schema, harvesters comparing checksums, readers of the pages in either language."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_schema_says_the_versions_list_is_a_plain_list(client):
    # Clients generated from the schema read what the endpoint answers: a bare list.
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    answer = schema["paths"]["/api/v1/resources/{id}/versions/"]["get"]

    assert not [p["name"] for p in answer.get("parameters", []) if p["in"] == "query"]
    listed = answer["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array"


def test_schema_names_the_answers_to_a_refused_replacement(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    answers = schema["paths"]["/api/v1/resources/{id}/file/"]["put"]["responses"]

    assert {"202", "400", "413"} <= set(answers)
