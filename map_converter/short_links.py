"""Short links configured once and followed lazily.

The resolver and its HTTP client (aiohttp) are imported only when a sheet has a short link: a file
of direct links never pays for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .links import LinkReading, read_link


@dataclass(frozen=True)
class ShortLinkSettings:
    """How short links may be followed; see resolver.ResolverSettings for the fixed limits."""

    extra_hosts: frozenset[str] = frozenset()  # "host" or "host:port" we may also request
    allow_private_networks: bool = False  # only for the extra hosts
    concurrency: int = 16
    per_host_concurrency: int = 8
    cache_path: Path | None = None  # the resolved-links SQLite cache, shared by every job
    total_deadline_seconds: float | None = None  # for callers that answer within one request


class LazyShortLinkFollower:
    """Answers `handles` without the network code; loads the resolver on the first real use."""

    def __init__(self, settings: ShortLinkSettings, cache_holder: _CacheHolder):
        self.settings = settings
        self._cache_holder = cache_holder
        self._resolver = None

    def handles(self, link: str) -> bool:
        """True for short links: built-in shorteners and the configured extra hosts."""
        if read_link(link).is_short_link:
            return True
        return bool(self.settings.extra_hosts) and self._loaded().handles(link)

    def resolve_many(
        self, links: Iterable[str], on_result: Callable[[str, LinkReading], None]
    ) -> None:
        self._loaded().resolve_many(links, on_result)

    @property
    def upstream_requests(self) -> int:
        return self._resolver.upstream_requests if self._resolver else 0

    def _loaded(self):
        if self._resolver is None:
            from .resolver import ResolverSettings, ShortLinkResolver
            from .safety import HostPolicy

            settings = self.settings
            self._resolver = ShortLinkResolver(
                ResolverSettings(
                    policy=HostPolicy(settings.extra_hosts, settings.allow_private_networks),
                    concurrency=settings.concurrency,
                    per_host_concurrency=settings.per_host_concurrency,
                    total_deadline_seconds=settings.total_deadline_seconds,
                ),
                self._cache_holder.get(),
            )
        return self._resolver


class _CacheHolder:
    """One resolved-links cache per factory, opened when first needed."""

    def __init__(self, open_cache: Callable[[], object] | None):
        self.open_cache = open_cache
        self._cache = None
        self._lock = threading.Lock()

    def get(self):
        if self.open_cache is None:
            return None
        with self._lock:
            if self._cache is None:
                self._cache = self.open_cache()
            return self._cache


def _sqlite_cache_opener(path: Path | None) -> Callable[[], object] | None:
    if path is None:
        return None

    def open_cache():
        from .cache import ResolvedLinkCache

        return ResolvedLinkCache(path)

    return open_cache


def short_link_follower_factory(
    settings: ShortLinkSettings, open_cache: Callable[[], object] | None = None
) -> Callable[[], LazyShortLinkFollower]:
    """A fresh follower per job (a host's rate-limit pause lasts one job), all sharing one cache:
    the one open_cache() gives (Redis, in the distributed mode), else SQLite at cache_path."""
    cache_holder = _CacheHolder(open_cache or _sqlite_cache_opener(settings.cache_path))
    return lambda: LazyShortLinkFollower(settings, cache_holder)
