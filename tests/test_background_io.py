"""Reading ahead and writing behind in threads: the same bytes, errors raised in the caller."""

from __future__ import annotations

import io
import threading

import pytest

from map_converter.background_io import ReadAhead, WriteBehind


def test_read_ahead_gives_the_stream_in_any_sizes():
    data = bytes(range(256)) * 1000
    with ReadAhead(io.BytesIO(data), chunk_bytes=1000) as reader:
        pieces = [reader.read(size) for size in (1, 4095, 7, 100_000, 300_000)]
        assert reader.read(10) == b""
    assert b"".join(pieces) == data


def test_read_ahead_raises_the_sources_error_in_the_reader():
    class Failing(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= 3000:
                raise OSError("disk gone")
            return super().read(size)

    with ReadAhead(Failing(b"x" * 10_000), chunk_bytes=1000) as reader:
        assert reader.read(2000) == b"x" * 2000
        with pytest.raises(OSError, match="disk gone"):
            reader.read(5000)


def test_read_ahead_stops_its_thread_when_closed_early():
    before = threading.active_count()
    with ReadAhead(io.BytesIO(b"y" * 1_000_000), chunk_bytes=10) as reader:
        reader.read(5)  # the thread is now blocked on a full queue
    assert threading.active_count() == before


def test_write_behind_writes_everything_in_order_by_close():
    target = io.BytesIO()
    with WriteBehind(target) as writer:
        for number in range(1000):
            writer.write(b"%d," % number)
    assert target.getvalue() == b"".join(b"%d," % number for number in range(1000))


def test_write_behind_raises_the_targets_error_in_the_writer():
    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(28, "No space left on device")

    writer = WriteBehind(Full())
    writer.write(b"a")
    with pytest.raises(OSError, match="No space"):
        for _ in range(100):  # the error arrives at a later call, at the latest at close
            writer.write(b"b")
        writer.close()


def test_write_behind_keeps_the_callers_error_and_stops_its_thread():
    before = threading.active_count()
    with pytest.raises(ValueError, match="ours"), WriteBehind(io.BytesIO()) as writer:
        writer.write(b"a")
        raise ValueError("ours")
    assert threading.active_count() == before
