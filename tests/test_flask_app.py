"""The JSON API through Flask's test client: every endpoint, every error status, the shapes."""

from __future__ import annotations

import io
import json
import time
import uuid
from pathlib import Path

import openpyxl
import pytest

from flask_app import create_app
from tests.conftest import write_xlsx
from tests.fake_shortener import Route
from tests.xlsb_files import xlsb_bytes

PIN = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"
CSV = (
    "Name,Map link\n"
    f'Eiffel,"{PIN}"\n'
    "Blank,\n"
    "Bad,https://example.com/x\n"
    'Text,"-26.108204, 28.0527061"\n'
).encode()


def upload(client, content=CSV, name="places.csv", **form):
    return client.post("/upload", data={"file": (io.BytesIO(content), name), **form})


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def session_files(tmp_path: Path) -> list[str]:
    return sorted(
        path.name for root in ("uploads", "processed") for path in (tmp_path / root).iterdir()
        if not path.name.startswith((".", "resolved-links"))
    )  # fmt: skip


def run_to_done(client, session_id, **options):
    response = client.post(f"/process/{session_id}?wait=20", json=options or None)
    assert response.status_code == 202
    assert response.get_json()["state"] == "done", client.get(f"/status/{session_id}").get_json()


def test_upload_describes_the_file(client):
    response = upload(client)
    assert response.status_code == 201
    body = response.get_json()
    assert uuid.UUID(body["id"])
    assert body["filename"] == "places.csv"
    assert body["format"] == "csv"
    assert body["columns"] == ["Name", "Map link"]
    assert body["link_column"] == "Map link"
    assert body["row_count"] == 4
    assert body["sheets"] == []
    assert body["sheet"] is None
    assert body["preview"]["rows"][0] == ["Eiffel", PIN]


def test_upload_workbook_lists_sheets(client, tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx", [["Link"], [PIN]], sheet="Main", extra_sheets={"Two": [["x"], ["y"]]}
    )
    body = upload(client, path.read_bytes(), "w.xlsx").get_json()
    assert (
        body["sheets"] == ["Main", "Two"] and body["sheet"] == "Main" and body["format"] == "xlsx"
    )
    assert_error(upload(client, path.read_bytes(), "w.xlsx", sheet="Nope"), 422, "unknown_sheet")
    again = client.get(f"/upload/{body['id']}").get_json()
    assert again == body
    other = client.get(f"/upload/{body['id']}?sheet=Two").get_json()
    assert other["sheet"] == "Two"
    assert other["columns"] == ["x"]
    assert other["link_column"] is None
    assert_error(client.get(f"/upload/{body['id']}?sheet=Nope"), 422, "unknown_sheet")


def test_full_flow_and_downloads(client):
    session_id = upload(client, name="My Places.csv").get_json()["id"]
    assert client.get(f"/status/{session_id}").get_json()["state"] == "uploaded"
    run_to_done(client, session_id)
    status = client.get(f"/status/{session_id}").get_json()
    assert set(status) == {
        "id", "state", "total", "processed", "counts", "eta_seconds", "started_at", "finished_at", "error",
        "run_count", "phase",
    }  # fmt: skip
    assert status["counts"] == {"ok": 2, "failed": 1, "skipped": 1}
    assert status["processed"] == 4
    results = client.get(f"/results/{session_id}").get_json()
    assert results["total"] == 4
    first = results["rows"][0]
    assert first == {
        "row_number": 2, "name": "Eiffel", "link": PIN, "lat": 48.8583701, "lng": 2.2944813,
        "status": "ok", "method": "pin", "note": "place pin",
    }  # fmt: skip
    failed = client.get(f"/results/{session_id}?status=failed").get_json()
    assert failed["total"] == 1
    assert failed["rows"][0]["row_number"] == 4
    page = client.get(f"/results/{session_id}?offset=1&limit=2").get_json()
    assert [row["row_number"] for row in page["rows"]] == [3, 4]
    for output_format, media in (
        ("xlsx", "spreadsheetml"), ("csv", "text/csv"), ("geojson", "geo+json"), ("kml", "kml"),
    ):  # fmt: skip
        response = client.get(f"/download/{session_id}?format={output_format}")
        assert response.status_code == 200
        assert media in response.content_type
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert f"My Places-coordinates.{output_format}" in disposition
    geojson = json.loads(client.get(f"/download/{session_id}?format=geojson").data)
    assert geojson["features"][0]["geometry"]["coordinates"] == [2.2944813, 48.8583701]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/download/{session_id}").data))
    assert workbook.active["C2"].value == 48.8583701


