"""What the benchmarks share: a database of their own, Django set up on it, and JSON-line output.

Not a benchmark itself (`make bench` runs `bench/*.py`, not this package).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile


class OwnDatabase:
    """A fresh database for one bench: SQLite in a temporary directory, or `<name>_<suffix>` on PostgreSQL
    next to the one in DATABASE_URL (dropped and created here, so other benches' rows are never touched)."""

    def __init__(self, suffix: str, reuse: str = "") -> None:
        """`reuse`: a database an earlier run kept (`kept: ...` on its stderr), used as it is."""
        url = os.environ.get("DATABASE_URL", "")
        self.admin_url = self.name = ""
        if not url:
            os.environ["FLOKK_VAR_DIR"] = reuse or tempfile.mkdtemp(prefix=f"flokk-bench-{suffix}-")
            return
        import psycopg

        base, name = url.rsplit("/", 1)
        self.admin_url, self.name = base + "/postgres", reuse or f"{name}_{suffix}"
        os.environ["DATABASE_URL"] = f"{base}/{self.name}"
        if reuse:
            return
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self, keep: bool = False) -> None:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept: {self.name or os.environ['FLOKK_VAR_DIR']}", file=sys.stderr)
        elif self.name:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        elif os.environ.get("FLOKK_VAR_DIR", "").startswith(tempfile.gettempdir()):
            shutil.rmtree(os.environ["FLOKK_VAR_DIR"], ignore_errors=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")
    # As in production: DEBUG logs every query (formatting its SQL), which would cost more than the queries.
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


def emit(bench: str, metric: str, value: float, unit: str, **extra: object) -> None:
    from django.db import connection

    record = {"bench": bench, "metric": metric, "value": round(value, 3), "unit": unit}
    print(json.dumps({**record, "database": connection.vendor, **extra}), flush=True)
