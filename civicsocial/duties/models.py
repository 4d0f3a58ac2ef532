"""Leases: which worker is doing a duty now, for every machine that shares the database."""

from __future__ import annotations

from django.db import models


class Lease(models.Model):
    """One duty held by one worker until `expires_at` (issue 17). A worker killed while
    holding it leaves it to expire; a live one renews it. The database decides who holds
    it (one conditional UPDATE or one INSERT), so it works alike on SQLite and PostgreSQL
    and across machines."""

    name = models.CharField(max_length=200, unique=True, help_text="the duty, e.g. capture:42")
    holder = models.CharField(max_length=200, help_text="host, process and a token of the holder")
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"
