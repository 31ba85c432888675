"""A small REST API to drive the pipelines (`make api`; orchestration/api/README.md): the sources
and their schedules, runs (started as `python -m orchestration run` under the run lock, their
status from ops.run_log), health, data-quality scores, backups, and a profile's recommendations."""
