"""The demo city's review history (P21): two weeks of daily reviews by each agency's
moderator, kept up in the compliant agencies and patchy in the others, whose accounts
are overdue now. The review clock page has something to chart from the first minute."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from civicsocial.inbox.models import AccountReview
from civicsocial.registry.models import Account, AccountStatus, Role

DAYS = 14


def load_demo_reviews(rng: random.Random) -> int:
    """Create the history (once: nothing when reviews exist); returns how many reviews."""
    if AccountReview.objects.exists():
        return 0
    now = timezone.now()
    reviews = []
    for account in Account.objects.filter(status=AccountStatus.ACTIVE).select_related("agency"):
        assignment = account.agency.role_assignments.filter(role=Role.MODERATOR).first()
        if assignment is None:
            continue
        diligent = account.agency.central_contact_id is not None and rng.random() < 0.7
        for days_ago in range(DAYS, 0, -1):
            if diligent or (days_ago > 2 and rng.random() < 0.5):
                at = now - timedelta(days=days_ago, hours=rng.uniform(-3, 3))
                reviews.append(AccountReview(account=account, reviewer=assignment.person,
                                             reviewed_at=at, items_seen=rng.randint(0, 12)))
    Account.objects.filter(registered_at__gt=now - timedelta(days=DAYS)).update(
        registered_at=now - timedelta(days=DAYS + 1))
    AccountReview.objects.bulk_create(reviews)
    return len(reviews)