def test_process_options_and_errors(client):
    session_id = upload(client).get_json()["id"]
    assert_error(client.post(f"/process/{session_id}", json={"column": 5}), 400, "bad_request")
    assert_error(client.post(f"/process/{session_id}", json={"resolve": "yes"}), 400, "bad_request")
    assert_error(client.post(f"/process/{session_id}?wait=99"), 400, "bad_request")
    assert_error(
        client.post(f"/process/{session_id}", json={"column": "Nope"}), 422, "no_link_column"
    )
    run_to_done(client, session_id, column="Name")
    assert client.get(f"/status/{session_id}").get_json()["counts"]["ok"] == 0


def test_not_done_yet_is_409(client):
    session_id = upload(client).get_json()["id"]
    assert_error(client.get(f"/results/{session_id}"), 409, "not_ready")
    assert_error(client.get(f"/download/{session_id}"), 409, "not_ready")


@pytest.mark.parametrize(
    "bad_id", ["nope", "123", "../../etc/passwd", "%2e%2e", str(uuid.uuid4()).upper() + "x"]
)
def test_malformed_and_unknown_ids_are_404(client, bad_id):
    for response in (
        client.get(f"/status/{bad_id}"),
        client.get(f"/results/{bad_id}"),
        client.get(f"/download/{bad_id}"),
        client.post(f"/process/{bad_id}"),
        client.delete(f"/upload/{bad_id}"),
    ):
        assert_error(response, 404, "not_found")
    assert_error(client.get(f"/status/{uuid.uuid4()}"), 404, "not_found")


def test_bad_query_arguments(client):
    session_id = upload(client).get_json()["id"]
    run_to_done(client, session_id)
    assert_error(client.get(f"/results/{session_id}?limit=0"), 400, "bad_request")
    assert_error(client.get(f"/results/{session_id}?offset=x"), 400, "bad_request")
    assert_error(client.get(f"/results/{session_id}?status=weird"), 400, "bad_request")
    assert_error(client.get(f"/download/{session_id}?format=pdf"), 400, "unsupported_format")


def test_upload_errors_leave_nothing_on_disk(client, tmp_path):
    assert_error(client.post("/upload", data={}), 400, "no_file")
    assert_error(client.post("/upload", data={"file": (io.BytesIO(b""), "")}), 400, "no_file")
    assert_error(upload(client, b"\x00\x01\x02\x03" * 64, "fake.xlsx"), 415, "not_a_spreadsheet")
    assert_error(upload(client, b"", "empty.csv"), 422, "empty_file")
    assert_error(upload(client, b"Link\n" + b"1.5,2.5\n" * 51, "big.csv"), 422, "too_many_rows")
    assert session_files(tmp_path) == []


def test_a_file_without_links_uploads_and_says_to_choose_a_column(client):
    response = upload(client, b"A,B\nx,y\n", "nolinks.csv")
    assert response.status_code == 201
    body = response.get_json()
    assert body["link_column"] is None
    assert "Choose the sheet and the column" in body["message"]
    assert_error(client.post(f"/process/{body['id']}"), 422, "no_link_column")
    assert client.post(f"/process/{body['id']}?wait=20", json={"column": "B"}).status_code == 202


def test_latitude_and_longitude_columns_convert_with_a_note_saying_so(client):
    response = upload(client, b"Name,Latitude,Longitude\nA,48.8584,2.2945\n", "two.csv")
    assert response.status_code == 201
    body = response.get_json()
    assert body["link_column"] == "Latitude"
    assert "'Latitude' and 'Longitude'" in body["message"]
    run_to_done(client, body["id"])
    row = client.get(f"/results/{body['id']}").get_json()["rows"][0]
    assert row["status"] == "ok"
    assert (row["lat"], row["lng"]) == (48.8584, 2.2945)


