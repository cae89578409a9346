"""A compressed stream read ahead, or written behind, by a thread of its own.

Inflating and deflating (ISA-L's or zlib's) and the CRC release the GIL, so with these the
(de)compression of one chunk runs on another core while the caller's Python works on the next. At most `depth`
chunks wait in between, so memory stays a few chunks whatever the size of the stream. An
error in the thread is raised in the caller at its next call.
"""

from __future__ import annotations

import queue
import threading
from typing import BinaryIO

_END = b""


class ReadAhead:
    """read(size) of source, each call answered from chunks of chunk_bytes read in advance."""

    def __init__(self, source: BinaryIO, chunk_bytes: int, depth: int = 2):
        self._chunks: queue.Queue = queue.Queue(depth)
        self._stop = threading.Event()
        self._pending = b""
        self._ended = False
        self._thread = threading.Thread(
            target=self._fill, args=(source, chunk_bytes), name="read-ahead", daemon=True
        )
        self._thread.start()

    def _fill(self, source: BinaryIO, chunk_bytes: int) -> None:
        while not self._stop.is_set():
            try:
                chunk = source.read(chunk_bytes)
            except BaseException as error:  # handed to the reader, raised there
                chunk = error
            self._put(chunk)
            if not isinstance(chunk, bytes) or chunk == _END:
                return

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(self, size: int) -> bytes:
        parts = [self._pending] if self._pending else []
        held = len(self._pending)
        while held < size and not self._ended:  # joined once: a large read is not quadratic
            chunk = self._chunks.get()
            if isinstance(chunk, BaseException):
                self._ended = True
                self._pending = b"".join(parts)
                raise chunk
            if chunk == _END:
                self._ended = True
            parts.append(chunk)
            held += len(chunk)
        pending = parts[0] if len(parts) == 1 else b"".join(parts)  # one chunk: not copied
        data, self._pending = pending[:size], pending[size:]
        return data

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class WriteBehind:
    """write(data) to target from a thread of its own; close() waits until all is written."""

    def __init__(self, target: BinaryIO, depth: int = 2):
        self._chunks: queue.Queue = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._drain, args=(target,), name="write-behind", daemon=True
        )
        self._thread.start()

    def _drain(self, target: BinaryIO) -> None:
        while True:
            data = self._chunks.get()
            if data is None:
                return
            if self._error is None:
                try:
                    target.write(data)
                except BaseException as error:  # raised in the writer at its next call
                    self._error = error

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def write(self, data: bytes) -> None:
        self._raise_error()
        if data:
            self._chunks.put(data)

    def close(self) -> None:
        self._chunks.put(None)
        self._thread.join()
        self._raise_error()

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self.close()
        else:  # the caller failed: stop the thread, keep the caller's error
            self._chunks.put(None)
            self._thread.join()
