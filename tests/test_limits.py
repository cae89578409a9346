"""Per-client upload limits, the free-space guard and the cap on waiting requests."""

from __future__ import annotations

import io

from flask_app import create_app
from web.limits import UploadRateLimiter, WaitingRequests, client_address

CSV = b'Link\n"40.7, -74.0"\n'


def upload(client, headers=None, content=CSV):
    return client.post(
        "/upload", data={"file": (io.BytesIO(content), "p.csv")}, headers=headers or {}
    )


def make_app(tmp_path, **config):
    return create_app({"DATA_DIR": str(tmp_path), "SWEEP_INTERVAL_SECONDS": 0, **config})


def test_a_flood_from_one_address_gets_429_with_retry_after(tmp_path):
    client = make_app(tmp_path, UPLOADS_PER_MINUTE=3).test_client()
    statuses = [upload(client).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    refused = upload(client)
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_forwarded_for_is_believed_only_from_our_proxy(tmp_path):
    untrusted = make_app(tmp_path / "a", UPLOADS_PER_MINUTE=1).test_client()
    assert upload(untrusted, {"X-Forwarded-For": "203.0.113.1"}).status_code == 201
    assert upload(untrusted, {"X-Forwarded-For": "203.0.113.2"}).status_code == 429
    behind_proxy = make_app(tmp_path / "b", UPLOADS_PER_MINUTE=1, TRUSTED_PROXIES="127.0.0.1")
    client = behind_proxy.test_client()
    assert upload(client, {"X-Forwarded-For": "203.0.113.1"}).status_code == 201
    assert upload(client, {"X-Forwarded-For": "203.0.113.2"}).status_code == 201
    assert upload(client, {"X-Forwarded-For": "203.0.113.1"}).status_code == 429


def test_the_limiter_counts_bytes_per_hour_by_the_clock(tmp_path):
    now = [1000.0]
    limiter = UploadRateLimiter(tmp_path / "r.sqlite3", 100, 1000, clock=lambda: now[0])
    limiter.check("a", 600)
    try:
        limiter.check("a", 600)
        raise AssertionError("the second 600 bytes should be over the hour's 1000")
    except Exception as error:  # noqa: BLE001 (checking the ApiError's fields)
        assert error.status == 429
    now[0] += 3601
    limiter.check("a", 600)  # an hour later the window is empty again


def test_client_address_takes_the_last_hop_our_proxies_did_not_add():
    trusted = frozenset({"10.0.0.1", "10.0.0.2"})
    assert client_address("10.0.0.1", "198.51.100.7, 10.0.0.2", trusted) == "198.51.100.7"
    assert client_address("192.0.2.9", "198.51.100.7", trusted) == "192.0.2.9"
    assert client_address("10.0.0.1", None, trusted) == "10.0.0.1"


def test_uploads_are_refused_with_507_when_the_disk_is_nearly_full(tmp_path):
    client = make_app(tmp_path, MIN_FREE_BYTES=10**18).test_client()
    response = upload(client)
    assert response.status_code == 507
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    assert [path.name for path in (tmp_path / "uploads").iterdir()] == []
    health = client.get("/health")
    assert health.status_code == 503


def test_waiting_requests_are_capped():
    waiting = WaitingRequests(2)
    assert waiting.try_enter()
    assert waiting.try_enter()
    assert not waiting.try_enter()
    waiting.leave()
    assert waiting.try_enter()
