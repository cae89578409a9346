"""A session's files: the upload and the outputs. Today local folders; one small interface.

Layout: uploads/<id>/ holds the upload (under a name we choose, never the client's);
processed/<id>/ holds the outputs. Files appear whole: written under a temporary name, then
renamed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol


class FileStorage(Protocol):
    """Where a session's upload and outputs live."""

    def upload_folder(self, session_id: str) -> Path: ...

    def upload_path(self, session_id: str, name: str) -> Path: ...

    def output_path(self, session_id: str, name: str) -> Path | None: ...

    def put_output(self, session_id: str, name: str, write: Callable[[Path], None]) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def session_ids(self) -> Iterator[str]: ...


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

    def upload_path(self, session_id: str, name: str) -> Path:
        return self.upload_root / session_id / name

    def has_upload(self, session_id: str) -> bool:
        return (self.upload_root / session_id).is_dir()

    def exists(self, session_id: str) -> bool:
        return self.has_upload(session_id) or (self.processed_root / session_id).is_dir()

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
        """Outputs of an earlier run go before a new run starts (never the kept files)."""
        folder = self.processed_root / session_id
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name not in keep and path.name.startswith("output."):
                    path.unlink(missing_ok=True)

    def session_ids(self) -> Iterator[str]:
        for root in (self.upload_root, self.processed_root):
            for folder in root.iterdir():
                if folder.is_dir() and not folder.name.startswith("."):
                    yield folder.name
