"""A real gunicorn with 4 workers on 127.0.0.1: many flows, one job per session, crash recovery,
and the hostile-upload corpus. All traffic stays on loopback and every loop is bounded."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fake_shortener import running_one_point_shortener
from tests.hostile_files import ACCEPTED_WITHOUT_LINKS, corpus, inline_rows, raw_xlsx, valid_xlsx
from tests.servers import running_gunicorn

TIMEOUT = 30


@pytest.fixture(scope="module")
def slow_shortener():
    with running_one_point_shortener(delay_seconds=1.0) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, slow_shortener):
    """gunicorn -w 4 serving the app, with its own data folder."""
    data_dir = tmp_path_factory.mktemp("gunicorn-data")
    settings = {
        "MAPLINK_SHORTLINK_HOSTS": slow_shortener.host,
        "MAPLINK_ALLOW_PRIVATE_NETWORKS": "1",
        "MAPLINK_RESOLVE_PER_HOST": "8",
        "MAPLINK_UPLOADS_PER_MINUTE": "0",  # this suite uploads hundreds of files a minute
    }
    with running_gunicorn(data_dir, settings, ("--workers", "4")) as (base_url, _port):
        yield base_url, data_dir


DIRECT_ROWS = [["Name", "Map link"]] + [
    [f"P{n}", f"https://maps.google.com/?q={n}.25,{n}.5"] for n in range(1, 21)
]


def full_flow(base_url: str, content: bytes, name: str = "p.xlsx") -> dict:
    """upload -> process -> poll -> download; returns what happened."""
    unexpected_404 = 0
    uploaded = requests.post(f"{base_url}/upload", files={"file": (name, content)}, timeout=TIMEOUT)
    assert uploaded.status_code == 201, uploaded.text
    session_id = uploaded.json()["id"]
    started = requests.post(f"{base_url}/process/{session_id}", timeout=TIMEOUT)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    state = None
    while time.monotonic() < deadline:
        response = requests.get(f"{base_url}/status/{session_id}", timeout=TIMEOUT)
        if response.status_code == 404:
            unexpected_404 += 1
        else:
            state = response.json()["state"]
            if state in ("done", "failed", "interrupted"):
                break
        time.sleep(0.05)
    download = requests.get(f"{base_url}/download/{session_id}?format=csv", timeout=TIMEOUT)
    return {
        "id": session_id,
        "state": state,
        "not_found": unexpected_404,
        "csv": download.text,
        "download": download.status_code,
    }


def test_thirty_full_flows_across_workers(server):
    base_url, _ = server
    content = valid_xlsx(DIRECT_ROWS)
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda _: full_flow(base_url, content), range(30)))
    assert [outcome["state"] for outcome in outcomes] == ["done"] * 30
    assert sum(outcome["not_found"] for outcome in outcomes) == 0
    assert all(
        outcome["download"] == 200 and "20.25,20.5,ok" in outcome["csv"] for outcome in outcomes
    )


def test_twenty_concurrent_process_calls_start_one_job(server, slow_shortener):
    base_url, data_dir = server
    rows = [["Link"]] + [[slow_shortener.url(f"/one-job-{n}")] for n in range(8)]
    session_id = requests.post(
        f"{base_url}/upload", files={"file": ("s.xlsx", valid_xlsx(rows))}, timeout=TIMEOUT
    ).json()["id"]
    hits_before = len(slow_shortener.hits)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda _: requests.post(f"{base_url}/process/{session_id}", timeout=TIMEOUT),
                range(20),
            )
        )
    assert all(
        answer.status_code == 202 and answer.json()["id"] == session_id for answer in answers
    )
    done = requests.post(f"{base_url}/process/{session_id}?wait=20", timeout=TIMEOUT).json()
    assert done["state"] == "done"
    status_file = json.loads((data_dir / "processed" / session_id / "status.json").read_text())
    assert status_file["run_count"] == 1
    assert len(slow_shortener.hits) - hits_before == 8  # each link requested once: one job ran


def test_killed_worker_job_is_interrupted_then_reruns_to_the_same_output(server, slow_shortener):
    base_url, data_dir = server
    rows = [["Link"]] + [[slow_shortener.url(f"/crash-{n}")] for n in range(40)]
    content = valid_xlsx(rows)
    clean = full_flow(
        base_url, valid_xlsx([["Link"]] + [[slow_shortener.url(f"/crash-{n}")] for n in range(40)])
    )
    assert clean["state"] == "done"
    # The same links again would come from the cache; new ones make the job slow enough to kill.
    rows = [["Link"]] + [[slow_shortener.url(f"/crash2-{n}")] for n in range(40)]
    content = valid_xlsx(rows)
    session_id = requests.post(
        f"{base_url}/upload", files={"file": ("c.xlsx", content)}, timeout=TIMEOUT
    ).json()["id"]
    requests.post(f"{base_url}/process/{session_id}", timeout=TIMEOUT)
    status_path = data_dir / "processed" / session_id / "status.json"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and json.loads(status_path.read_text())["state"] != "running":
        time.sleep(0.05)
    os.kill(json.loads(status_path.read_text())["worker_pid"], signal.SIGKILL)
    deadline = time.monotonic() + 15
    state = None
    while time.monotonic() < deadline:
        response = requests.get(f"{base_url}/status/{session_id}", timeout=TIMEOUT)
        if response.status_code == 200:
            state = response.json()["state"]
            if state == "interrupted":
                break
        time.sleep(0.1)
    assert state == "interrupted"
    rerun = requests.post(f"{base_url}/process/{session_id}?wait=25", timeout=TIMEOUT).json()
    deadline = time.monotonic() + 30
    while rerun["state"] != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        rerun = requests.get(f"{base_url}/status/{session_id}", timeout=TIMEOUT).json()
    assert rerun["state"] == "done"
    rerun_csv = requests.get(f"{base_url}/download/{session_id}?format=csv", timeout=TIMEOUT).text
    clean_again = full_flow(base_url, content)  # a clean run of the same file, from the cache
    assert rerun_csv == clean_again["csv"]
    assert rerun_csv.count(",ok,") == 40


def test_hostile_corpus_gets_4xx_json_and_leaves_nothing(server):
    base_url, data_dir = server
    files = corpus()
    assert len(files) >= 25
    for name, content, codes in files:
        response = requests.post(f"{base_url}/upload", files={"file": (name, content)}, timeout=60)
        if response.status_code == 201:
            assert ACCEPTED_WITHOUT_LINKS in codes, (name, response.text[:300])
            assert response.json()["link_column"] is None
            assert response.json()["message"]
            requests.delete(f"{base_url}/upload/{response.json()['id']}", timeout=TIMEOUT)
            continue
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/json"), name
        error = response.json()["error"]
        assert error["code"] in codes, (name, error)
        assert requests.get(f"{base_url}/health", timeout=TIMEOUT).status_code == 200
    sessions = [p for p in (data_dir / "uploads").iterdir() if not p.name.startswith(".")]
    leftovers = [p for p in sessions if not (p / "manifest.json").exists()]
    assert leftovers == []


def test_too_large_upload_is_413(server):
    base_url, _ = server
    response = requests.post(
        f"{base_url}/upload", files={"file": ("big.csv", b"x" * (21 * 1024 * 1024))}, timeout=60
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_lying_dimension_is_counted_correctly(server):
    base_url, _ = server
    rows = [["Link"]] + [[f"{n}.5, 1.5"] for n in range(1, 60)]
    content = raw_xlsx(inline_rows(rows, dimension="A1:A2"))
    response = requests.post(
        f"{base_url}/upload", files={"file": ("liar.xlsx", content)}, timeout=TIMEOUT
    )
    assert response.status_code == 201
    assert response.json()["row_count"] == 59


def test_size_limit_holds_for_chunked_uploads(server):
    base_url, data_dir = server
    boundary = "limitboundary"

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        ).encode()
        for _ in range(22):  # 22 MB, no Content-Length
            yield b"x" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = requests.post(
        f"{base_url}/upload",
        data=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
