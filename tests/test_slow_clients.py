"""The shipped gunicorn config against slow and greedy clients, all on 127.0.0.1, bounded.

Slow clients trickle a request one byte at a time; /health must still answer (with a generous
client timeout: if the threads were all held, it would wait until the trickling stops and fail).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.servers import running_gunicorn, running_nginx

SLOW_CLIENTS = 64
TRICKLE_SECONDS = 40  # longer than every /health call below may take


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory):
    """gunicorn with gunicorn.conf.py as shipped (2 workers), on loopback."""
    settings = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": None}
    with running_gunicorn(tmp_path_factory.mktemp("slow-clients"), settings) as server:
        yield server


def trickle(port: int, stop: threading.Event, opened: list) -> None:
    """Open a connection and send a request's bytes one per second until told to stop."""
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            opened.append(1)
            deadline = time.monotonic() + TRICKLE_SECONDS
            for byte in request:
                if stop.is_set() or time.monotonic() > deadline:
                    return
                connection.sendall(bytes([byte]))
                stop.wait(1.0)
    except OSError:
        return


def assert_health_answers_while_clients_trickle(base_url: str, port: int, clients: int) -> None:
    stop = threading.Event()
    opened: list = []
    threads = [
        threading.Thread(target=trickle, args=(port, stop, opened), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(opened) < clients and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(opened) == clients
        time.sleep(2)  # every slow client has sent bytes and holds what it can
        for _ in range(5):
            response = requests.get(f"{base_url}/health", timeout=TRICKLE_SECONDS / 2)
            assert response.status_code == 200
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def test_health_answers_while_64_clients_trickle_their_requests(shipped_server):
    base_url, port = shipped_server
    assert_health_answers_while_clients_trickle(base_url, port, SLOW_CLIENTS)


PROXY_SLOW_CLIENTS = 200


@pytest.fixture(scope="module")
def proxied_server(shipped_server, tmp_path_factory):
    """Debian's nginx with deploy/nginx.conf (the Docker topology's proxy) in front of gunicorn."""
    _base_url, gunicorn_port = shipped_server
    with running_nginx(tmp_path_factory.mktemp("nginx"), gunicorn_port) as server:
        yield server


def test_the_buffering_proxy_holds_200_trickling_clients(proxied_server):
    base_url, port = proxied_server
    assert_health_answers_while_clients_trickle(base_url, port, PROXY_SLOW_CLIENTS)
