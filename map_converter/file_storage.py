"""A session's files: the upload and the outputs. Today local folders; one small interface.

Layout: uploads/<id>/ holds the upload (under a name we choose, never the client's);
processed/<id>/ holds the outputs. Files appear whole: written under a temporary name, then
renamed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

OUTPUT_PREFIX = "run-"  # outputs are named run-<generation>.<name>: see output_name()


def is_session_id(name: str) -> bool:
    """A canonical session id (a lower-case UUID): the only names that become paths or keys."""
    try:
        return str(uuid.UUID(name)) == name
    except (ValueError, TypeError, AttributeError):
        return False


def output_name(generation: int, name: str) -> str:
    """A run's output: each run writes its own names, so a stale run never overwrites a newer
    run's files and a stored output never changes under a name."""
    return f"{OUTPUT_PREFIX}{generation}.{name}"


class FileStorage(Protocol):
    """Where a session's upload and outputs live. Paths handed out are local files (for object
    storage, this machine's copies); outputs are never rewritten under the same name, so a copy
    is never stale."""

    def upload_folder(self, session_id: str) -> Path:
        """A new, empty local folder to receive an upload into."""

    def finish_upload(self, session_id: str, name: str) -> None:
        """The upload in upload_folder is whole: store it."""

    def upload_path(self, session_id: str, name: str) -> Path: ...

    def output_path(self, session_id: str, name: str) -> Path | None: ...

    def put_output(self, session_id: str, name: str, write: Callable[[Path], None]) -> None: ...

    def exists(self, session_id: str) -> bool: ...

    def modified_at(self, session_id: str) -> float | None: ...

    def delete(self, session_id: str) -> None: ...

    def delete_outputs(self, session_id: str, keep: set[str]) -> None: ...

    def session_ids(self) -> Iterator[str]: ...

    def stored_bytes(self, session_id: str) -> int: ...

    def prune_local_copies(self, older_than: float) -> None:
        """Drop this machine's copies of stored files not used since `older_than`."""


class LocalFileStorage:
    """uploads/<id>/ and processed/<id>/ under one data folder."""

    def __init__(self, data_dir: Path):
        self.upload_root = Path(data_dir) / "uploads"
        self.processed_root = Path(data_dir) / "processed"
        self.upload_root.mkdir(parents=True, exist_ok=True)
        self.processed_root.mkdir(parents=True, exist_ok=True)

    def upload_folder(self, session_id: str) -> Path:
        """A new, empty folder for an upload being received."""
        folder = self.upload_root / session_id
        folder.mkdir(parents=True)
        return folder

    def finish_upload(self, session_id: str, name: str) -> None:
        """Already in place: the upload folder is where uploads are kept."""

    def upload_path(self, session_id: str, name: str) -> Path:
        return self.upload_root / session_id / name

    def exists(self, session_id: str) -> bool:
        return any((root / session_id).is_dir() for root in (self.upload_root, self.processed_root))

    def modified_at(self, session_id: str) -> float | None:
        """When the session's folders last changed (None when there are none)."""
        times = []
        for folder in (self.upload_root / session_id, self.processed_root / session_id):
            try:
                times.append(folder.stat().st_mtime)
            except OSError:
                continue
        return max(times) if times else None

    def output_path(self, session_id: str, name: str) -> Path | None:
        """The stored output as a local path, or None when it has not been written."""
        path = self.processed_root / session_id / name
        return path if path.is_file() else None

    def put_output(self, session_id: str, name: str, write: Callable[[Path], None]) -> None:
        """write(path) into a temporary file, then rename it into place."""
        folder = self.processed_root / session_id
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.{os.getpid()}.partial"
        try:
            write(partial)
            os.replace(partial, folder / name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    def delete(self, session_id: str) -> None:
        shutil.rmtree(self.upload_root / session_id, ignore_errors=True)
        shutil.rmtree(self.processed_root / session_id, ignore_errors=True)

    def delete_outputs(self, session_id: str, keep: set[str]) -> None:
        """Outputs of earlier runs go before a new run starts (never the kept ones)."""
        folder = self.processed_root / session_id
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name not in keep and path.name.startswith(OUTPUT_PREFIX):
                    path.unlink(missing_ok=True)

    def stored_bytes(self, session_id: str) -> int:
        return sum(
            path.stat().st_size
            for root in (self.upload_root, self.processed_root)
            for path in (root / session_id).glob("*")
            if path.is_file()
        )

    def prune_local_copies(self, older_than: float) -> None:
        """Nothing to do: the local folders are the storage itself."""

    def session_ids(self) -> Iterator[str]:
        for root in (self.upload_root, self.processed_root):
            if not root.is_dir():
                continue  # the data folder went away (a test's temporary folder, say)
            for folder in root.iterdir():
                if folder.is_dir() and is_session_id(folder.name):
                    yield folder.name
