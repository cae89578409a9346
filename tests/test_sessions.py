"""Sessions split by concern, each tested alone: file storage, session state, the service.

Time is an injected clock everywhere: nothing here sleeps to make something expire.
"""

from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest

import map_converter.output
import map_converter.xlsx_patch
from map_converter.errors import SessionExpiredError, SessionNotFoundError, StorageFullError
from map_converter.jobs import JobState, JobStatus
from map_converter.session_state import MANIFEST_CACHE_SIZE, FileSessionState, JobLockFile
from map_converter.sessions import local_session_service, parse_session_id

SESSION = "0b5c1c59-7a4b-4a39-9a51-6c3f6b1f2d10"
CSV = b'Name,Link\nA,"48.85, 2.29"\nB,\nC,nonsense\n'


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class InlineRunner:
    """Runs a submitted job at once, in the caller's thread."""

    def submit(self, ticket, job):
        job()


class HeldRunner:
    """Keeps submitted jobs until the test runs them."""

    def __init__(self):
        self.jobs = []

    def submit(self, ticket, job):
        self.jobs.append(job)


def status(generation: int, state=JobState.QUEUED, heartbeat_at=None) -> JobStatus:
    return JobStatus(
        id=SESSION, state=state, total=3, run_count=generation, heartbeat_at=heartbeat_at
    )


def save_csv(content: bytes = CSV):
    return lambda path: Path(path).write_bytes(content)


# --- session state in files (both implementations: test_backends.py) ------------------------------


def test_readers_never_block_a_starter(tmp_path):
    state = FileSessionState(tmp_path)
    state.write_status(SESSION, status(0, JobState.DONE))
    for _ in range(50):  # status readers test the lock without taking it
        assert state.status(SESSION).state == JobState.DONE
        assert not state.is_running(SESSION)
    lease = state.begin_job(SESSION, status)
    assert lease is not None
    lease.release()


def test_a_run_that_let_go_without_finishing_is_interrupted(tmp_path):
    state = FileSessionState(tmp_path)
    state.write_status(SESSION, status(1, JobState.RUNNING, heartbeat_at=0.0))
    reported = state.status(SESSION)
    assert reported.state == JobState.INTERRUPTED
    assert "again" in reported.error


def test_a_held_lease_with_a_stale_heartbeat_is_interrupted(tmp_path):
    clock = Clock()
    state = FileSessionState(tmp_path, heartbeat_timeout_seconds=20, clock=clock)
    (tmp_path / "uploads" / SESSION).mkdir(parents=True)
    state.save_manifest({"id": SESSION})
    lease = state.begin_job(SESSION, lambda generation: status(generation, heartbeat_at=clock()))
    clock.now += 60
    assert state.status(SESSION).state == JobState.QUEUED  # waiting in a live queue
    lease.publish(status(lease.generation, JobState.RUNNING, heartbeat_at=clock()))
    clock.now += 19
    assert state.status(SESSION).state == JobState.RUNNING
    clock.now += 2
    assert state.status(SESSION).state == JobState.INTERRUPTED  # hung: no beat for 21 s
    lease.release()


def test_the_manifest_cache_is_bounded(tmp_path):
    state = FileSessionState(tmp_path)
    for number in range(MANIFEST_CACHE_SIZE + 10):
        session_id = f"00000000-0000-4000-8000-{number:012d}"
        (tmp_path / "uploads" / session_id).mkdir(parents=True)
        state.save_manifest({"id": session_id})
    assert len(state._manifests) == MANIFEST_CACHE_SIZE


def test_the_lock_file_sees_a_lock_taken_elsewhere(tmp_path):
    holder = JobLockFile(tmp_path / "job.lock")
    assert holder.try_acquire()
    assert JobLockFile(tmp_path / "job.lock").is_held()
    assert not JobLockFile(tmp_path / "job.lock").try_acquire()
    holder.release()
    assert not JobLockFile(tmp_path / "job.lock").is_held()


# --- the service --------------------------------------------------------------------------------


def test_upload_then_job_then_results_in_one_thread(tmp_path):
    clock = Clock()
    service = local_session_service(tmp_path, InlineRunner(), clock=clock)
    summary = service.create(save_csv(), "places.csv")
    started = service.start_job(summary["id"])
    assert started["state"] == "done"
    assert started["run_count"] == 1
    assert started["counts"] == {"ok": 1, "failed": 1, "skipped": 1}
    page = service.results(summary["id"], status_filter="ok")
    assert page["total"] == 1
    assert page["rows"][0]["lat"] == 48.85
    path, name, _media = service.download(summary["id"], "kml")  # written on first download
    assert name == "places-coordinates.kml"
    assert b"<Placemark>" in path.read_bytes()