def test_a_cell_of_300_000_characters_fails_its_row_only(client):
    content = b"Name,Map link\nHuge," + b"x" * 300_000 + b'\nText,"-26.108204, 28.0527061"\n'
    response = upload(client, content)
    assert response.status_code == 201, response.get_data(as_text=True)
    session_id = response.get_json()["id"]
    run_to_done(client, session_id)
    rows = client.get(f"/results/{session_id}").get_json()["rows"]
    assert [row["status"] for row in rows] == ["failed", "ok"]
    assert "longer than" in rows[0]["note"]


def test_plain_text_named_like_a_workbook_is_not_a_spreadsheet(client):
    for name in ("places.xlsx", "places.xls", "places.ods", "places.xlsm"):
        assert_error(upload(client, b"Link\n40.7,-74.0\n", name), 415, "not_a_spreadsheet")
    assert upload(client, b"Link\n40.7 -74.0\n", "places.txt").status_code == 201


def test_the_first_sheet_with_links_is_the_default(client, tmp_path):
    source = write_xlsx(
        tmp_path / "book.xlsx",
        [["Read me"], ["This workbook lists our clients."]],
        sheet="Read me",
        extra_sheets={"Clients": [["Name", "Map link"], ["A", "40.7, -74.0"]]},
    )
    body = upload(client, source.read_bytes(), "book.xlsx").get_json()
    assert body["sheet"] == "Clients"
    assert body["link_column"] == "Map link"
    assert body["sheets"] == ["Read me", "Clients"]


def test_too_large_is_413(tmp_path):
    client = create_app({"DATA_DIR": str(tmp_path), "MAX_UPLOAD_BYTES": 1000}).test_client()
    assert_error(upload(client, b"Link\n" + b"1.5,2.5\n" * 500, "big.csv"), 413, "file_too_large")
    assert session_files(tmp_path) == []


def test_delete_removes_files(client, tmp_path):
    session_id = upload(client).get_json()["id"]
    run_to_done(client, session_id)
    response = client.delete(f"/upload/{session_id}")
    assert response.status_code == 200
    assert response.get_json() == {"id": session_id, "deleted": True}
    assert session_files(tmp_path) == []
    assert_error(client.get(f"/status/{session_id}"), 404, "not_found")


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_expired_session_says_so(tmp_path):
    clock = Clock()
    app = create_app({"DATA_DIR": str(tmp_path), "SESSION_TTL_SECONDS": 60, "CLOCK": clock})
    client = app.test_client()
    session_id = upload(client).get_json()["id"]
    clock.now += 61
    response = client.get(f"/status/{session_id}")
    assert_error(response, 404, "expired")
    assert "expired" in response.get_json()["error"]["message"]
    assert session_files(tmp_path) == []
    # Once swept, a fresh process (another worker) still says "expired".
    other = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    assert_error(other.get(f"/status/{session_id}"), 404, "expired")


def test_sweeper_removes_expired_but_never_a_running_job(tmp_path):
    from map_converter.session_state import JobLockFile

    clock = Clock()
    app = create_app({"DATA_DIR": str(tmp_path), "SESSION_TTL_SECONDS": 60, "CLOCK": clock})
    sessions = app.extensions["map_converter"].sessions
    client = app.test_client()
    running = upload(client).get_json()["id"]
    idle = upload(client).get_json()["id"]
    lock = JobLockFile(tmp_path / "processed" / running / "job.lock")
    assert lock.try_acquire()  # stands for a job in another worker
    clock.now += 61
    assert sessions.sweep() == 1  # the idle one; the running one stays
    assert (tmp_path / "uploads" / running).exists()
    assert not (tmp_path / "uploads" / idle).exists()
    lock.release()


def test_other_worker_reads_the_disk(tmp_path):
    first = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    second = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    session_id = upload(first).get_json()["id"]
    run_to_done(second, session_id)
    assert first.get(f"/status/{session_id}").get_json()["state"] == "done"
    assert first.get(f"/results/{session_id}").get_json()["total"] == 4


