"""One contract, two implementations: every test here runs against the one-machine parts (local
folders, JSON files and lock files) and the distributed ones (a real redis-server, the S3
stand-in), started by the tests on loopback."""

from __future__ import annotations

import io
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from map_converter.errors import MapConverterError, SessionExpiredError, SessionNotFoundError
from map_converter.file_storage import LocalFileStorage, output_name
from map_converter.jobs import JobCancelledError, JobState, JobStatus
from map_converter.object_storage import ObjectFileStorage, parse_storage_url
from map_converter.redis_state import RedisSessionState
from map_converter.session_state import FileSessionState
from map_converter.sessions import SessionService
from tests.engines import S3_TEST_ENVIRONMENT, make_bucket, running_redis, running_s3_stand_in

SESSION = "0b5c1c59-7a4b-4a39-9a51-6c3f6b1f2d10"
CSV = b'Name,Link\nA,"48.85, 2.29"\nB,\nC,nonsense\n'


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    with running_s3_stand_in(tmp_path_factory.mktemp("s3")) as endpoint:
        yield endpoint


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    client.flushdb()
    return client


def new_object_storage(request, local_dir: Path, bucket: str) -> ObjectFileStorage:
    """Object storage on the stand-in, with credentials from AWS_* as in production (set for
    this test only)."""
    from map_converter.object_storage import s3_client

    monkeypatch = request.getfixturevalue("monkeypatch")
    for name, value in S3_TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    endpoint = request.getfixturevalue("s3_endpoint")
    return ObjectFileStorage(s3_client(endpoint), bucket, "sessions", local_dir)


@pytest.fixture(params=["local", "s3"])
def storage_pair(request, tmp_path):
    """Two handles on one storage, as two machines see it (for local folders: one folder)."""
    if request.param == "local":
        return LocalFileStorage(tmp_path), LocalFileStorage(tmp_path)
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    make_bucket(endpoint, bucket)
    return (
        new_object_storage(request, tmp_path / "machine-a", bucket),
        new_object_storage(request, tmp_path / "machine-b", bucket),
    )


@pytest.fixture(params=["file", "redis"])
def state(request, tmp_path):
    if request.param == "file":
        (tmp_path / "uploads" / SESSION).mkdir(parents=True)  # file storage makes it
        return FileSessionState(tmp_path)
    return RedisSessionState(request.getfixturevalue("redis_client"))


def status(generation: int, state=JobState.QUEUED) -> JobStatus:
    return JobStatus(
        id=SESSION, state=state, total=3, run_count=generation, heartbeat_at=time.time()
    )


# --- file storage -------------------------------------------------------------------------------


def test_an_upload_stored_on_one_machine_is_read_on_another(storage_pair):
    here, there = storage_pair
    folder = here.upload_folder(SESSION)
    (folder / "source.csv").write_bytes(CSV)
    here.finish_upload(SESSION, "source.csv")
    assert there.upload_path(SESSION, "source.csv").read_bytes() == CSV
    assert there.exists(SESSION)
    assert there.stored_bytes(SESSION) == len(CSV)