def test_a_session_expires_by_the_clock_and_says_so_afterwards(tmp_path):
    clock = Clock()
    service = local_session_service(tmp_path, InlineRunner(), ttl_seconds=60, clock=clock)
    session_id = service.create(save_csv(), "p.csv")["id"]
    clock.now += 61
    with pytest.raises(SessionExpiredError):
        service.status(session_id)
    with pytest.raises(SessionExpiredError):  # the tombstone answers after the files are gone
        service.status(session_id)
    assert list((tmp_path / "uploads").glob("*-*")) == []


def test_a_running_job_keeps_its_session_past_the_ttl(tmp_path):
    clock = Clock()
    runner = HeldRunner()
    service = local_session_service(tmp_path, runner, ttl_seconds=60, clock=clock)
    session_id = service.create(save_csv(), "p.csv")["id"]
    assert service.start_job(session_id)["state"] == "queued"
    clock.now += 61
    assert service.sweep() == 0
    assert service.status(session_id)["state"] == "queued"  # its lease holds it
    runner.jobs.pop()()
    assert service.status(session_id)["state"] == "done"  # finished late: kept for a grace
    assert service.sweep() == 0
    clock.now += 3601
    assert service.sweep() == 1
    with pytest.raises(SessionExpiredError):
        service.status(session_id)


def test_starting_twice_gives_one_run(tmp_path):
    runner = HeldRunner()
    service = local_session_service(tmp_path, runner)
    session_id = service.create(save_csv(), "p.csv")["id"]
    first = service.start_job(session_id)
    second = service.start_job(session_id)
    assert first["run_count"] == 1
    assert second["run_count"] == 1
    assert len(runner.jobs) == 1
    runner.jobs.pop()()


def test_deleting_while_a_job_waits_leaves_nothing(tmp_path):
    runner = HeldRunner()
    service = local_session_service(tmp_path, runner)
    session_id = service.create(save_csv(), "p.csv")["id"]
    service.start_job(session_id)
    service.delete(session_id)
    runner.jobs.pop()()
    assert list((tmp_path / "uploads").glob("*-*")) == []
    assert list((tmp_path / "processed").glob("*-*")) == []
    with pytest.raises(SessionNotFoundError):
        service.status(session_id)


@pytest.mark.parametrize("text", ["", "x", "../etc", SESSION + "/..", SESSION.replace("-", "")])
def test_only_canonical_uuids_become_paths(text):
    with pytest.raises(SessionNotFoundError):
        parse_session_id(text)


# --- faults ---------------------------------------------------------------------------------------


def disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_during_upload_says_so_and_leaves_nothing(tmp_path):
    service = local_session_service(tmp_path, InlineRunner())
    with pytest.raises(StorageFullError):
        service.create(disk_full, "p.csv")
    assert list((tmp_path / "uploads").glob("*-*")) == []


def test_a_full_disk_during_a_job_fails_it_with_that_reason(tmp_path, monkeypatch):
    service = local_session_service(tmp_path, InlineRunner())
    session_id = service.create(save_csv(), "p.csv")["id"]
    monkeypatch.setattr(map_converter.xlsx_patch, "patch_workbook", disk_full)
    monkeypatch.setattr(map_converter.output, "_write_new_xlsx", disk_full)
    status = service.start_job(session_id)
    assert status["state"] == "failed"
    assert "disk space" in status["error"]
    leftovers = [path.name for path in (tmp_path / "processed" / session_id).iterdir()]
    assert not [name for name in leftovers if name.endswith((".partial", ".tmp"))]


def test_delete_works_on_a_folder_without_a_manifest(tmp_path):
    service = local_session_service(tmp_path, InlineRunner())
    (tmp_path / "uploads" / SESSION).mkdir()
    (tmp_path / "uploads" / SESSION / "upload.csv").write_bytes(b"half an upl")
    service.delete(SESSION)
    assert not (tmp_path / "uploads" / SESSION).exists()
    with pytest.raises(SessionNotFoundError):
        service.delete(SESSION)


def test_an_upload_cut_short_is_swept_after_a_grace_period(tmp_path):
    clock = Clock(time.time())
    service = local_session_service(tmp_path, InlineRunner(), clock=clock)
    (tmp_path / "uploads" / SESSION).mkdir()
    service.sweep()
    assert (tmp_path / "uploads" / SESSION).exists()  # maybe still being read
    clock.now += 3601
    service.sweep()
    assert not (tmp_path / "uploads" / SESSION).exists()