def test_interrupted_job_is_reported_and_can_run_again(tmp_path, client):
    session_id = upload(client).get_json()["id"]
    status_path = tmp_path / "processed" / session_id / "status.json"
    status_path.parent.mkdir(parents=True)
    status_path.write_text(
        json.dumps(
            {
                "id": session_id,
                "state": "running",
                "total": 4,
                "processed": 1,
                "counts": {"ok": 1, "failed": 0, "skipped": 0},
                "started_at": time.time(),
                "finished_at": None,
                "heartbeat_at": time.time(),
                "error": None,
            }
        )
    )  # fmt: skip  (a worker died here: nobody holds the job lock)
    status = client.get(f"/status/{session_id}").get_json()
    assert status["state"] == "interrupted"
    assert "again" in status["error"]
    run_to_done(client, session_id)


def test_convert_one_shot(client):
    response = client.post(
        "/convert", data={"file": (io.BytesIO(CSV), "p.csv"), "format": "geojson"}
    )
    assert (
        response.status_code == 200
        and "p-coordinates.geojson" in response.headers["Content-Disposition"]
    )
    assert len(json.loads(response.data)["features"]) == 2
    response = client.post("/convert", data={"file": (io.BytesIO(CSV), "p.csv")})
    assert response.status_code == 200
    assert b"48.8583701" in response.data
    assert_error(client.post("/convert", data={}), 400, "no_file")
    assert_error(
        client.post("/convert", data={"file": (io.BytesIO(CSV), "p.csv"), "format": "pdf"}),
        400, "unsupported_format",
    )  # fmt: skip


def test_convert_takes_its_options_from_the_query_string_too(client):
    """curl users write ?format= as for /download: it is not ignored (the form wins when both)."""
    content = b"Name,Where,Link\nA,x,geo:1.5,2.5\n"
    response = client.post("/convert?format=geojson", data={"file": (io.BytesIO(content), "p.csv")})
    assert response.status_code == 200
    assert "p-coordinates.geojson" in response.headers["Content-Disposition"]
    response = client.post(
        "/convert?format=kml", data={"file": (io.BytesIO(content), "p.csv"), "format": "csv"}
    )
    assert "p-coordinates.csv" in response.headers["Content-Disposition"]
    assert_error(
        client.post("/convert?column=Nope", data={"file": (io.BytesIO(content), "p.csv")}),
        422, "no_link_column",
    )  # fmt: skip
    assert_error(
        client.post("/convert?format=pdf", data={"file": (io.BytesIO(content), "p.csv")}),
        400, "unsupported_format",
    )  # fmt: skip


def test_an_excel_binary_workbook_converts_to_a_new_xlsx(client):
    content = xlsb_bytes(
        {"Read me": [["See the next sheet"]], "Places": [["Name", "Map link"], ["Eiffel", PIN]]}
    )
    body = upload(client, content, "places.xlsb").get_json()
    assert body["format"] == "xlsb"
    assert body["sheets"] == ["Read me", "Places"]
    assert body["sheet"] == "Places"
    run_to_done(client, body["id"])
    response = client.get(f"/download/{body['id']}")
    assert "places-coordinates.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[2]][:4] == ["Eiffel", PIN, 48.8583701, 2.2944813]


def test_a_web_page_saved_as_csv_is_named_for_what_it_is(client):
    page = (
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in</body></html>\n"
    )
    response = upload(client, page, "export.csv")
    assert_error(response, 415, "not_a_spreadsheet")
    assert "web page (HTML)" in response.get_json()["error"]["message"]


def test_convert_row_limit_points_to_the_upload_flow(tmp_path):
    client = create_app({"DATA_DIR": str(tmp_path), "CONVERT_MAX_ROWS": 3}).test_client()
    response = client.post("/convert", data={"file": (io.BytesIO(CSV), "p.csv")})
    assert_error(response, 413, "too_many_rows_for_convert")
    assert "/upload" in response.get_json()["error"]["message"]


