"""run_job and JobStatus alone: a fake lease, local files, an injected clock."""

from __future__ import annotations

from pathlib import Path

from map_converter.jobs import (
    UNEXPECTED_FAILURE_MESSAGE,
    JobContext,
    JobInterruptedError,
    JobOptions,
    JobState,
    JobStatus,
    run_job,
)


class FakeLease:
    """Records what a run publishes; can be cancelled."""

    def __init__(self, generation: int = 1):
        self.generation = generation
        self.published: list[JobStatus] = []
        self.cancelled = False
        self.released = False

    def publish(self, status: JobStatus) -> None:
        self.published.append(status)

    def is_cancelled(self) -> bool:
        return self.cancelled

    def release(self) -> None:
        self.released = True


def context_for(tmp_path: Path, source: Path, clock=lambda: 100.0, on_index=None) -> JobContext:
    written = tmp_path / "output.xlsx"

    def write_xlsx_to(write) -> None:
        write(written)

    return JobContext(
        source_path=lambda: source,
        write_xlsx_to=write_xlsx_to,
        write_index=on_index or (lambda results: None),
        file_format="csv",
        max_rows=100,
        make_follower=lambda: None,
        clock=clock,
    )


def queued(total: int = 2) -> JobStatus:
    return JobStatus(id="s", state=JobState.QUEUED, total=total, run_count=1)


def test_a_run_publishes_running_then_done_and_releases(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('Link\n"48.85, 2.29"\nnonsense\n', encoding="utf-8")
    lease = FakeLease()
    indexed = []
    run_job(
        queued(),
        JobOptions(None, None, False),
        lease,
        context_for(tmp_path, source, on_index=indexed.append),
    )
    states = [status.state for status in lease.published]
    assert states[0] == JobState.RUNNING
    assert lease.published[0].phase == "reading"
    assert states[-1] == JobState.DONE
    assert lease.published[-1].counts == {"ok": 1, "failed": 1, "skipped": 0}
    assert lease.published[-1].link_column == "Link"
    assert lease.released
    assert len(indexed[0]) == 2
    assert (tmp_path / "output.xlsx").exists()


def test_a_file_problem_fails_the_run_with_its_message(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("Link\n", encoding="utf-8")
    lease = FakeLease()
    run_job(queued(), JobOptions(None, None, False), lease, context_for(tmp_path, source))
    assert lease.published[-1].state == JobState.FAILED
    assert "no data rows" in lease.published[-1].error
    assert lease.released


def test_a_bug_fails_the_run_with_a_plain_message(tmp_path):
    lease = FakeLease()

    def broken_index(results) -> None:
        raise RuntimeError("boom")

    source = tmp_path / "in.csv"
    source.write_text('Link\n"1.5, 2.5"\n', encoding="utf-8")
    run_job(
        queued(),
        JobOptions(None, None, False),
        lease,
        context_for(tmp_path, source, on_index=broken_index),
    )
    assert lease.published[-1].state == JobState.FAILED
    assert lease.published[-1].error == UNEXPECTED_FAILURE_MESSAGE
    assert lease.released


def test_a_cancelled_run_publishes_nothing_more(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('Link\n"1.5, 2.5"\n', encoding="utf-8")
    lease = FakeLease()
    lease.cancelled = True
    run_job(queued(), JobOptions(None, None, False), lease, context_for(tmp_path, source))
    assert lease.published == []
    assert lease.released


def test_status_round_trips_and_gives_an_eta_from_the_clock():
    status = JobStatus(
        id="s",
        state=JobState.RUNNING,
        total=100,
        processed=25,
        started_at=1000.0,
        run_count=3,
        phase="converting",
    )
    assert JobStatus.from_json(status.to_json()) == status
    public = status.to_public(now=1010.0)
    assert public["eta_seconds"] == 30.0
    assert public["run_count"] == 3
    assert "heartbeat_at" not in public
    assert JobStatus(id="s", state=JobState.DONE, total=1).to_public(now=0)["eta_seconds"] is None
    writing = JobStatus(id="s", state=JobState.RUNNING, total=9, processed=9, started_at=1.0)
    assert writing.to_public(now=5.0)["eta_seconds"] is None  # no phase: no guess


def test_a_shutdown_mid_run_records_interrupted_and_releases(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('Link\n"48.85, 2.29"\n', encoding="utf-8")
    lease = FakeLease()

    def stopped(_results) -> None:
        raise JobInterruptedError("signal SIGTERM")  # as the worker's signal handler does

    run_job(
        queued(1),
        JobOptions(None, None, False),
        lease,
        context_for(tmp_path, source, on_index=stopped),
    )
    assert lease.published[-1].state == JobState.INTERRUPTED
    assert "again" in lease.published[-1].error
    assert lease.released


def test_the_heartbeat_outlives_a_failed_beat(tmp_path):
    """One beat that fails (a Redis blip, a disk hiccup) must not stop the beating: a job whose
    heartbeat thread died would be reported interrupted while it still runs."""
    import time

    source = tmp_path / "in.csv"
    source.write_text('Link\n"48.85, 2.29"\n', encoding="utf-8")

    class FlakyLease(FakeLease):
        def publish(self, status: JobStatus) -> None:
            if len(self.published) == 1 and not getattr(self, "failed_once", False):
                self.failed_once = True  # the first heartbeat fails
                raise OSError("connection reset")
            super().publish(status)

    lease = FlakyLease()

    def slow_source():
        time.sleep(3.5)  # the run reads for three heartbeats
        return source

    context = context_for(tmp_path, source)
    run_job(
        queued(1),
        JobOptions(None, None, False),
        lease,
        JobContext(**{**context.__dict__, "source_path": slow_source}),
    )
    assert lease.failed_once
    beats = [status for status in lease.published if status.phase == "reading"]
    assert len(beats) >= 2  # the first publish, then beats after the failed one
    assert lease.published[-1].state == JobState.DONE
