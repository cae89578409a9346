"""Two machines on one box: two gunicorn instances with separate data folders, two `rq worker`
processes (the Procfile's line) with their own folders, a real redis-server and the S3 stand-in.
All traffic stays on loopback; every wait is a loop with a deadline. Figures are printed (run
with -s to see them) for the closing note; no test asserts how fast anything was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from tests.conftest import write_xlsx
from tests.engines import (
    S3_TEST_ENVIRONMENT,
    children_of,
    make_bucket,
    running_redis,
    running_rq_worker,
    running_s3_stand_in,
)
from tests.fake_shortener import running_one_point_shortener
from tests.servers import PROJECT_ROOT, running_gunicorn

TIMEOUT = 30
BUCKET = "maplink-test"
PREFIX = "sessions"
LEASE_SECONDS = 15  # the shipped default


@pytest.fixture(scope="module")
def shortener():
    with running_one_point_shortener(delay_seconds=0.4) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, shortener):
    """Redis, the S3 stand-in, web A and B, workers 1 and 2; yields what the tests need."""
    root = tmp_path_factory.mktemp("cluster")
    redis_tls = running_redis(root / "redis", tls=True)  # TLS, self-signed: as on Heroku
    with redis_tls as redis_url, running_s3_stand_in(root / "s3") as endpoint:
        s3 = make_bucket(endpoint, BUCKET)
        environment = {
            **S3_TEST_ENVIRONMENT,
            "REDIS_URL": redis_url,
            "MAPLINK_REDIS_VERIFY_TLS": "0",
            "MAPLINK_STORAGE_URL": f"s3://{BUCKET}/{PREFIX}",
            "MAPLINK_S3_ENDPOINT_URL": endpoint,
            "MAPLINK_SHORTLINK_HOSTS": shortener.host,
            "MAPLINK_ALLOW_PRIVATE_NETWORKS": "1",
            "MAPLINK_RESOLVE_CONCURRENCY": "1",  # one short link at a time: slow enough to kill
            "MAPLINK_RESOLVE_PER_HOST": "1",
            "MAPLINK_UPLOADS_PER_MINUTE": "0",
        }
        web_a_dir, web_b_dir = root / "web-a", root / "web-b"
        web_a_dir.mkdir()
        web_b_dir.mkdir()
        with (
            running_gunicorn(web_a_dir, environment, ("--workers", "2")) as (web_a, _),
            running_gunicorn(web_b_dir, environment, ("--workers", "2")) as (web_b, _),
            running_rq_worker(root / "worker-1", environment) as worker_1,
            running_rq_worker(root / "worker-2", environment) as worker_2,
        ):
            yield {
                "a": web_a,
                "b": web_b,
                "workers": [worker_1, worker_2],
                "redis": redis.Redis.from_url(redis_url, socket_timeout=10, ssl_cert_reqs="none"),
                "s3": s3,
                "environment": environment,
                "root": root,
            }


def upload(base: str, path) -> str:
    with open(path, "rb") as handle:
        answer = requests.post(
            f"{base}/upload", files={"file": (path.name, handle)}, timeout=TIMEOUT
        )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def status_of(base: str, session_id: str) -> dict:
    for _ in range(50):  # a busy machine may refuse a connection now and then: retry
        try:
            answer = requests.get(f"{base}/status/{session_id}", timeout=TIMEOUT)
            return answer.json()
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("no answer from /status")


def wait_for(predicate, deadline_seconds: float = 120, interval: float = 0.1):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def stored_bytes(s3, session_id: str) -> int:
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{session_id}/")
    return sum(item["Size"] for item in listing.get("Contents", []))


def links_sheet(tmp_path, shortener, name: str, short_links: int, direct_links: int = 20):
    rows = [["Name", "Map link"]]
    rows += [[f"P{n}", f"https://maps.google.com/?q={n}.25,{n}.5"] for n in range(direct_links)]
    rows += [[f"S{n}", shortener.url(f"/{name}-{n}")] for n in range(short_links)]
    return write_xlsx(tmp_path / f"{name}.xlsx", rows)


def test_upload_on_a_process_on_b_download_from_a_equals_the_cli(cluster, shortener, tmp_path):
    source = links_sheet(tmp_path, shortener, "flow", short_links=3)
    session_id = upload(cluster["a"], source)
    started = requests.post(f"{cluster['b']}/process/{session_id}", timeout=TIMEOUT)
    assert started.status_code == 202, started.text
    seen = {"a": set(), "b": set()}

    def both_done() -> bool:
        for name in ("a", "b"):
            seen[name].add(status_of(cluster[name], session_id)["state"])
        return {"done"} <= seen["a"] and {"done"} <= seen["b"]

    assert wait_for(both_done)
    downloaded = requests.get(f"{cluster['a']}/download/{session_id}", timeout=TIMEOUT)
    assert downloaded.status_code == 200
    cli_output = tmp_path / "cli.xlsx"
    subprocess.run(
        [sys.executable, "-m", "map_converter", str(source), "-o", str(cli_output)],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "MAPLINK_DATA_DIR": str(tmp_path),
            "MAPLINK_SHORTLINK_HOSTS": shortener.host,
            "MAPLINK_ALLOW_PRIVATE_NETWORKS": "1",
        },
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert downloaded.content == cli_output.read_bytes()
    rows = requests.get(f"{cluster['b']}/results/{session_id}?limit=50", timeout=TIMEOUT).json()
    assert rows["total"] == 23
    worker_logs = "".join(
        (cluster["root"] / name / "worker.log").read_text() for name in ("worker-1", "worker-2")
    )
    assert f"job {session_id} run 1 started" in worker_logs  # the job's own start and end lines
    assert f"job {session_id} done: 23 rows" in worker_logs
    print(f"\nflow: states seen on A {sorted(seen['a'])}, on B {sorted(seen['b'])}")


def test_twenty_concurrent_starts_across_a_and_b_make_one_run(cluster, shortener, tmp_path):
    source = links_sheet(tmp_path, shortener, "twenty", short_links=4)
    session_id = upload(cluster["b"], source)
    hits_before = len(shortener.hits)
    targets = [cluster["a"], cluster["b"]] * 10
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda base: requests.post(f"{base}/process/{session_id}", timeout=TIMEOUT),
                targets,
            )
        )
    assert [answer.status_code for answer in answers] == [202] * 20
    assert {answer.json()["run_count"] for answer in answers} == {1}
    assert wait_for(lambda: status_of(cluster["a"], session_id)["state"] == "done")
    assert status_of(cluster["b"], session_id)["run_count"] == 1
    assert len(shortener.hits) - hits_before == 4  # each short link once: one run happened
    print("\ntwenty starts over A and B: run_count 1, 4 short links requested once each")


def busy_worker(cluster) -> tuple[subprocess.Popen, int] | None:
    """The worker whose work-horse is running a job, and the horse's pid."""
    for worker in cluster["workers"]:
        if worker.poll() is None and children_of(worker.pid):
            return worker, children_of(worker.pid)[0]
    return None