def test_short_links_in_a_web_job(tmp_path, shortener):
    shortener.routes["/s"] = Route(location="https://maps.google.com/?q=10.5,20.25")
    app = create_app({
        "DATA_DIR": str(tmp_path), "SHORTLINK_HOSTS": shortener.host, "ALLOW_PRIVATE_NETWORKS": True,
    })  # fmt: skip
    client = app.test_client()
    content = f"Link\n{shortener.url('/s')}\n{shortener.url('/s')}\n".encode()
    session_id = upload(client, content).get_json()["id"]
    run_to_done(client, session_id)
    rows = client.get(f"/results/{session_id}").get_json()["rows"]
    assert [(row["lat"], row["lng"]) for row in rows] == [(10.5, 20.25), (10.5, 20.25)]
    assert shortener.hits == ["/s"]
    run_to_done(client, session_id, resolve=False)
    assert client.get(f"/results/{session_id}").get_json()["rows"][0]["status"] == "failed"
    assert shortener.hits == ["/s"]


def test_health_index_openapi_and_headers(client):
    assert client.get("/health").get_json() == {"status": "ok"}
    page = client.get("/")
    assert page.status_code == 200
    assert b"Map Link Converter" in page.data
    policy = page.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "frame-ancestors 'none'" in policy
        and "unsafe-inline" not in policy
    )
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"]
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/upload" in spec["paths"]
    assert_error(client.get("/nowhere"), 404, "not_found")
    assert_error(client.put("/upload"), 405, "method_not_allowed")


def test_no_debug_mode_by_default(app):
    assert app.debug is False


@pytest.mark.parametrize(
    "body",
    [b"column=Link", b"{not json", b"[" * 100_000 + b"]" * 100_000, b'"just a string"', b"[1, 2]"],
    ids=["form", "broken", "deeply-nested", "string", "array"],
)
def test_process_refuses_a_body_that_is_not_a_json_object(client, body):
    session_id = upload(client).get_json()["id"]
    response = client.post(
        f"/process/{session_id}", data=body, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "bad_request")


def test_a_data_folder_with_url_characters_in_its_name_works(tmp_path):
    data_dir = tmp_path / "odd #1 ?x=1 %20"
    app = create_app({"DATA_DIR": str(data_dir), "SWEEP_INTERVAL_SECONDS": 0})
    client = app.test_client()
    session_id = upload(client).get_json()["id"]
    run_to_done(client, session_id)
    assert client.get(f"/results/{session_id}").get_json()["total"] == 4


def test_retry_failed_rows_reads_only_those_rows(tmp_path, shortener):
    # Unavailable on all three tries of the first run (not a lasting failure, so not cached).
    shortener.routes["/flaky"] = Route(location=PIN, first_statuses=[503, 503, 503])
    content = (
        "Name,Map link\n"
        f'Eiffel,"{PIN}"\n'
        f"Short,{shortener.url('/flaky')}\n"
        "Bad,https://example.com/x\n"
    ).encode()
    app = create_app(
        {
            "DATA_DIR": str(tmp_path),
            "SHORTLINK_HOSTS": shortener.host,
            "ALLOW_PRIVATE_NETWORKS": True,
            "SWEEP_INTERVAL_SECONDS": 0,
        }
    )
    client = app.test_client()
    session_id = upload(client, content).get_json()["id"]
    run_to_done(client, session_id)
    assert client.get(f"/status/{session_id}").get_json()["counts"]["failed"] == 2
    hits_before = len(shortener.hits)
    response = client.post(f"/process/{session_id}?wait=20", json={"retry": "failed"})
    assert response.status_code == 202
    status = response.get_json()
    assert status["state"] == "done"
    assert status["run_count"] == 2
    assert status["counts"] == {"ok": 2, "failed": 1, "skipped": 0}
    assert len(shortener.hits) == hits_before + 1  # only the failed short link again
    rows = client.get(f"/results/{session_id}").get_json()["rows"]
    assert [row["status"] for row in rows] == ["ok", "ok", "failed"]
    csv_text = client.get(f"/download/{session_id}?format=csv").get_data(as_text=True)
    assert csv_text.count(",ok,") == 2


def test_retry_needs_a_finished_run(client):
    session_id = upload(client).get_json()["id"]
    assert_error(client.post(f"/process/{session_id}", json={"retry": "failed"}), 409, "not_ready")
    assert_error(client.post(f"/process/{session_id}", json={"retry": "all"}), 400, "bad_request")
