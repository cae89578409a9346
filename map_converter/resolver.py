"""Following short links safely: allowlisted hosts, public addresses, hard deadlines, a cache."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from .cache import ResolvedLinkCache
from .links import LinkReading, innermost_link, read_link
from .pages import find_page_location
from .providers import provider_for_host
from .safety import HostPolicy, UnsafeURLError, check_url, is_public_address

logger = logging.getLogger(__name__)

DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 503}
CACHE_STORE_INTERVAL_SECONDS = 0.5
# Failures that will not change on a retry today; cached for a day so a re-run stays offline.
LASTING_FAILURES = ("short link expired", "redirected to", "no coordinates", "redirect loop")


@dataclass(frozen=True)
class ResolverSettings:
    """Limits of the resolver; every value has a unit in its name."""

    policy: HostPolicy = field(default_factory=HostPolicy)
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 5.0
    deadline_seconds: float = 10.0
    max_hops: int = 5
    max_body_bytes: int = 512 * 1024
    concurrency: int = 16
    per_host_concurrency: int = 8
    max_retries: int = 2
    max_retry_wait_seconds: float = 30.0
    first_retry_wait_seconds: float = 0.5
    total_deadline_seconds: float | None = None  # for callers that must answer in one request


class BlockedAddressError(OSError):
    """A host name resolved to an address we must not connect to."""


class _RetryableStatus(Exception):
    def __init__(self, status: int, host: str, retry_after_seconds: float | None):
        super().__init__(status)
        self.status, self.host, self.retry_after_seconds = status, host, retry_after_seconds


class _CheckedResolver(AbstractResolver):
    """DNS answers are checked here and then used as they are: no rebinding gap."""

    def __init__(self, policy: HostPolicy):
        self._policy = policy
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        answers = await self._inner.resolve(host, port, family)
        # Private addresses are allowed only for the hosts named in the settings, never for the
        # built-in shorteners (a hosts-file entry must not turn maps.app.goo.gl inward).
        if not self._policy.allows_private_address(host, port):
            for answer in answers:
                if not is_public_address(answer["host"]):
                    raise BlockedAddressError(f"{host} resolves to a non-public address")
        return answers

    async def close(self) -> None:
        await self._inner.close()


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _absolute(link: str) -> str:
    """The link as a URL with a scheme (people paste 'maps.app.goo.gl/abc')."""
    url = innermost_link(link)
    return url if "://" in url[:12] else "https://" + url


def _failure(reason: str) -> LinkReading:
    return LinkReading(None, reason, True)


class ShortLinkResolver:
    """Resolves many short links at once with bounded concurrency; see ResolverSettings."""

    def __init__(
        self,
        settings: ResolverSettings | None = None,
        cache: ResolvedLinkCache | None = None,
    ):
        self.settings = settings or ResolverSettings()
        self.cache = cache
        self.upstream_requests = 0
        self._paused_hosts: set[str] = set()
        self._last_retry_reason = ""

    # --- public ---------------------------------------------------------------------------

    def handles(self, link: str) -> bool:
        """True for short links: built-in shorteners and the configured extra hosts."""
        if read_link(link).is_short_link:
            return True
        if not self.settings.policy.extra_hosts:
            return False
        try:
            check_url(_absolute(link), self.settings.policy, is_first_hop=True)
        except (UnsafeURLError, ValueError):
            return False
        return True

    def resolve_many(
        self, links: Iterable[str], on_result: Callable[[str, LinkReading], None]
    ) -> None:
        """Call on_result(link, reading) once for every distinct link."""
        unique_links = list(dict.fromkeys(links))
        cached = self.cache.get_many(unique_links) if self.cache else {}
        for link, reading in cached.items():
            on_result(link, reading)
        remaining = [link for link in unique_links if link not in cached]
        if remaining:
            asyncio.run(self._resolve_all(remaining, on_result))

    def resolve(self, link: str) -> LinkReading:
        """One link (convenience for callers outside a job)."""
        found: dict[str, LinkReading] = {}
        self.resolve_many([link], lambda key, reading: found.__setitem__(key, reading))
        return found[link]

    # --- the event loop side --------------------------------------------------------------

    async def _resolve_all(self, links: list[str], on_result) -> None:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            limit=settings.concurrency,
            limit_per_host=settings.per_host_concurrency,
            resolver=_CheckedResolver(settings.policy),
            ttl_dns_cache=60,
        )
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.connect_timeout_seconds,
            sock_read=settings.read_timeout_seconds,
        )
        semaphore = asyncio.Semaphore(settings.concurrency)
        to_cache: dict[str, LinkReading] = {}
        answered: set[str] = set()
        async with aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            auto_decompress=False,  # we decompress ourselves, with an output cap
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,  # a proxy would connect to addresses we never checked
            headers={
                "User-Agent": DESKTOP_USER_AGENT,
                "Accept-Language": "en",
                "Accept-Encoding": "gzip, deflate",
            },
        ) as session:

            async def run_one(link: str) -> None:
                async with semaphore:
                    try:
                        reading = await self._resolve_with_retries(session, link)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # whatever a link does, it fails that link only
                        logger.exception("short link %r failed unexpectedly", link[:200])
                        reading = _failure("this short link could not be followed")
                on_result(link, reading)
                answered.add(link)
                if reading.location is not None or reading.reason.startswith(LASTING_FAILURES):
                    to_cache[link] = reading

            async def store_every(interval_seconds: float) -> None:
                while True:
                    await asyncio.sleep(interval_seconds)
                    self._store(to_cache)

            # Answers reach the cache while the run goes on: a run that dies (a killed worker)
            # keeps what it learnt, and the next run does not ask again.
            storer = asyncio.create_task(store_every(CACHE_STORE_INTERVAL_SECONDS))
            try:
                async with asyncio.timeout(settings.total_deadline_seconds):
                    await asyncio.gather(*(run_one(link) for link in links))
            except TimeoutError:
                for link in links:
                    if link not in answered:
                        on_result(link, _failure("timed out"))
            finally:
                storer.cancel()
        self._store(to_cache)

    def _store(self, readings: dict[str, LinkReading]) -> None:
        """Put the readings gathered so far into the cache, and forget them here."""
        if self.cache and readings:
            batch = dict(readings)
            readings.clear()
            self.cache.put_many(batch)

    async def _resolve_with_retries(self, session, link: str) -> LinkReading:
        """One link within its deadline, retries and their waits included."""
        settings = self.settings
        try:
            host = URL(_absolute(link)).host or ""
        except (ValueError, TypeError):
            return _failure("malformed link")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.deadline_seconds
        try:
            async with asyncio.timeout_at(deadline):
                for attempt in range(settings.max_retries + 1):
                    if host in self._paused_hosts:
                        return _failure(f"rate limited by {host}, try again later")
                    failure, wait_seconds = await self._attempt(session, link, attempt)
                    if failure is not None:
                        return failure
                    if wait_seconds > deadline - loop.time():
                        break  # the server asks for longer than this link has left
                    await asyncio.sleep(wait_seconds)
        except TimeoutError:  # the deadline, or a socket timeout (aiohttp's are subclasses)
            return _failure("timed out")
        return _failure(self._last_retry_reason or "the short-link service did not answer properly")

    async def _attempt(self, session, link: str, attempt: int) -> tuple[LinkReading | None, float]:
        """(the reading, or None to retry after the given seconds)."""
        settings = self.settings
        try:
            return await self._follow(session, link), 0.0
        except (
            TimeoutError
        ):  # a socket timeout (aiohttp's are subclasses): the same as the deadline
            return _failure("timed out"), 0.0
        except _FinalStatus as final:
            return _failure(str(final)), 0.0
        except _RetryableStatus as status:
            if status.status == 429:
                self._last_retry_reason = f"rate limited by {status.host}, try again later"
            else:
                self._last_retry_reason = (
                    f"{status.host} is unavailable ({status.status}), try again later"
                )
            if attempt == settings.max_retries:
                if status.status == 429:
                    self._paused_hosts.add(status.host)
                return _failure(self._last_retry_reason), 0.0
            wait_seconds = status.retry_after_seconds
            if wait_seconds is None:
                wait_seconds = settings.first_retry_wait_seconds * 2**attempt
            return None, min(wait_seconds, settings.max_retry_wait_seconds)
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, BlockedAddressError):
                return _failure("link leads to a private network address"), 0.0
            return _failure(f"could not connect to {error.host}"), 0.0
        except (aiohttp.ClientError, OSError, ValueError) as error:
            logger.info("short link %s failed: %s", link, error)
            return _failure("the short-link service did not answer properly"), 0.0

    async def _follow(self, session, link: str) -> LinkReading:
        """Follow redirects one hop at a time, stopping at the first hop with coordinates."""
        url = _absolute(link)
        seen: set[str] = set()
        for hop in range(self.settings.max_hops + 1):
            if url in seen:
                return _failure("redirect loop")
            seen.add(url)
            try:
                checked = check_url(url, self.settings.policy, is_first_hop=hop == 0)
            except UnsafeURLError as error:
                return _failure(str(error))
            next_url, page = await self._request(session, checked)
            if next_url is None:
                if page is None:
                    return _failure("no coordinates in the link or its page")
                location = find_page_location(str(checked), page, _provider(checked.host))
                if location is None:
                    return _failure("no coordinates in the link or its page")
                return LinkReading(location, "", True)
            reading = read_link(next_url)
            if reading.location is not None:
                return LinkReading(reading.location, "", True)
            next_parsed = URL(next_url)
            if next_parsed.host == "consent.google.com" and next_parsed.query.get("continue"):
                next_url = next_parsed.query["continue"]  # the consent page wraps the real URL
                reading = read_link(next_url)
                if reading.location is not None:
                    return LinkReading(reading.location, "", True)
            url = next_url
        return _failure("too many redirects")

    async def _request(self, session, url: URL) -> tuple[str | None, str | None]:
        """One GET: (redirect target, None), or (None, page text), or raises."""
        if url.host in self._paused_hosts:
            raise _FinalStatus(f"rate limited by {url.host}, try again later")
        self.upstream_requests += 1
        async with session.get(url, allow_redirects=False) as response:
            status = response.status
            host = url.host or ""
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    return None, None
                return str(url.join(URL(location, encoded="%" in location))), None
            if status in RETRY_STATUSES:
                raise _RetryableStatus(
                    status, host, _retry_after_seconds(response.headers.get("Retry-After"))
                )
            if status in (404, 410):
                raise _FinalStatus(f"short link expired or not found ({status})")
            if status != 200:
                raise _FinalStatus(f"the short-link service answered {status}")
            body = await self._read_body(response)
            return None, body.decode(response.charset or "utf-8", errors="replace")

    async def _read_body(self, response) -> bytes:
        """At most max_body_bytes of the decoded body; compressed input is bounded too."""
        limit = self.settings.max_body_bytes
        encoding = response.headers.get("Content-Encoding", "").lower().strip()
        decompressor = None
        if encoding == "gzip":
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decompressor = zlib.decompressobj()
        body = bytearray()
        raw_bytes = 0
        async for chunk in response.content.iter_chunked(65536):
            raw_bytes += len(chunk)
            if decompressor is not None:
                body += decompressor.decompress(chunk, limit - len(body))  # output capped
            else:
                body += chunk
            if len(body) >= limit or raw_bytes >= 4 * limit:
                break
        return bytes(body[:limit])


class _FinalStatus(Exception):
    """An HTTP answer that ends the link with a reason."""


def _provider(host: str | None) -> str:
    """The provider whose page this is (pages.py reads each provider's pages its own way)."""
    provider = provider_for_host(host or "")
    return provider.name if provider else "google"
