"""Every setting, declared once with its unit and default; read by the web app and the CLI alike.

Each can be overridden by an environment variable MAPLINK_<NAME>. The core never reads the
environment itself: the callers (flask_app.py, the CLI's main) pass it in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .safety import parse_host_list
from .short_links import ShortLinkSettings

ENV_PREFIX = "MAPLINK_"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _setting(default, help_text: str, variable: str | None = None):
    """A setting; `variable` names its environment variable when it is not MAPLINK_<NAME>."""
    return field(default=default, metadata={"help": help_text, "variable": variable})


def variable_name(setting: dataclasses.Field) -> str:
    return setting.metadata["variable"] or ENV_PREFIX + setting.name


@dataclass(frozen=True)
class Settings:
    """Upper-case names: they are the Flask config keys and the MAPLINK_<NAME> variables."""

    DATA_DIR: str = _setting(
        ".", "folder that holds `uploads/`, `processed/` and the short-link cache"
    )
    MAX_UPLOAD_BYTES: int = _setting(20 * 1024 * 1024, "largest upload, in bytes")
    MAX_ROWS: int = _setting(100_000, "most data rows per sheet")
    CONVERT_MAX_ROWS: int = _setting(2_000, "most rows for the one-request `POST /convert`")
    SESSION_TTL_SECONDS: float = _setting(24 * 3600, "how long an upload and its results are kept")
    JOB_WORKERS: int = _setting(2, "conversions run at once per web worker process")
    RESOLVE_SHORT_LINKS: bool = _setting(True, "follow short links at all")
    SHORTLINK_HOSTS: str = _setting(
        "", "extra short-link hosts we may request, `host[:port]`, comma-separated"
    )
    ALLOW_PRIVATE_NETWORKS: bool = _setting(
        False, "let those extra hosts resolve to private addresses"
    )
    RESOLVE_CONCURRENCY: int = _setting(16, "short links in flight per job")
    RESOLVE_PER_HOST: int = _setting(8, "short links in flight per host")
    CONVERT_RESOLVE_DEADLINE_SECONDS: float = _setting(
        20.0, "time for all short links of one `POST /convert`"
    )
    MAX_WAIT_SECONDS: float = _setting(25.0, "longest `POST /process?wait=`")
    SWEEP_INTERVAL_SECONDS: float = _setting(
        60.0, "how often expired sessions are removed (0: never in the background)"
    )
    UPLOADS_PER_MINUTE: int = _setting(
        20, "uploads per client address per minute (0: no limit); more get 429"
    )
    UPLOAD_BYTES_PER_HOUR: int = _setting(
        500 * 1024 * 1024, "bytes uploaded per client address per hour (0: no limit)"
    )
    TRUSTED_PROXIES: str = _setting(
        "",
        "addresses of our own reverse proxies, comma-separated: only their `X-Forwarded-For` counts",
    )
    MIN_FREE_BYTES: int = _setting(
        256 * 1024 * 1024, "uploads get 507 and `/health` 503 below this much free disk"
    )
    MAX_WAITING_REQUESTS: int = _setting(
        16, "`POST /process?wait=` calls waiting at once per worker; more answer at once"
    )
    JOB_LEASE_SECONDS: float = _setting(
        15.0, "a running job that has not renewed its lease for this long is `interrupted`"
    )
    REDIS_URL: str = _setting(
        "",
        "distributed mode: Redis for sessions, jobs (an RQ queue) and the short-link cache "
        "(empty: one machine, no Redis)",
        variable="REDIS_URL",
    )
    REDIS_VERIFY_TLS: bool = _setting(
        True,
        "check the certificate of a `rediss://` Redis; Heroku Key-Value Store's is self-signed: "
        "set 0 there",
    )
    STORAGE_URL: str = _setting(
        "",
        "distributed mode: `s3://bucket/prefix` for uploads and outputs "
        "(empty: the data folder); credentials from the usual `AWS_*` variables",
    )
    S3_ENDPOINT_URL: str = _setting(
        "", "an S3-compatible service instead of AWS (MinIO, a test server)"
    )

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], overrides: Mapping[str, object] | None = None
    ) -> Settings:
        """Defaults, then MAPLINK_* variables (typed like their defaults), then overrides."""
        values: dict[str, object] = {}
        for setting in dataclasses.fields(cls):
            raw = environ.get(variable_name(setting))
            if raw is not None:
                values[setting.name] = _parse(variable_name(setting), raw, setting.default)
        known = {setting.name for setting in dataclasses.fields(cls)}
        values.update({key: value for key, value in (overrides or {}).items() if key in known})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Combinations that cannot work, refused with what to do."""
        if self.STORAGE_URL and not self.STORAGE_URL.startswith("s3://"):
            raise ValueError(
                f"{ENV_PREFIX}STORAGE_URL must look like s3://bucket/prefix, not "
                f"{self.STORAGE_URL!r}"
            )
        if self.STORAGE_URL and not self.REDIS_URL:
            raise ValueError(
                f"{ENV_PREFIX}STORAGE_URL needs REDIS_URL: object storage is for the distributed "
                "mode, where sessions and jobs live in Redis. Set REDIS_URL too, or unset it."
            )
        if self.JOB_LEASE_SECONDS <= 0:
            raise ValueError(f"{ENV_PREFIX}JOB_LEASE_SECONDS must be more than 0")

    @property
    def is_distributed(self) -> bool:
        return bool(self.REDIS_URL)

    def as_config(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    @property
    def data_dir(self) -> Path:
        return Path(self.DATA_DIR)

    def short_links(self, total_deadline_seconds: float | None = None) -> ShortLinkSettings:
        return ShortLinkSettings(
            extra_hosts=parse_host_list(self.SHORTLINK_HOSTS),
            allow_private_networks=self.ALLOW_PRIVATE_NETWORKS,
            concurrency=self.RESOLVE_CONCURRENCY,
            per_host_concurrency=self.RESOLVE_PER_HOST,
            cache_path=self.data_dir / "processed" / "resolved-links.sqlite3",
            total_deadline_seconds=total_deadline_seconds,
        )


def _parse(name: str, raw: str, default: object) -> object:
    """An environment value typed like the default, or a ValueError that names the variable."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{name} must be true or false (1/0, yes/no), not {raw!r}")
    try:
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError as error:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ValueError(f"{name} must be {kind}, not {raw!r}") from error
    return raw


def settings_table_markdown() -> str:
    """The README's settings table, derived from the declaration above."""
    lines = ["| variable | default | what it sets |", "|---|---|---|"]
    for setting in dataclasses.fields(Settings):
        default = setting.default
        shown = (
            {"": "(empty)", ".": "the folder it runs in"}.get(default)
            if isinstance(default, str)
            else None
        )
        shown = shown or (f"{default:,}" if type(default) is int else f"`{default}`")
        lines.append(f"| `{variable_name(setting)}` | {shown} | {setting.metadata['help']} |")
    return "\n".join(lines)
