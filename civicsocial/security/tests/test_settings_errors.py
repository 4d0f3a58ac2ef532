"""Production settings fail loudly and clearly, without a traceback."""

import os
import subprocess
import sys

import pytest


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVICSOCIAL_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "civicsocial.cli", *args], env=clean,
                          capture_output=True, text=True, timeout=120)


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_cli("check")
    assert result.returncode == 2
    assert "CIVICSOCIAL_SECRET_KEY is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    result = run_cli("check", CIVICSOCIAL_SECRET_KEY="x" * 50)
    assert result.returncode == 2
    assert "CIVICSOCIAL_ALLOWED_HOSTS is required" in result.stderr


def test_it_rejects_a_short_secret_key():
    result = run_cli("check", CIVICSOCIAL_SECRET_KEY="short")
    assert result.returncode == 2
    assert "at least 32 characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_starts_with_complete_production_settings(tmp_path):
    result = run_cli("check", "--deploy", CIVICSOCIAL_SECRET_KEY="k" * 30 + "-Zq81!xY_vR4pLm0wT6nB",
                     CIVICSOCIAL_ALLOWED_HOSTS="social.example.gov",
                     CIVICSOCIAL_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_it_lists_operator_commands_in_help():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "load_demo", "compliance", "create_ods_admin", "migrate"):
        assert command in result.stdout


def test_it_rejects_a_capture_interval_that_is_not_a_number():
    result = run_cli("check", CIVICSOCIAL_DEBUG="1", CIVICSOCIAL_CAPTURE_INTERVAL="5 minutes")
    assert result.returncode == 2
    assert "CIVICSOCIAL_CAPTURE_INTERVAL must be a number, not '5 minutes'" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_rejects_a_capture_interval_too_short_for_the_platforms():
    result = run_cli("check", CIVICSOCIAL_DEBUG="1", CIVICSOCIAL_CAPTURE_INTERVAL="1")
    assert result.returncode == 2
    assert "must be at least 10" in result.stderr
    assert "Traceback" not in result.stderr


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.slow]
