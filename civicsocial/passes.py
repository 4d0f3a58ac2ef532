"""Which pass of `make test` runs a long test (the SQLite and PostgreSQL passes run side by
side, so the suite takes as long as the longer one). A test whose behaviour does not depend
on the database, or that another test already covers on the other engine, runs in one pass:

- `postgres_pass_only`: what several workers sharing one database must survive (kills, races);
- `sqlite_pass_only`: what the engine does not change (the live demo, the network's own capture).
"""

from __future__ import annotations

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
postgres_pass_only = pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass runs it")
sqlite_pass_only = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite pass runs it")
