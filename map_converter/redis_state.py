"""Session state in Redis, for the distributed mode: manifests, job statuses and job leases.

Per session: `<prefix>:session:<id>:manifest` and `:status` (JSON), `:runs` (how many runs have
begun; the current run's generation) and `:lease` (`<generation>:<token>`, with a Redis expiry).

- Beginning a job is one optimistic transaction (WATCH the lease and the run counter, then
  MULTI: count the run, take the lease, store the queued status): of any number of concurrent
  starters on any machines, exactly one succeeds; the others see the lease.
- A queued job's lease lasts QUEUED_LEASE_SECONDS (it waits in the queue, nobody beats for it);
  the worker that takes the ticket shortens it to `lease_seconds`, and the job's heartbeat renews
  it every second. A lapsed lease means the run is gone: every reader reports `interrupted`.
- Progress and results are published by a script that checks the lease first: a run whose lease
  was lost (paused, or replaced by a newer run) can never overwrite what a newer run wrote.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

from .jobs import JobCancelledError, JobStatus
from .session_state import after_run_let_go

QUEUED_LEASE_SECONDS = 3600.0
TOMBSTONE_TTL_SECONDS = 7 * 86400
SWEEP_LOCK_SECONDS = 600

# KEYS: lease, status, manifest. ARGV: lease value, status JSON, lease milliseconds.
_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[3]) == 0 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
# KEYS: lease. ARGV: lease value, lease milliseconds (renew) — or none (release).
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisJobLease:
    """A run's hold on its session: valid while the lease key holds this run's value."""

    def __init__(self, state: RedisSessionState, session_id: str, generation: int, token: str):
        self.state, self.session_id, self.generation, self.token = (
            state,
            session_id,
            generation,
            token,
        )
        self.value = f"{generation}:{token}"
        self._lost = False

    def publish(self, status: JobStatus) -> None:
        state = self.state
        payload = json.dumps(replace(status, run_count=self.generation).to_json())
        keys = [state.key(self.session_id, part) for part in ("lease", "status", "manifest")]
        if not state.publish_script(keys=keys, args=[self.value, payload, state.lease_ms]):
            self._lost = True
            raise JobCancelledError()

    def is_cancelled(self) -> bool:
        return self._lost

    def release(self) -> None:
        self.state.release_script(
            keys=[self.state.key(self.session_id, "lease")], args=[self.value]
        )


class RedisSessionState:
    """Manifests, statuses and leases in Redis; see the module's description."""

    def __init__(
        self,
        redis,
        lease_seconds: float = 15.0,
        prefix: str = "maplink",
        queued_lease_seconds: float = QUEUED_LEASE_SECONDS,
    ):
        self.redis = redis
        self.prefix = prefix
        self.lease_ms = int(lease_seconds * 1000)
        self.queued_lease_ms = int(queued_lease_seconds * 1000)
        self.publish_script = redis.register_script(_PUBLISH)
        self.renew_script = redis.register_script(_RENEW)
        self.release_script = redis.register_script(_RELEASE)

    def problem(self) -> str | None:
        """What is wrong with the state's service, for /health; None when it answers."""
        from redis.exceptions import RedisError

        try:
            self.redis.ping()
        except (RedisError, OSError) as error:
            return f"Redis does not answer: {type(error).__name__}"
        return None

    def key(self, session_id: str, part: str) -> str:
        return f"{self.prefix}:session:{session_id}:{part}"

    def _get_json(self, key: str) -> dict | None:
        raw = self.redis.get(key)
        try:
            return json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None

    # --- manifests --------------------------------------------------------------------------

    def save_manifest(self, manifest: dict) -> None:
        self.redis.set(self.key(manifest["id"], "manifest"), json.dumps(manifest))

    def manifest(self, session_id: str) -> dict | None:
        return self._get_json(self.key(session_id, "manifest"))

    # --- job status -------------------------------------------------------------------------

    def stored_status(self, session_id: str) -> JobStatus | None:
        data = self._get_json(self.key(session_id, "status"))
        try:
            return JobStatus.from_json(data) if data else None
        except (KeyError, TypeError, ValueError):
            return None

    def status(self, session_id: str) -> JobStatus | None:
        """The stored status; an active one whose lease has lapsed is reported interrupted."""
        status = self.stored_status(session_id)
        if status is None or not status.is_active or self.is_running(session_id):
            return status
        return after_run_let_go(status, lambda: self.stored_status(session_id))

    def begin_job(
        self, session_id: str, make_status: Callable[[int], JobStatus]
    ) -> RedisJobLease | None:
        """Count a new run and take its lease in one transaction; None if a run holds it."""
        from redis.exceptions import WatchError

        lease_key, runs_key = self.key(session_id, "lease"), self.key(session_id, "runs")
        token = uuid.uuid4().hex
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(lease_key, runs_key)
                    if pipe.exists(lease_key):
                        return None
                    generation = int(pipe.get(runs_key) or 0) + 1
                    status = replace(make_status(generation), run_count=generation)
                    pipe.multi()
                    pipe.set(runs_key, generation)
                    pipe.set(lease_key, f"{generation}:{token}", px=self.queued_lease_ms)
                    pipe.set(self.key(session_id, "status"), json.dumps(status.to_json()))
                    pipe.execute()
                    return RedisJobLease(self, session_id, generation, token)
                except WatchError:
                    continue  # another starter got in between: look again

    def resume_lease(self, session_id: str, generation: int, token: str) -> RedisJobLease | None:
        """Take over a queued run's lease on the worker, if that run is still the current one."""
        lease = RedisJobLease(self, session_id, generation, token)
        renewed = self.renew_script(
            keys=[self.key(session_id, "lease")], args=[lease.value, self.lease_ms]
        )
        return lease if renewed else None

    def is_running(self, session_id: str) -> bool:
        return bool(self.redis.exists(self.key(session_id, "lease")))

    # --- removal ----------------------------------------------------------------------------

    def delete(self, session_id: str) -> None:
        """Everything of the session; a running job's next publish finds its lease gone."""
        self.redis.delete(
            *(self.key(session_id, part) for part in ("manifest", "status", "runs", "lease"))
        )

    def mark_expired(self, session_id: str) -> None:
        self.redis.set(f"{self.prefix}:expired:{session_id}", 1, ex=TOMBSTONE_TTL_SECONDS)

    def is_expired(self, session_id: str) -> bool:
        return bool(self.redis.exists(f"{self.prefix}:expired:{session_id}"))

    def sweep_tombstones(self) -> None:
        """Tombstones expire by themselves in Redis."""

    @contextlib.contextmanager
    def sweep_lock(self) -> Iterator[bool]:
        """One sweeper at a time across every machine."""
        key, token = f"{self.prefix}:sweep-lock", uuid.uuid4().hex
        is_mine = bool(self.redis.set(key, token, nx=True, ex=SWEEP_LOCK_SECONDS))
        try:
            yield is_mine
        finally:
            if is_mine:
                self.release_script(keys=[key], args=[token])
