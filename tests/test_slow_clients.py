"""The shipped gunicorn config against slow and greedy clients, all on 127.0.0.1, bounded.

Slow clients trickle a request one byte at a time; /health must still answer (with a generous
client timeout: if the threads were all held, it would wait until the trickling stops and fail).
"""

from __future__ import annotations

import pytest
import requests

from tests.servers import TRICKLE_SECONDS, running_gunicorn, running_nginx, trickling_clients

SLOW_CLIENTS = 64


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory):
    """gunicorn with gunicorn.conf.py as shipped (2 workers), on loopback."""
    settings = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": None}
    with running_gunicorn(tmp_path_factory.mktemp("slow-clients"), settings) as server:
        yield server


def assert_health_answers_while_clients_trickle(base_url: str, port: int, clients: int) -> None:
    with trickling_clients(port, clients) as opened:
        assert opened == clients
        for _ in range(5):
            response = requests.get(f"{base_url}/health", timeout=TRICKLE_SECONDS / 2)
            assert response.status_code == 200


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
