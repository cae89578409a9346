"""The distributed mode's engines, started by the tests themselves on loopback, in temporary folders:
Debian's redis-server on a unix socket, moto's S3 server (a faithful stand-in for S3's API, not
for its operations: no real durability, consistency windows or rate limits) and `rq worker`
processes started from the Procfile's worker line as written."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import PROJECT_ROOT, free_port, stop_process

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
S3_TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@contextlib.contextmanager
def running_redis(folder: Path, tls: bool = False) -> Iterator[str]:
    """redis-server in folder, no persistence; yields its URL once it answers: a unix socket, or
    with tls a loopback TLS port with a self-signed certificate (as Heroku Key-Value Store has;
    clients connect with MAPLINK_REDIS_VERIFY_TLS=0)."""
    import redis

    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is missing: the README's test command installs it (apt-get)")
    folder.mkdir(parents=True, exist_ok=True)
    arguments = ["--save", "", "--appendonly", "no", "--dir", str(folder), "--port", "0"]
    if tls:
        certificate, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        port = free_port()
        arguments += ["--bind", "127.0.0.1", "--tls-port", str(port), "--tls-cert-file",
                      str(certificate), "--tls-key-file", str(key), "--tls-ca-cert-file",
                      str(certificate), "--tls-auth-clients", "no"]  # fmt: skip
        url, options = f"rediss://127.0.0.1:{port}/0", {"ssl_cert_reqs": "none"}
    else:
        socket_path = folder / "redis.sock"
        arguments += ["--unixsocket", str(socket_path), "--unixsocketperm", "700"]
        url, options = f"unix://{socket_path}", {}
    process = subprocess.Popen(
        [REDIS_SERVER, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if redis.Redis.from_url(url, socket_timeout=5, **options).ping():
                    break
            except (redis.RedisError, OSError):
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield url
    finally:
        stop_process(process)


@contextlib.contextmanager
def running_s3_stand_in(folder: Path) -> Iterator[str]:
    """moto's S3 server on a free loopback port; yields its endpoint URL once it answers."""
    import requests

    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(folder / "moto.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env={**os.environ, **S3_TEST_ENVIRONMENT},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(endpoint, timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        "the S3 stand-in did not start: " + (folder / "moto.log").read_text()
                    )
                time.sleep(0.1)
        yield endpoint
    finally:
        stop_process(process)


def make_bucket(endpoint: str, bucket: str):
    """A boto3 client for the stand-in, with the bucket created."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    return client


def procfile_command(process_type: str) -> str:
    """The Procfile's line for a process type, as written."""
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process_type:
            return command.strip()
    raise AssertionError(f"the Procfile has no {process_type}: line")


@contextlib.contextmanager
def running_rq_worker(folder: Path, environment: dict[str, str]) -> Iterator[subprocess.Popen]:
    """The Procfile's worker line, run by a shell from the project folder with environment (as a
    platform runs it); its own data folder. Yields the worker process (the shell execs it)."""
    folder.mkdir(parents=True, exist_ok=True)
    bin_folder = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        **environment,
        "MAPLINK_DATA_DIR": str(folder),
        "PATH": bin_folder + os.pathsep + os.environ.get("PATH", ""),
    }
    with open(folder / "worker.log", "w") as log:
        process = subprocess.Popen(
            ["bash", "-c", "exec " + procfile_command("worker")],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        stop_process(process)


def children_of(pid: int) -> list[int]:
    """Direct child processes (an RQ worker's work-horse), from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]
