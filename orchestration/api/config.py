"""Settings of the REST API, read from the environment (orchestration/api/README.md)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from dlt_pipelines.common.env import ConfigError, Env, text, whole

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ApiConfig:
    host: str = LOOPBACK  # API_HOST: the address to bind (loopback only unless API_TOKEN is set)
    port: int = 8000  # API_PORT
    token: str | None = field(default=None, repr=False)  # API_TOKEN (secret): bearer of all but /health
    note: str | None = None  # why the host asked for was not used

    @classmethod
    def from_env(cls, env: Env) -> ApiConfig:
        host, token = text(env, "API_HOST") or LOOPBACK, text(env, "API_TOKEN")
        port = whole(env, "API_PORT", 8000, minimum=0)
        if port > 65535:
            raise ConfigError(f"API_PORT must be at most 65535, got {port}")
        if token is not None and len(token) < 16:
            raise ConfigError("API_TOKEN must be at least 16 characters")
        if token is None and not is_loopback(host):
            return cls(LOOPBACK, port, None, f"API_TOKEN is not set: binding to {LOOPBACK} only, not {host}")
        return cls(host, port, token, None if token else "API_TOKEN is not set: no authentication, loopback only")

    def secrets(self) -> tuple[str, ...]:
        return (self.token,) if self.token else ()
