"""Data quality people can see: the optional dbt packages (Elementary, dbt_utils) and their install,
the run ledger that dbt's results and dlt's loads are written to, the Elementary report and alerts,
and the headless browser the docs site and report are checked in."""
