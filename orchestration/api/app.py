"""The FastAPI application: `create_app(settings, api_config)`. Every endpoint but `/health` needs
`Authorization: Bearer <API_TOKEN>` when API_TOKEN is set; bad input gets a 4xx saying what is wrong."""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from dlt_pipelines import registry
from dlt_pipelines.common.secrets import scrub
from orchestration import warehouse
from orchestration.api import queries
from orchestration.api.config import ApiConfig
from orchestration.api.runs import RunLauncher
from orchestration.config import ConfigError, Settings
from orchestration.ops import OpsError
from orchestration.ops.lock import lock_holder

LOGIN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"  # a GitHub login (the regex engine has no look-ahead)


# module level: the endpoints' annotations are read from the module's names (from __future__ import annotations)
BEARER = HTTPBearer(auto_error=False)


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(default_factory=list, description="sources to extract-load; empty = every source")
    full_build: bool = Field(False, description="dbt build everything, not only what the new rows need")


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    backup: str | None = Field(None, description="file name of the dump in BACKUP_DIR; empty = the newest")


def create_app(settings: Settings, api: ApiConfig, url: str | None = None) -> FastAPI:
    launcher = RunLauncher(settings)
    secrets = (*settings.secrets(), *api.secrets())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        launcher.stop_all()

    app = FastAPI(title="ELT warehouse API", version="1.0.0", lifespan=lifespan,
                  description="Drive the pipelines: sources, runs, health, data quality, backups, careers. "
                              + (api.note or "Bearer token required on every endpoint but /health."))

    def warehouse_url() -> str:
        return url or warehouse.resolve_url(settings)

    def authorised(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
        if api.token is None:
            return
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), api.token.encode()):
            raise HTTPException(401, "a valid bearer token is required: Authorization: Bearer <API_TOKEN>",
                                headers={"WWW-Authenticate": "Bearer"})

    guarded = [Depends(authorised)]

    @app.exception_handler(queries.NotBuilt)
    async def not_built(request: Request, problem: queries.NotBuilt) -> JSONResponse:
        return JSONResponse({"detail": str(problem)}, status_code=404)

    @app.exception_handler(OpsError)
    async def ops_failed(request: Request, problem: OpsError) -> JSONResponse:
        return JSONResponse({"detail": scrub(str(problem), secrets)}, status_code=409)

    @app.get("/health", summary="health checks (no token needed)")
    def health() -> JSONResponse:
        from orchestration.ops.health import check_health, report

        checks = check_health(settings)
        healthy, lines = report(checks)
        body = {"healthy": healthy, "summary": lines[-1] if lines else "",
                "checks": [{"name": c.name, "status": c.status, "detail": scrub(c.detail, secrets)} for c in checks]}
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/sources", dependencies=guarded, summary="the registered sources and their schedules")
    def sources() -> list[dict[str, Any]]:
        found = []
        for name, spec in registry.sources().items():
            config = settings.source_config(name)
            found.append({"name": name, "domain": spec.domain, "dataset": spec.dataset,
                          "schedule_cron_utc": spec.schedule, "api": spec.api_name,
                          "uses_sandbox": config.uses_sandbox()})
        return found

    @app.post("/runs", dependencies=guarded, status_code=202, summary="start a run (it waits for the run lock)")
    def start_run(request: RunRequest) -> dict[str, Any]:
        unknown = sorted(set(request.sources) - set(registry.names()))
        if unknown:
            raise HTTPException(422, f"unknown sources {', '.join(unknown)}; known: {', '.join(registry.names())}")
        try:
            url_in_use = warehouse_url()
            holder = lock_holder(url_in_use)
        except (warehouse.WarehouseError, ConfigError) as problem:
            raise HTTPException(503, f"the warehouse is not reachable: {scrub(str(problem), secrets)}") from None
        launched = launcher.start(tuple(dict.fromkeys(request.sources)), request.full_build)
        waits = (f"another run holds the run lock ({holder}): this run waits for it, up to "
                 f"{settings.run_lock_wait_seconds:g}s (ELT_RUN_LOCK_WAIT_SECONDS), and never overlaps it"
                 if holder else "the run lock is free: the run takes it and starts now")
        return {"run_id": launched.run_id, "status": "started", "sources": list(launched.sources) or "all",
                "full_build": launched.full_build, "run_lock": waits, "status_url": f"/runs/{launched.run_id}"}

    @app.get("/runs", dependencies=guarded, summary="run history from ops.run_log, newest first")
    def runs(limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[dict[str, Any]]:
        return queries.run_history(warehouse_url(), limit)

    @app.get("/runs/{run_id}", dependencies=guarded, summary="one run's status")
    def run_status(run_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,40}$")]) -> dict[str, Any]:
        launched = launcher.get(run_id)
        try:
            record = queries.run_record(warehouse_url(), run_id)
        except queries.NotBuilt:
            record = None
        if record is None and launched is None:
            raise HTTPException(404, f"no run {run_id!r} in ops.run_log or started by this API")
        if record is not None:
            return {**record, "log": launched and launched.log_tail() if record["status"] != "running" else None}
        code = launched.exit_code
        if code is None:
            return {"run_id": run_id, "status": "waiting", "detail": "started, not recorded yet: connecting to the "
                    "warehouse or waiting for the run lock"}
        return {"run_id": run_id, "status": "failed", "detail": f"exited {code} before it was recorded",
                "log": [scrub(line, secrets) for line in launched.log_tail()]}

    @app.get("/quality", dependencies=guarded, summary="data-quality score per run and its trend")
    def quality(limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[dict[str, Any]]:
        return queries.quality_scores(warehouse_url(), limit)

    @app.get("/backups", dependencies=guarded, summary="backups in BACKUP_DIR, newest first")
    def backups() -> list[dict[str, Any]]:
        from orchestration.ops import backup_store

        return [{"name": b.dump.name, "taken_at": b.taken_at.isoformat(), "database": b.database,
                 "verified": backup_store.is_verified(b)} for b in backup_store.list_backups(settings.backups)]

    @app.post("/backups", dependencies=guarded, status_code=201, summary="take a backup now")
    def create_backup() -> dict[str, Any]:
        from orchestration.ops import backup

        result = backup.create_backup(settings, warehouse_url())
        return {"name": result.backup.dump.name, "lines": [scrub(line, secrets) for line in result.lines()]}

    @app.post("/backups/verify", dependencies=guarded, summary="restore a backup into a scratch database and compare")
    def verify_backup(request: VerifyRequest) -> dict[str, Any]:
        from orchestration.ops import backup_store, restore

        known = {b.dump.name: b for b in backup_store.list_backups(settings.backups)}
        if request.backup and request.backup not in known:
            raise HTTPException(404, f"no backup named {request.backup!r} in BACKUP_DIR; GET /backups lists them")
        chosen = known[request.backup] if request.backup else backup_store.resolve_backup(settings, "latest")
        result = restore.verify_backup(settings, warehouse_url(), chosen)
        return {"name": chosen.dump.name, "verified": True, "tables": result.tables, "rows": result.rows}

    def known_profile(login: str) -> str:
        if not queries.profile_known(warehouse_url(), login):
            raise HTTPException(404, f"no GitHub profile {login!r} is loaded (GITHUB_USERS)")
        return login

    @app.get("/profiles/{login}/recommendations", dependencies=guarded, summary="a profile's top jobs")
    def recommendations(login: Annotated[str, Path(pattern=LOGIN)]) -> list[dict[str, Any]]:
        return queries.recommendations(warehouse_url(), known_profile(login))

    @app.get("/profiles/{login}/skill-gaps", dependencies=guarded, summary="skills to learn next")
    def skill_gaps(login: Annotated[str, Path(pattern=LOGIN)]) -> list[dict[str, Any]]:
        return queries.skill_gaps(warehouse_url(), known_profile(login))

    return app
