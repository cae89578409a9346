"""docs/openapi.yaml is kept true: schemathesis drives the app with generated requests."""

from __future__ import annotations

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from flask_app import create_app

app = create_app(
    {
        "DATA_DIR": tempfile.mkdtemp(prefix="openapi-"),
        "RESOLVE_SHORT_LINKS": False,
        "UPLOADS_PER_MINUTE": 0,
        "SWEEP_INTERVAL_SECONDS": 0,
    }
)
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
# A file can match the schema (any bytes) and still not be a spreadsheet; OpenAPI cannot say
# "a spreadsheet", so for the two upload operations 415/422 are right answers to valid bodies.
# And every multipart field is text: a "sheet" sent as {} is the sheet name "{}", not an object,
# so the "schema-violating request accepted" check cannot hold there (it failed 1 run in 12).
FILE_OPERATIONS = {"/upload", "/convert"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_description(case):
    is_file_operation = case.path in FILE_OPERATIONS
    excluded = [positive_data_acceptance, negative_data_rejection] if is_file_operation else []
    case.call_and_validate(excluded_checks=excluded)


def test_successful_responses_match_their_description():
    import io

    client = app.test_client()
    content = b'Name,Link\nA,"40.7, -74.0"\nB,\nC,nonsense\n'
    responses = []
    uploaded = client.post("/upload", data={"file": (io.BytesIO(content), "p.csv")})
    responses.append(("/upload", "POST", uploaded))
    session_id = uploaded.get_json()["id"]
    responses.append(("/process/{id}", "POST", client.post(f"/process/{session_id}?wait=20")))
    responses.append(("/status/{id}", "GET", client.get(f"/status/{session_id}")))
    responses.append(("/results/{id}", "GET", client.get(f"/results/{session_id}?status=ok")))
    responses.append(("/upload/{id}", "GET", client.get(f"/upload/{session_id}")))
    responses.append(("/health", "GET", client.get("/health")))
    responses.append(("/upload/{id}", "DELETE", client.delete(f"/upload/{session_id}")))
    for path, method, response in responses:
        assert response.status_code < 300, (path, response.get_data(as_text=True))
        schema[path][method].validate_response(response)