def test_a_killed_worker_is_interrupted_everywhere_and_the_rerun_asks_nothing_again(
    cluster, shortener, tmp_path
):
    links = 30
    source = links_sheet(tmp_path, shortener, "killed", short_links=links)
    session_id = upload(cluster["a"], source)
    requests.post(f"{cluster['a']}/process/{session_id}", timeout=TIMEOUT)

    def resolved_so_far() -> int:
        return sum(1 for hit in shortener.hits if hit.startswith("/killed-"))

    assert wait_for(lambda: resolved_so_far() >= 5)
    progress_a = status_of(cluster["a"], session_id)
    progress_b = status_of(cluster["b"], session_id)
    assert progress_a["state"] == progress_b["state"] == "running"
    found = wait_for(lambda: busy_worker(cluster), 30)
    assert found, "no worker has a work-horse"
    worker, horse = found
    os.kill(horse, signal.SIGKILL)
    os.kill(worker.pid, signal.SIGKILL)  # the machine is gone: worker and work-horse
    killed_at = time.monotonic()
    worker.wait()
    requested_in_order = [hit for hit in shortener.hits if hit.startswith("/killed-")]
    requested_before_rerun = set(requested_in_order)
    interrupted_after = {}

    def interrupted_on_both() -> bool:
        for name in ("a", "b"):
            if (
                name not in interrupted_after
                and status_of(cluster[name], session_id)["state"] == "interrupted"
            ):
                interrupted_after[name] = time.monotonic() - killed_at
        return len(interrupted_after) == 2

    assert wait_for(interrupted_on_both, 120, 0.2)
    hits_at_rerun = len(shortener.hits)
    rerun = requests.post(f"{cluster['b']}/process/{session_id}", timeout=TIMEOUT).json()
    assert rerun["run_count"] == 2
    assert wait_for(lambda: status_of(cluster["a"], session_id)["state"] == "done", 180)
    rerun_hits = shortener.hits[hits_at_rerun:]
    asked_again = [hit for hit in rerun_hits if hit in requested_before_rerun]
    answered_before = len(requested_before_rerun)
    # Answers reach the shared cache every half second while a run goes on: what the dead run
    # had not stored yet (the link in flight, and answers of its last half second, one link
    # every 0.4 s here) is asked again; nothing older.
    assert set(asked_again) <= set(requested_in_order[-3:])
    assert len(rerun_hits) == links - answered_before + len(asked_again)
    downloaded = requests.get(
        f"{cluster['a']}/download/{session_id}?format=csv", timeout=TIMEOUT
    ).text
    assert downloaded.count(",ok,") + downloaded.count(",ok\r") >= links
    print(
        f"\nkill -9: interrupted on A after {interrupted_after['a']:.1f} s, on B after "
        f"{interrupted_after['b']:.1f} s (lease {LEASE_SECONDS} s); run_count 2 after the rerun; "
        f"{answered_before} of {links} short links requested before the kill, "
        f"{len(rerun_hits)} requests in the rerun, {len(asked_again)} of them repeats"
    )
    # A second upload of the same file, on the other instance: every short link is cached.
    again = upload(cluster["b"], source)
    hits_before = len(shortener.hits)
    requests.post(f"{cluster['b']}/process/{again}", timeout=TIMEOUT)
    assert wait_for(lambda: status_of(cluster["b"], again)["state"] == "done", 120)
    assert len(shortener.hits) == hits_before


