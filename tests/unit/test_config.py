"""Bad configuration gets an error that names the variable to set."""

from __future__ import annotations

import pytest

from orchestration.config import ConfigError, Settings


def test_defaults_use_the_sandbox_and_the_local_warehouse():
    settings = Settings.from_env({})
    assert settings.warehouse_url is None
    assert settings.uses_sandbox_for("jsearch")
    assert settings.source_config("jsearch").rate_limit_per_min == 600.0


def test_a_key_switches_to_the_real_api_with_its_rate_limit():
    settings = Settings.from_env({"RAPIDAPI_KEY": "k"})
    assert not settings.uses_sandbox_for("jsearch")
    assert settings.source_config("jsearch").rate_limit_per_min == 60.0
    custom = Settings.from_env({"RAPIDAPI_KEY": "k", "JSEARCH_RATE_LIMIT_PER_MIN": "30"})
    assert custom.source_config("jsearch").rate_limit_per_min == 30.0


@pytest.mark.parametrize(("env", "message"), [
    ({"WAREHOUSE_URL": "mysql://x/y"}, "WAREHOUSE_URL must be a postgresql:// URL"),
    ({"WAREHOUSE_URL": "postgresql://host:5432"}, "WAREHOUSE_URL must name a database"),
    ({"JSEARCH_RATE_LIMIT_PER_MIN": "fast"}, "JSEARCH_RATE_LIMIT_PER_MIN must be a number"),
    ({"HTTP_MAX_ATTEMPTS": "0"}, "HTTP_MAX_ATTEMPTS must be >= 1"),
    ({"ELT_AS_OF": "tomorrow"}, "ELT_AS_OF must be an ISO-8601 time"),
    ({"JSEARCH_QUERIES": " ; "}, "JSEARCH_QUERIES must hold at least one query"),
])
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
