"""Why a dbt command failed when the project is not to blame: the warehouse connection was lost
(Postgres restarted, the backend terminated, the network dropped). dbt reports each node that hit
it as a failure of its own, and the nodes after it as skipped, so the first failing test or model
is not the cause; the failure is named once, with what to do.

The texts are psycopg2's OperationalError and InterfaceError messages (libpq's), as dbt writes
them in a node's message (run_results.json) or in its output when it stops before any node.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.warehouse import without_password

CONNECTION_LOST = (
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "terminating connection due to unexpected postmaster exit",
    "could not connect to server",
    "connection refused",
    "connection already closed",
    "ssl syscall error: eof detected",
    "ssl connection has been closed unexpectedly",
    "no connection to the server",
    "could not receive data from server",
    "the database system is shutting down",
    "the database system is starting up",
)


def is_connection_lost(message: str | None) -> bool:
    """True when `message` says the connection to the warehouse was lost or refused."""
    text = (message or "").lower()
    return any(sign in text for sign in CONNECTION_LOST)


@dataclass(frozen=True)
class ConnectionLost:
    node: str | None  # the first node that lost it; None: dbt stopped before any node ran
    not_built: int  # nodes that errored or were skipped

    def describe(self, command: str, warehouse_url: str) -> str:
        """The one line a failed stage reports."""
        where = (f"during {self.node}; {self.not_built} node{'' if self.not_built == 1 else 's'} not built"
                 if self.node else "before any node was built")
        return (f"dbt {command}: lost the connection to the warehouse {without_password(warehouse_url)} {where} "
                "- check the warehouse is up (make health) and rerun make run")


def connection_lost(failed_nodes: list[tuple[str, str]], not_built: int, output: str = "") -> ConnectionLost | None:
    """A lost connection, when the failed nodes' messages (unique id, message) or dbt's output show
    one; None when the failure is the project's (a test failed, a model is wrong)."""
    lost = [unique_id for unique_id, message in failed_nodes if is_connection_lost(message)]
    if lost:
        return ConnectionLost(lost[0], not_built)
    if not failed_nodes and is_connection_lost(output):
        return ConnectionLost(None, not_built)
    return None