def test_outputs_appear_whole_or_not_at_all(storage_pair):
    here, there = storage_pair

    def failing_writer(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        here.put_output(SESSION, "run-1.output.csv", failing_writer)
    assert here.output_path(SESSION, "run-1.output.csv") is None
    assert there.output_path(SESSION, "run-1.output.csv") is None
    here.put_output(SESSION, "run-1.output.csv", lambda path: path.write_bytes(b"whole"))
    assert there.output_path(SESSION, "run-1.output.csv").read_bytes() == b"whole"


def test_a_new_run_removes_earlier_outputs_but_what_it_keeps(storage_pair):
    here, there = storage_pair
    for name in ("run-1.output.xlsx", "run-1.results.sqlite3"):
        here.put_output(SESSION, name, lambda path: path.write_bytes(b"x"))
    there.delete_outputs(SESSION, keep={"run-1.results.sqlite3"})
    assert here.output_path(SESSION, "run-1.results.sqlite3") is not None
    assert there.output_path(SESSION, "run-1.output.xlsx") is None


def test_delete_removes_everything_of_the_session_only(storage_pair):
    here, there = storage_pair
    other = "7f1a2b3c-0000-4000-8000-000000000001"
    for session_id in (SESSION, other):
        (here.upload_folder(session_id) / "source.csv").write_bytes(CSV)
        here.finish_upload(session_id, "source.csv")
        here.put_output(session_id, "run-1.output.csv", lambda path: path.write_bytes(b"x"))
    assert set(there.session_ids()) == {SESSION, other}
    assert there.modified_at(SESSION) is not None
    there.delete(SESSION)
    assert not here.exists(SESSION)
    assert here.stored_bytes(SESSION) == 0
    assert set(here.session_ids()) == {other}
    assert here.output_path(other, "run-1.output.csv") is not None


# --- session state ------------------------------------------------------------------------------


def test_manifests_round_trip(state):
    assert state.manifest(SESSION) is None
    state.save_manifest({"id": SESSION, "row_count": 3})
    assert state.manifest(SESSION)["row_count"] == 3
    state.delete(SESSION)
    assert state.manifest(SESSION) is None


def test_one_job_per_session_and_generations_count_up(state):
    state.save_manifest({"id": SESSION})
    first = state.begin_job(SESSION, status)
    assert first is not None
    assert first.generation == 1
    assert state.begin_job(SESSION, status) is None  # a run holds the lease
    assert state.is_running(SESSION)
    first.publish(status(1, JobState.DONE))
    first.release()
    assert not state.is_running(SESSION)
    second = state.begin_job(SESSION, status)
    assert second.generation == 2
    assert state.stored_status(SESSION).run_count == 2
    second.release()


def test_twenty_concurrent_starters_make_one_run(state):
    state.save_manifest({"id": SESSION})
    barrier = threading.Barrier(20)
    leases = []

    def start() -> None:
        barrier.wait()
        leases.append(state.begin_job(SESSION, status))

    threads = [threading.Thread(target=start) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [lease for lease in leases if lease is not None]
    assert len(winners) == 1
    assert state.stored_status(SESSION).run_count == 1
    winners[0].release()


def test_a_stale_run_cannot_publish_over_a_newer_one(state):
    state.save_manifest({"id": SESSION})
    old = state.begin_job(SESSION, status)
    old.release()
    new = state.begin_job(SESSION, status)
    with pytest.raises(JobCancelledError):
        old.publish(status(old.generation, JobState.DONE))
    assert state.stored_status(SESSION).state == JobState.QUEUED
    new.publish(status(new.generation, JobState.RUNNING))
    assert state.stored_status(SESSION).state == JobState.RUNNING
    new.release()


def test_a_run_that_let_go_without_finishing_is_interrupted(state):
    state.save_manifest({"id": SESSION})
    lease = state.begin_job(SESSION, status)
    lease.publish(status(lease.generation, JobState.RUNNING))
    lease.release()  # as a dying process does: no last status
    reported = state.status(SESSION)
    assert reported.state == JobState.INTERRUPTED
    assert "again" in reported.error


def test_a_deleted_session_stops_its_run(state):
    state.save_manifest({"id": SESSION})
    lease = state.begin_job(SESSION, status)
    state.delete(SESSION)
    with pytest.raises(JobCancelledError):
        lease.publish(status(lease.generation, JobState.RUNNING))
        if lease.is_cancelled():
            raise JobCancelledError()
    lease.release()


def test_tombstones_and_one_sweeper(state, tmp_path):
    state.mark_expired(SESSION)
    assert state.is_expired(SESSION)
    with state.sweep_lock() as first, state.sweep_lock() as second:
        assert first
        assert not second
    with state.sweep_lock() as again:
        assert again


# --- Redis only: what lock files do not have ----------------------------------------------------


def test_a_lapsed_lease_is_interrupted_everywhere_and_its_run_cannot_come_back(redis_client):
    state = RedisSessionState(redis_client, lease_seconds=0.3)
    elsewhere = RedisSessionState(redis_client, lease_seconds=0.3)
    state.save_manifest({"id": SESSION})
    lease = state.begin_job(SESSION, status)
    worker_lease = elsewhere.resume_lease(SESSION, lease.generation, lease.token)
    worker_lease.publish(status(lease.generation, JobState.RUNNING))  # short lease from now on
    deadline = time.monotonic() + 30
    while state.status(SESSION).state != JobState.INTERRUPTED and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker "pauses": no heartbeat
    assert state.status(SESSION).state == JobState.INTERRUPTED
    assert elsewhere.status(SESSION).state == JobState.INTERRUPTED
    newer = elsewhere.begin_job(SESSION, status)
    assert newer.generation == 2
    with pytest.raises(JobCancelledError):
        worker_lease.publish(status(1, JobState.DONE))  # back from its pause: too late
    assert elsewhere.resume_lease(SESSION, 1, lease.token) is None
    assert state.stored_status(SESSION).run_count == 2


def test_a_queued_lease_outlives_the_running_lease_time(redis_client):
    state = RedisSessionState(redis_client, lease_seconds=0.2)
    state.save_manifest({"id": SESSION})
    state.begin_job(SESSION, status)
    time.sleep(0.5)  # longer than a running lease: a queued job waits in the queue, not dead
    assert state.status(SESSION).state == JobState.QUEUED


# --- the service on both --------------------------------------------------------------------------


class InlineRunner:
    def submit(self, ticket, run):
        run()


@pytest.fixture(params=["one machine", "distributed", "distributed, shared folder"])
def service(request, tmp_path):
    if request.param == "one machine":
        storage, state = LocalFileStorage(tmp_path), FileSessionState(tmp_path)
    elif request.param == "distributed, shared folder":  # REDIS_URL without a storage URL
        storage = LocalFileStorage(tmp_path)
        state = RedisSessionState(request.getfixturevalue("redis_client"))
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"b-{uuid.uuid4().hex[:12]}"
        make_bucket(endpoint, bucket)
        storage = new_object_storage(request, tmp_path / "copies", bucket)
        state = RedisSessionState(request.getfixturevalue("redis_client"))
    return SessionService(storage=storage, state=state, runner=InlineRunner(), clock=Clock())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_upload_convert_page_download_delete(service):
    session_id = service.create(lambda path: Path(path).write_bytes(CSV), "p.csv")["id"]
    status = service.start_job(session_id)
    assert status["state"] == "done"
    assert status["counts"] == {"ok": 1, "failed": 1, "skipped": 1}
    assert [row["lat"] for row in service.results(session_id)["rows"]] == [48.85, None, None]
    path, name, _ = service.download(session_id, "csv")
    assert name == "p-coordinates.csv"
    assert b"48.85" in path.read_bytes()
    again = service.start_job(session_id, retry_failed=True)
    assert again["run_count"] == 2
    assert service.storage.output_path(session_id, output_name(1, "output.xlsx")) is None
    service.delete(session_id)
    assert not service.storage.exists(session_id)


def test_storage_url_parsing():
    assert parse_storage_url("s3://bucket/a/b/") == ("bucket", "a/b")
    assert parse_storage_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError, match="s3://"):
        parse_storage_url("https://bucket/x")


def test_expired_sessions_are_swept_with_their_files(service):
    session_id = service.create(lambda path: Path(path).write_bytes(CSV), "p.csv")["id"]
    service.start_job(session_id)
    service.clock.now += service.ttl_seconds / 2
    kept = service.create(lambda path: Path(path).write_bytes(CSV), "q.csv")["id"]
    service.start_job(kept)
    service.clock.now += service.ttl_seconds / 2 + 3601  # past the TTL and the finished grace
    assert service.sweep() == 1
    assert not service.storage.exists(session_id)
    assert service.storage.exists(kept)
    with pytest.raises(SessionExpiredError):
        service.status(session_id)


def test_a_sweep_waits_while_another_process_sweeps(service):
    session_id = service.create(lambda path: Path(path).write_bytes(CSV), "p.csv")["id"]
    service.clock.now += service.ttl_seconds + 1
    with service.state.sweep_lock() as is_mine:
        assert is_mine
        assert service.sweep() == 0  # another sweeper holds the lock
    assert service.sweep() == 1
    assert not service.storage.exists(session_id)


def test_a_redis_that_does_not_answer_gets_503_in_the_error_shape(tmp_path):
    from flask_app import create_app

    app = create_app(
        {
            "DATA_DIR": str(tmp_path),
            "REDIS_URL": f"unix://{tmp_path}/nobody-listens.sock",
            "SWEEP_INTERVAL_SECONDS": 0,
        }
    )
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert "Redis" in health.get_json()["error"]["message"]
    uploaded = client.post("/upload", data={"file": (io.BytesIO(CSV), "p.csv")})
    assert uploaded.status_code == 503
    assert uploaded.get_json()["error"]["code"] == "unavailable"
    assert "try again" in uploaded.get_json()["error"]["message"].lower()
    assert list((tmp_path / "uploads").iterdir()) == []  # the rejected upload left nothing


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"just some text, not a workbook", "places.xlsx"), (b"PK\x03\x04broken zip", "p.xlsx")],
)
def test_a_rejected_upload_leaves_nothing_in_either_storage(service, content, name):
    with pytest.raises(MapConverterError):
        service.create(lambda path: Path(path).write_bytes(content), name)
    assert list(service.storage.session_ids()) == []


def test_deleting_a_session_while_its_job_waits_leaves_nothing(service):
    held = []
    service.runner = type(
        "HeldRunner", (), {"submit": lambda self, ticket, run: held.append(run)}
    )()
    session_id = service.create(lambda path: Path(path).write_bytes(CSV), "p.csv")["id"]
    service.start_job(session_id)
    service.delete(session_id)
    held.pop()()  # the worker takes the ticket after the delete
    assert list(service.storage.session_ids()) == []
    assert not service.state.is_running(session_id)
    with pytest.raises(SessionNotFoundError):
        service.status(session_id)


def test_one_machine_imports_none_of_the_distributed_modes_libraries(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from flask_app import create_app; "
        f"create_app({{'DATA_DIR': {str(tmp_path)!r}, 'SWEEP_INTERVAL_SECONDS': 0}}); "
        "print(sorted(m for m in ('redis', 'rq', 'boto3', 'botocore') if m in sys.modules))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment["MAPLINK_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