def test_delete_on_b_removes_the_objects(cluster, shortener, tmp_path):
    source = links_sheet(tmp_path, shortener, "delete", short_links=0)
    session_id = upload(cluster["a"], source)
    requests.post(f"{cluster['a']}/process/{session_id}", timeout=TIMEOUT)
    assert wait_for(lambda: status_of(cluster["b"], session_id)["state"] == "done")
    assert requests.get(f"{cluster['a']}/download/{session_id}?format=kml", timeout=TIMEOUT).ok
    before = stored_bytes(cluster["s3"], session_id)
    assert before > 0
    deleted = requests.delete(f"{cluster['b']}/upload/{session_id}", timeout=TIMEOUT)
    assert deleted.status_code == 200
    after = stored_bytes(cluster["s3"], session_id)
    assert after == 0
    assert requests.get(f"{cluster['a']}/status/{session_id}", timeout=TIMEOUT).status_code == 404
    keys = cluster["redis"].keys(f"maplink:session:{session_id}:*")
    assert keys == []
    print(f"\ndelete on B: {before:,} bytes in storage before, {after} after")


def test_sigterm_lets_the_job_record_interrupted_itself(cluster, shortener, tmp_path):
    with running_rq_worker(tmp_path / "worker-3", cluster["environment"]) as extra:
        cluster["workers"].append(extra)
        source = links_sheet(tmp_path, shortener, "sigterm", short_links=30)
        session_id = upload(cluster["b"], source)
        requests.post(f"{cluster['b']}/process/{session_id}", timeout=TIMEOUT)
        assert wait_for(lambda: status_of(cluster["a"], session_id)["state"] == "running")
        found = wait_for(lambda: busy_worker(cluster), 30)
        assert found
        worker, _horse = found
        worker.send_signal(signal.SIGTERM)  # a Heroku restart
        sent_at = time.monotonic()

        def stored_state() -> str:
            raw = cluster["redis"].get(f"maplink:session:{session_id}:status")
            return json.loads(raw)["state"]

        assert wait_for(lambda: stored_state() == "interrupted", 60)
        recorded_after = time.monotonic() - sent_at
        assert status_of(cluster["a"], session_id)["state"] == "interrupted"
        cluster["workers"].remove(extra)
    print(f"\nSIGTERM: the job stored 'interrupted' itself after {recorded_after:.1f} s")


def test_procfile_and_compose_run_the_same_worker_with_settings_that_match_the_lease():
    import shlex

    import yaml

    from map_converter.settings import Settings
    from tests.engines import procfile_command

    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    procfile = shlex.split(
        procfile_command("worker").replace("$REDIS_URL", environment["REDIS_URL"])
    )
    assert compose["services"]["worker"]["command"] == procfile
    assert procfile_command("web") == "gunicorn flask_app:app"
    options = dict(zip(procfile[2::2], procfile[3::2], strict=False))
    assert options["--worker-class"] == "rq.worker.HerokuWorker"
    # RQ's job monitoring beats more often than our lease lapses; the worker key outlives a beat.
    lease = Settings.from_environ({}).JOB_LEASE_SECONDS
    assert int(options["--job-monitoring-interval"]) < lease < int(options["--worker-ttl"])
    assert {"REDIS_URL", "MAPLINK_STORAGE_URL", "MAPLINK_S3_ENDPOINT_URL"} <= set(environment)


def test_a_self_signed_redis_certificate_is_refused_unless_told_otherwise(cluster, tmp_path):
    from flask_app import create_app

    settings = {"DATA_DIR": str(tmp_path), "REDIS_URL": cluster["environment"]["REDIS_URL"]}
    checking = create_app({**settings, "SWEEP_INTERVAL_SECONDS": 0}).test_client()
    assert checking.get("/health").status_code == 503  # certificate verify failed
    trusting = create_app(
        {**settings, "SWEEP_INTERVAL_SECONDS": 0, "REDIS_VERIFY_TLS": False}
    ).test_client()
    assert trusting.get("/health").status_code == 200
