"""Signals other apps send about registry records, so those above can act without the
sender knowing them (issue 16: data flows one way)."""

from django.dispatch import Signal

# Sent (with account_id) when an account is frozen by a security incident (P14): publishing
# takes its scheduled posts off the schedule.
account_frozen = Signal()
