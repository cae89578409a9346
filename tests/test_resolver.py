"""Short links against a local fake shortener: hops, limits, hostile redirects, retries, cache."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from map_converter.cache import ResolvedLinkCache
from map_converter.convert import convert_table
from map_converter.resolver import ResolverSettings, ShortLinkResolver
from map_converter.results import RowStatus as Status
from map_converter.safety import HostPolicy, UnsafeURLError, check_url, is_public_address
from map_converter.tables import read_table
from tests.conftest import write_xlsx
from tests.fake_shortener import Route

PLACE = "https://www.google.com/maps/place/Spot/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d10.5!4d20.25"


def make_resolver(shortener, tmp_path=None, **limits) -> ShortLinkResolver:
    policy = HostPolicy(frozenset({shortener.host}), allow_private_networks=True)
    cache = ResolvedLinkCache(tmp_path / "cache.sqlite3") if tmp_path else None
    settings = ResolverSettings(policy=policy, first_retry_wait_seconds=0.05, **limits)
    return ShortLinkResolver(settings, cache)


def test_one_hop(shortener):
    shortener.routes["/a"] = Route(location=PLACE)
    reading = make_resolver(shortener).resolve(shortener.url("/a"))
    assert (reading.location.lat, reading.location.lng, reading.location.method) == (
        10.5,
        20.25,
        "pin",
    )
    assert shortener.hits == ["/a"]


def test_three_hop_chain_stops_at_first_coordinates(shortener):
    shortener.routes["/1"] = Route(location=shortener.url("/2"))
    shortener.routes["/2"] = Route(location=shortener.url("/3"))
    shortener.routes["/3"] = Route(location="https://maps.google.com/?q=5.5,6.5")
    reading = make_resolver(shortener).resolve(shortener.url("/1"))
    assert (reading.location.lat, reading.location.lng) == (5.5, 6.5)
    assert shortener.hits == ["/1", "/2", "/3"]


def test_loop_and_too_many_hops(shortener):
    shortener.routes["/x"] = Route(location=shortener.url("/y"))
    shortener.routes["/y"] = Route(location=shortener.url("/x"))
    assert make_resolver(shortener).resolve(shortener.url("/x")).reason == "redirect loop"
    for number in range(10):
        shortener.routes[f"/h{number}"] = Route(location=shortener.url(f"/h{number + 1}"))
    reading = make_resolver(shortener).resolve(shortener.url("/h0"))
    assert reading.reason == "too many redirects"
    assert shortener.hits_for("/h6") == 0  # five hops after the first, then stop


def test_slow_drip_and_silent_servers_fail_within_the_deadline(shortener):
    shortener.routes["/drip"] = Route(status=200, body=b"x", drip_seconds=0.3)
    shortener.routes["/silent"] = Route(silent=True)
    shortener.routes["/ok"] = Route(location=PLACE)
    resolver = make_resolver(shortener, deadline_seconds=2.0, read_timeout_seconds=1.5)
    results = {}
    resolver.resolve_many(
        [shortener.url("/drip"), shortener.url("/silent"), shortener.url("/ok")],
        lambda link, reading: results.__setitem__(link, reading),
    )
    assert results[shortener.url("/drip")].reason == "timed out"
    assert results[shortener.url("/silent")].reason == "timed out"
    assert results[shortener.url("/ok")].location is not None


def test_endless_body_is_capped(shortener):
    shortener.routes["/endless"] = Route(status=200, endless=True)
    reading = make_resolver(shortener).resolve(shortener.url("/endless"))
    assert reading.reason == "no coordinates in the link or its page"


def test_gzip_bomb_is_capped(shortener):
    shortener.routes["/bomb"] = Route(status=200, body=b"\x00" * 50_000_000, gzip_body=True)
    reading = make_resolver(shortener).resolve(shortener.url("/bomb"))
    assert reading.location is None


def test_429_with_retry_after_then_success(shortener):
    shortener.routes["/busy"] = Route(
        location=PLACE, first_statuses=[429], headers={"Retry-After": "1"}
    )
    started = time.monotonic()
    reading = make_resolver(shortener).resolve(shortener.url("/busy"))
    assert reading.location is not None
    assert time.monotonic() - started >= 0.9
    assert shortener.hits_for("/busy") == 2


def test_503_then_success(shortener):
    shortener.routes["/flaky"] = Route(location=PLACE, first_statuses=[503])
    assert make_resolver(shortener).resolve(shortener.url("/flaky")).location is not None


def test_host_that_keeps_answering_429_is_paused(shortener):
    shortener.default_route = Route(status=429, headers={"Retry-After": "0"})
    links = [shortener.url(f"/r{number}") for number in range(30)]
    results = {}
    resolver = make_resolver(shortener, concurrency=2, per_host_concurrency=2)
    resolver.resolve_many(links, lambda link, reading: results.__setitem__(link, reading))
    assert all(
        reading.reason == "rate limited by 127.0.0.1, try again later"
        for reading in results.values()
    )
    assert len(shortener.hits) < 30  # the paused host's remaining links were not requested


def test_404_expired(shortener):
    reading = make_resolver(shortener).resolve(shortener.url("/nothing"))
    assert reading.reason == "short link expired or not found (404)"


def test_consent_page_is_read_through_continue(shortener):
    shortener.routes["/c"] = Route(
        location="https://consent.google.com/ml?continue=https://www.google.com/maps/place/X/data%3D!3d1.25!4d2.5&gl=DE"
    )
    reading = make_resolver(shortener).resolve(shortener.url("/c"))
    assert (reading.location.lat, reading.location.lng) == (1.25, 2.5)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda url: f"https://www.google.com/url?q={url}&sa=D&source=editors",
        lambda url: (
            f"https://nam02.safelinks.protection.outlook.com/?url={quote(url, safe='')}&data=x"
        ),
        lambda url: f"https://l.facebook.com/l.php?u={quote(url, safe='')}&h=AT0",
    ],
)
def test_a_wrapped_short_link_is_followed_from_the_link_inside(shortener, wrap):
    shortener.routes["/w"] = Route(location=PLACE)
    resolver = make_resolver(shortener)
    cell = wrap(shortener.url("/w"))
    assert resolver.handles(cell)
    reading = resolver.resolve(cell)
    assert reading.location is not None, reading.reason
    assert (reading.location.lat, reading.location.lng) == (10.5, 20.25)
    assert shortener.hits == ["/w"]


def test_page_fallbacks(shortener):
    og_page = (
        b'<html><head><meta content="https://maps.google.com/maps/api/staticmap?center=48.8583701%2C2.2944813'
        b'&amp;zoom=16&amp;markers=48.8583701%2C2.2944813" property="og:image"></head></html>'
    )
    state_page = b"<script>window.APP_INITIALIZATION_STATE=[[[2000.5,-74.0445004,40.6892494],[0,0,0]]];</script>"
    apple_page = (
        b'<meta property="place:location:latitude" content="37.3349">'
        b'<meta property="place:location:longitude" content="-122.00902">'
    )
    default_view_page = (
        b"<script>window.APP_INITIALIZATION_STATE=[[[9000.1,-0.1,51.5],[0,0,0]]];</script>"
    )
    shortener.routes["/og"] = Route(
        location=shortener.url("/maps/place/Eiffel/data=!4m2!3m1!1s0x1:0x2")
    )
    shortener.routes["/maps/place/Eiffel/data=!4m2!3m1!1s0x1:0x2"] = Route(status=200, body=og_page)
    shortener.routes["/state"] = Route(location=shortener.url("/maps?ftid=0x1:0x2"))
    shortener.routes["/maps?ftid=0x1:0x2"] = Route(status=200, body=state_page, gzip_body=True)
    shortener.routes["/apple"] = Route(status=200, body=apple_page)
    shortener.routes["/default"] = Route(location=shortener.url("/maps/@"))
    shortener.routes["/maps/@"] = Route(status=200, body=default_view_page)
    resolver = make_resolver(shortener)
    og = resolver.resolve(shortener.url("/og")).location
    assert (og.lat, og.lng, og.method) == (48.8583701, 2.2944813, "page-og-image")
    state = resolver.resolve(shortener.url("/state")).location
    assert (state.lat, state.lng, state.method) == (40.6892494, -74.0445004, "page-app-state")
    apple = resolver.resolve(shortener.url("/apple")).location
    assert (apple.lat, apple.lng, apple.method) == (37.3349, -122.00902, "page-meta")
    # A page without a place is centred on the visitor's IP location: not an answer.
    assert resolver.resolve(shortener.url("/default")).location is None


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://[::ffff:127.0.0.1]/",
        "http://127.1/",
        "https://evil.example/maps/@1,2,3z",
        "https://maps.app.goo.gl.evil.example/x",
        "https://user@maps.app.goo.gl/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_hostile_redirects_are_never_requested(shortener, socket_guard, target):
    shortener.routes["/evil"] = Route(location=target)
    reading = make_resolver(shortener).resolve(shortener.url("/evil"))
    assert reading.location is None
    assert reading.reason in (
        "redirected to a host that is not a map service",
        "redirected to a link that is not a web address",
    )
    assert shortener.hits == ["/evil"]
    assert all(
        address[0] == "127.0.0.1" and address[1] == shortener.port for address in socket_guard
    )


def test_loopback_shortener_needs_explicit_permission(shortener, socket_guard):
    shortener.routes["/a"] = Route(location=PLACE)
    policy = HostPolicy(frozenset({shortener.host}), allow_private_networks=False)
    reading = ShortLinkResolver(ResolverSettings(policy=policy)).resolve(shortener.url("/a"))
    assert reading.reason == "link leads to a private network address"
    assert shortener.hits == []
    assert socket_guard == []


def test_allowlist_is_exact():
    policy = HostPolicy()
    assert check_url("https://maps.app.goo.gl/abc", policy, True).host == "maps.app.goo.gl"
    assert check_url("https://MAPS.APP.GOO.GL./abc", policy, True)
    for url in (
        "https://maps.app.goo.gl:8443/abc",
        "https://xmaps.app.goo.gl/abc",
        "https://goo.gl/notmaps",
        "https://www.google.com/maps/place/x",  # not a shortener: never a first hop
        "http://127.0.0.1/",
    ):
        with pytest.raises(UnsafeURLError):
            check_url(url, policy, True)
    assert check_url("https://www.google.co.uk/maps/place/x", policy, False)
    with pytest.raises(UnsafeURLError):
        check_url("https://www.google.com/search?q=x", policy, False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::808:808", True),
        ("2002:7f00:1::", False),
        ("ff02::1", False),
    ],
)
def test_public_address_check(address, public):
    assert is_public_address(address) is public


def test_fifty_copies_one_request_and_second_run_zero(shortener, tmp_path):
    shortener.routes["/same"] = Route(location=PLACE)
    for number in range(5):
        shortener.routes[f"/d{number}"] = Route(
            location=f"https://maps.google.com/?q={number}.5,1.5"
        )
    rows = (
        [["Link"]] + [[shortener.url("/same")]] * 50 + [[shortener.url(f"/d{n}")] for n in range(5)]
    )
    table = read_table(write_xlsx(tmp_path / "s.xlsx", rows))
    resolver = make_resolver(shortener, tmp_path)
    first = convert_table(table, resolver=resolver)
    assert all(result.status is Status.OK for result in first.results)
    assert shortener.hits_for("/same") == 1
    assert len(shortener.hits) == 6
    second_resolver = make_resolver(shortener, tmp_path)  # a new process would look the same
    second = convert_table(table, resolver=second_resolver)
    assert len(shortener.hits) == 6
    assert second_resolver.upstream_requests == 0
    assert [r.lat for r in second.results] == [r.lat for r in first.results]


def test_without_resolver_short_links_fail_with_a_reason(tmp_path):
    table = read_table(write_xlsx(tmp_path / "s.xlsx", [["Link"], ["https://maps.app.goo.gl/abc"]]))
    result = convert_table(table).results[0]
    assert (result.status, result.note) == (Status.FAILED, "short link not resolved")


def test_default_limits_are_the_documented_ones():
    settings = ResolverSettings()
    assert (settings.connect_timeout_seconds, settings.read_timeout_seconds) == (3.0, 5.0)
    assert settings.deadline_seconds == 10.0
    assert settings.max_hops == 5
    assert settings.max_body_bytes == 512 * 1024
    assert settings.max_retry_wait_seconds == 30.0
    assert (settings.concurrency, settings.per_host_concurrency) == (16, 8)


def test_retry_after_is_capped(shortener):
    shortener.routes["/later"] = Route(
        location=PLACE, first_statuses=[429], headers={"Retry-After": "3600"}
    )
    reading = make_resolver(shortener, max_retry_wait_seconds=0.5).resolve(shortener.url("/later"))
    assert reading.location is not None


def test_a_retry_after_beyond_the_link_deadline_fails_the_link_at_once(shortener):
    shortener.routes["/much-later"] = Route(
        location=PLACE, first_statuses=[429], headers={"Retry-After": "86400"}
    )
    reading = make_resolver(shortener).resolve(shortener.url("/much-later"))
    assert reading.reason == "rate limited by 127.0.0.1, try again later"
    assert shortener.hits_for("/much-later") == 1  # no waiting out the deadline, no second try


def test_every_odd_link_fails_only_itself(shortener):
    links = [
        "https://maps.app.goo.gl:99999/abc",
        "https://maps.app.goo.gl:abc/x",
        "https://maps.app.goo.gl:-1/x",
        "https://[::1/x",
        shortener.url("/ok"),
    ]
    shortener.routes["/ok"] = Route(location=PLACE)
    results = {}
    make_resolver(shortener).resolve_many(
        links, lambda link, reading: results.__setitem__(link, reading)
    )
    assert len(results) == 5
    assert results[shortener.url("/ok")].location is not None
    assert all(results[link].reason == "malformed link" for link in links[:3])


def test_total_deadline_fails_the_rest_as_timed_out(shortener):
    shortener.default_route = Route(location=PLACE, delay_seconds=2.0)
    links = [shortener.url(f"/t{n}") for n in range(4)]
    results = {}
    make_resolver(shortener, concurrency=1, total_deadline_seconds=1.0).resolve_many(
        links, lambda link, reading: results.__setitem__(link, reading)
    )
    assert len(results) == 4
    assert all(reading.reason == "timed out" for reading in results.values())


def test_host_names_are_checked_after_dns_resolution(shortener, socket_guard):
    # "localhost" is not an IP literal: only the DNS answer shows it is loopback.
    shortener.routes["/a"] = Route(location=PLACE)
    link = f"http://localhost:{shortener.port}/a"
    blocked = ShortLinkResolver(
        ResolverSettings(policy=HostPolicy(frozenset({f"localhost:{shortener.port}"}), False))
    ).resolve(link)
    assert blocked.reason == "link leads to a private network address"
    assert shortener.hits == []
    assert socket_guard == []
    allowed = ShortLinkResolver(
        ResolverSettings(policy=HostPolicy(frozenset({f"localhost:{shortener.port}"}), True))
    ).resolve(link)
    assert allowed.location is not None
    assert shortener.hits == ["/a"]


@pytest.mark.parametrize("damage", ["random", "truncated", "stray-wal"])
def test_a_damaged_cache_is_set_aside_and_rebuilt(shortener, tmp_path, damage):
    shortener.routes["/a"] = Route(location=PLACE)
    path = tmp_path / "cache.sqlite3"
    make_resolver(shortener, tmp_path).resolve(shortener.url("/a"))  # a real cache file
    if damage == "random":
        path.write_bytes(bytes(range(256)) * 64)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        Path(str(path) + "-wal").write_bytes(b"\x00garbage" * 1000)
    resolver = make_resolver(shortener, tmp_path)  # starts fine
    reading = resolver.resolve(shortener.url("/a"))
    assert reading.location is not None
    again = make_resolver(shortener, tmp_path)
    assert again.resolve(shortener.url("/a")).location is not None
    assert again.upstream_requests == 0  # the new cache works


def test_a_cache_damaged_during_a_job_costs_only_the_cache(shortener, tmp_path):
    shortener.routes["/a"] = Route(location=PLACE)
    shortener.routes["/b"] = Route(location=PLACE)
    resolver = make_resolver(shortener, tmp_path)
    assert resolver.resolve(shortener.url("/a")).location is not None
    (tmp_path / "cache.sqlite3").write_bytes(b"not a database" * 500)
    results = {}
    resolver.resolve_many(
        [shortener.url("/a"), shortener.url("/b")],
        lambda link, reading: results.__setitem__(link, reading),
    )
    assert all(reading.location is not None for reading in results.values())


def test_private_networks_are_allowed_only_for_the_configured_hosts():
    import asyncio

    from map_converter.resolver import BlockedAddressError, _CheckedResolver

    class LoopbackDns:
        async def resolve(self, host, port=0, family=0):
            return [
                {
                    "hostname": host,
                    "host": "127.0.0.1",
                    "port": port,
                    "family": 2,
                    "proto": 0,
                    "flags": 0,
                }
            ]

        async def close(self):
            return None

    async def answer(policy: HostPolicy, host: str):
        checked = _CheckedResolver(policy)
        await checked._inner.close()
        checked._inner = LoopbackDns()
        return await checked.resolve(host, 443)

    policy = HostPolicy(frozenset({"tiles.example:443"}), allow_private_networks=True)
    with pytest.raises(BlockedAddressError):  # a hosts-file entry pointing a shortener inward
        asyncio.run(answer(policy, "maps.app.goo.gl"))
    assert asyncio.run(answer(policy, "tiles.example"))[0]["host"] == "127.0.0.1"


def test_answers_reach_the_cache_while_slower_links_are_still_out(shortener, tmp_path):
    """A run that dies mid-way (a killed worker) keeps what it learnt: the next run asks nothing
    again for the links already answered."""
    shortener.routes["/fast"] = Route(location="https://maps.google.com/?q=1.5,2.5")
    shortener.routes["/slow"] = Route(
        location="https://maps.google.com/?q=3.5,4.5", delay_seconds=4
    )
    resolver = make_resolver(shortener, tmp_path)
    worker = threading.Thread(
        target=resolver.resolve_many,
        args=([shortener.url("/fast"), shortener.url("/slow")], lambda *_: None),
    )
    worker.start()
    cache = ResolvedLinkCache(tmp_path / "cache.sqlite3")
    deadline = time.monotonic() + 60
    found = {}
    while time.monotonic() < deadline and not found and worker.is_alive():
        found = cache.get_many([shortener.url("/fast")])
        time.sleep(0.05)
    slow_was_out = worker.is_alive()
    worker.join()
    assert slow_was_out, "the slow link answered before the fast one was stored; slow it down"
    assert found[shortener.url("/fast")].location[:2] == (1.5, 2.5)


def test_a_shutdown_signal_while_links_resolve_stops_the_run_not_one_link(shortener, monkeypatch):
    """SIGTERM's handler raises JobInterruptedError wherever the job is, often inside a link's
    resolution: it must end the run (recorded 'interrupted'), never become that link's failure."""
    from map_converter.jobs import JobInterruptedError

    async def interrupted(self, session, link):
        raise JobInterruptedError("signal SIGTERM")

    monkeypatch.setattr(ShortLinkResolver, "_resolve_with_retries", interrupted)
    answers = []
    with pytest.raises(JobInterruptedError):
        make_resolver(shortener).resolve_many(
            [shortener.url("/a")], lambda link, reading: answers.append(reading)
        )
    assert answers == []
