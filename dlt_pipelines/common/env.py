"""Reading settings from the environment: every parser names the variable in its error.

Shared by orchestration's `Settings` and each source's own config (`dlt_pipelines/<source>/config.py`),
so a source defines its variables, defaults and docs beside its code.
"""

from __future__ import annotations

from collections.abc import Mapping

from dlt_pipelines.common.secrets import ScrubbedError

Env = Mapping[str, str]


class ConfigError(ScrubbedError, RuntimeError):
    """A setting is missing or malformed; the message says which variable to set."""


def text(env: Env, name: str) -> str | None:
    """The variable's value stripped, None when unset or blank."""
    return env.get(name, "").strip() or None


def _bounded(env: Env, name: str, default, minimum, kind: type, what: str):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def whole(env: Env, name: str, default: int, minimum: int = 0) -> int:
    return _bounded(env, name, default, minimum, int, "a whole number")


def number(env: Env, name: str, default: float, minimum: float = 0.0) -> float:
    return _bounded(env, name, default, minimum, float, "a number")


def flag(env: Env, name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def items(env: Env, name: str, default: str, sep: str) -> tuple[str, ...]:
    """A `sep`-separated list, blanks dropped; the default when the variable is unset or blank."""
    raw = env.get(name, "")
    return tuple(part.strip() for part in (raw if raw.strip() else default).split(sep) if part.strip())
