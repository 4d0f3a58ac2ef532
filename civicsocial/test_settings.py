"""Settings for the test suite: development mode, the database from DATABASE_URL
(SQLite by default, PostgreSQL under scripts/with-postgres.sh)."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("CIVICSOCIAL_DEBUG", "1")

from civicsocial.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when missing

# The live server's thread must not keep a connection open past a test, or
# PostgreSQL cannot drop the test database afterwards.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Each test run writes media and productions in a directory of its own.
_scratch = Path(tempfile.mkdtemp(prefix="civicsocial-test-"))
MEDIA_STORE = _scratch / "media"
PRODUCTIONS_DIR = _scratch / "productions"
IMPORTS_DIR = _scratch / "imports"

# Background tasks run inline in tests (in-memory queue), so a test sees their effect.
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# The vault's master key: generated for this run, never a file in the repository.
_vault_key = _scratch / "vault.key"
_vault_key.write_bytes(os.urandom(32))
_vault_key.chmod(0o600)
os.environ["CIVICSOCIAL_VAULT_KEY_FILE"] = str(_vault_key)
