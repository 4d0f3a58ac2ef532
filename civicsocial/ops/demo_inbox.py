"""The demo city's review history (P21): two weeks of daily reviews by each agency's
moderator, kept up in the agencies the demo makes compliant and patchy in the others,
whose accounts are overdue now. The review clock page has something to chart from the first minute."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from civicsocial.inbox.models import AccountReview
from civicsocial.ops.demo_city import AGENCIES
from civicsocial.registry.models import Account, AccountStatus, Role

COMPLIANT = {slug: compliant for slug, _, _, compliant in AGENCIES}
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
        diligent = COMPLIANT.get(account.agency.slug, False)
        for days_ago in range(DAYS, -1, -1):  # diligent ones were reviewed this morning too
            if diligent or (days_ago > 2 and rng.random() < 0.5):
                at = now - timedelta(days=days_ago, hours=rng.uniform(1, 5))
                reviews.append(AccountReview(account=account, reviewer=assignment.person,
                                             reviewed_at=at, items_seen=rng.randint(0, 12)))
    Account.objects.filter(registered_at__gt=now - timedelta(days=DAYS)).update(
        registered_at=now - timedelta(days=DAYS + 1))
    AccountReview.objects.bulk_create(reviews)
    return len(reviews)
