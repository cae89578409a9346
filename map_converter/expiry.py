"""Expired sessions: when one may go, and the sweep that removes them from storage and state.

A session expires SESSION_TTL after its upload, but never while its job runs, and a job that
ends past the TTL keeps its results FINISHED_GRACE_SECONDS longer so they can be fetched.
"""

from __future__ import annotations

from collections.abc import Callable

from .file_storage import FileStorage, is_session_id
from .session_state import SessionState

ORPHAN_GRACE_SECONDS = 3600
FINISHED_GRACE_SECONDS = 3600


def is_past_keeping(state: SessionState, session_id: str, now: float) -> bool:
    """An expired session goes unless its job runs, or finished less than a grace ago."""
    if state.is_running(session_id):
        return False  # a running job finishes even past the TTL
    status = state.stored_status(session_id)
    finished_at = status.finished_at if status else None
    return not finished_at or finished_at + FINISHED_GRACE_SECONDS < now


def expire(state: SessionState, storage: FileStorage, session_id: str) -> None:
    """Remove an expired session, leaving a tombstone so it is answered 'expired'."""
    if state.is_running(session_id):
        return  # never remove a running job's files
    state.mark_expired(session_id)
    state.delete(session_id)
    storage.delete(session_id)


def sweep(state: SessionState, storage: FileStorage, clock: Callable[[], float]) -> int:
    """Remove expired sessions and leftovers; returns how many sessions went. One sweeper at a
    time, across every process that shares the state."""
    with state.sweep_lock() as is_mine:
        if not is_mine:
            return 0
        now = clock()
        removed = 0
        for session_id in set(storage.session_ids()):
            if not is_session_id(session_id):
                continue
            manifest = state.manifest(session_id)
            if manifest is None:
                # An upload cut short (its worker died while reading it) or outputs left behind:
                # gone once nothing has touched them for a grace period.
                modified_at = storage.modified_at(session_id)
                is_old = modified_at is not None and modified_at + ORPHAN_GRACE_SECONDS < now
                if is_old and not state.is_running(session_id):
                    storage.delete(session_id)
                continue
            if manifest["expires_at"] < now and is_past_keeping(state, session_id, now):
                expire(state, storage, session_id)
                removed += 1
        state.sweep_tombstones()
    storage.prune_local_copies(clock() - ORPHAN_GRACE_SECONDS)
    return removed
