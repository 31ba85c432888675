"""`make api`: serve the REST API with uvicorn on API_HOST:API_PORT (127.0.0.1:8000)."""

from __future__ import annotations

import sys

from dlt_pipelines.common import secrets
from orchestration import warehouse
from orchestration.api.app import create_app
from orchestration.api.config import ApiConfig
from orchestration.config import ConfigError, Settings


def main() -> int:
    import uvicorn

    secrets.install()
    try:
        settings = Settings.from_env()
        api = ApiConfig.from_env(settings.env)
        secrets.register((*settings.secrets(), *api.secrets()))
        url = warehouse.resolve_url(settings)
    except (ConfigError, warehouse.WarehouseError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if api.note:
        print(f"note: {api.note}", file=sys.stderr, flush=True)
    print(f"API on http://{api.host}:{api.port} (OpenAPI: /openapi.json, docs: /docs)", file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings, api, url), host=api.host, port=api.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
