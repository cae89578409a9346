"""A session's files in S3-compatible object storage, for the distributed mode.

Objects: `<prefix>/<session id>/upload/<name>` and `<prefix>/<session id>/output/<name>`.
Readers get a local copy under `<local_dir>/<session id>/` (downloaded once, whole, then renamed
into place). An upload never changes and every run writes outputs under names of its own (see
file_storage.output_name), so a local copy is never stale.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from .file_storage import is_session_id

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


def parse_storage_url(url: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"a storage URL looks like s3://bucket/prefix, not {url!r}")
    return parts.netloc, parts.path.strip("/")


class ObjectFileStorage:
    """Uploads and outputs as objects; this machine keeps copies in local_dir."""

    def __init__(self, client, bucket: str, prefix: str, local_dir: Path, clock=time.time):
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.local_dir = Path(local_dir)
        self.local_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock

    def _key(self, session_id: str, kind: str, name: str) -> str:
        return f"{self.prefix}{session_id}/{kind}/{name}"

    def _local(self, session_id: str, kind: str, name: str) -> Path:
        return self.local_dir / session_id / kind / name

    # --- uploads ----------------------------------------------------------------------------

    def upload_folder(self, session_id: str) -> Path:
        folder = self.local_dir / session_id / "upload"
        folder.mkdir(parents=True)
        return folder

    def finish_upload(self, session_id: str, name: str) -> None:
        self.client.upload_file(
            str(self._local(session_id, "upload", name)),
            self.bucket,
            self._key(session_id, "upload", name),
        )

    def upload_path(self, session_id: str, name: str) -> Path:
        path = self._fetch(session_id, "upload", name)
        if path is None:
            raise FileNotFoundError(f"upload {name} of {session_id} is not in storage")
        return path

    # --- outputs ----------------------------------------------------------------------------

    def output_path(self, session_id: str, name: str) -> Path | None:
        return self._fetch(session_id, "output", name)

    def put_output(self, session_id: str, name: str, write: Callable[[Path], None]) -> None:
        """write(path) locally, store the whole file, then keep it as this machine's copy."""
        path = self._local(session_id, "output", name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}.partial")
        try:
            write(partial)
            self.client.upload_file(
                str(partial), self.bucket, self._key(session_id, "output", name)
            )
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    def _fetch(self, session_id: str, kind: str, name: str) -> Path | None:
        """This machine's copy, downloaded first if needed; None when the object is not there."""
        path = self._local(session_id, kind, name)
        if path.is_file():
            os.utime(path)  # recently used: prune_local_copies keeps it
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}.{time.monotonic_ns()}.partial")
        try:
            self.client.download_file(self.bucket, self._key(session_id, kind, name), str(partial))
            os.replace(partial, path)
        except Exception as error:
            if _is_missing(error):
                return None
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        return path

    # --- listing and removal ----------------------------------------------------------------

    def _objects(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def exists(self, session_id: str) -> bool:
        answer = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=self._session(session_id), MaxKeys=1
        )
        return bool(answer.get("Contents"))

    def modified_at(self, session_id: str) -> float | None:
        times = [
            item["LastModified"].timestamp() for item in self._objects(self._session(session_id))
        ]
        return max(times) if times else None

    def stored_bytes(self, session_id: str) -> int:
        return sum(item["Size"] for item in self._objects(self._session(session_id)))

    def _session(self, session_id: str) -> str:
        return f"{self.prefix}{session_id}/"

    def delete(self, session_id: str) -> None:
        self._delete_keys([item["Key"] for item in self._objects(self._session(session_id))])
        shutil.rmtree(self.local_dir / session_id, ignore_errors=True)

    def delete_outputs(self, session_id: str, keep: set[str]) -> None:
        folder = f"{self._session(session_id)}output/"
        doomed = [
            item["Key"]
            for item in self._objects(folder)
            if item["Key"].removeprefix(folder) not in keep
        ]
        self._delete_keys(doomed)
        local = self.local_dir / session_id / "output"
        if local.is_dir():
            for path in local.iterdir():
                if path.name not in keep:
                    path.unlink(missing_ok=True)

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            chunk = keys[start : start + 1000]
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk]}
            )

    def session_ids(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"].removeprefix(self.prefix).rstrip("/")
                if is_session_id(name):
                    yield name

    def prune_local_copies(self, older_than: float) -> None:
        """Copies of sessions this machine has not touched since older_than (or that are gone)."""
        for folder in self.local_dir.iterdir():
            try:
                newest = max(
                    (path.stat().st_mtime for path in folder.rglob("*")),
                    default=folder.stat().st_mtime,
                )
            except OSError:
                continue
            if newest < older_than:
                shutil.rmtree(folder, ignore_errors=True)


def _is_missing(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in MISSING_CODES


def s3_client(endpoint_url: str | None = None):
    """A boto3 client; credentials and region from the usual AWS_* variables and files."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.client("s3", endpoint_url=endpoint_url or None, config=config)
