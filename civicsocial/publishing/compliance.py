"""What the compliance report says about publishing (the policy app words the lines):
posts scheduled around the city's vendor (P12) and official posts no approved draft
produced (P5), each over the last `WINDOW`, with the evidence to look at."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicsocial.publishing.models import OutsidePost, Route, Target, TargetState
from civicsocial.registry.models import Agency

WINDOW = timedelta(days=90)


def scheduled_around_vendor(agency: Agency) -> list[str]:
    """P12: scheduled posts (not "send now") our own adapter sent instead of the vendor."""
    since = timezone.now() - WINDOW
    targets = Target.objects.filter(account__agency=agency, draft__send_at__isnull=False, route=Route.DIRECT,
                                    state=TargetState.SENT, sent_at__gte=since) \
        .select_related("account").order_by("sent_at")
    return [f"{t.account}: draft #{t.draft_id} scheduled for "
            f"{timezone.localtime(t.sent_at):%Y-%m-%d %H:%M} was sent without the vendor" for t in targets
            if t.sent_at is not None]


def posted_outside(agency: Agency) -> list[str]:
    """P5: official posts captured that no approved draft produced, with the archived item."""
    since = timezone.now() - WINDOW
    found = OutsidePost.objects.filter(account__agency=agency, found_at__gte=since) \
        .select_related("account", "item").order_by("found_at")
    return [f"{o.account}: a post captured {timezone.localtime(o.item.first_captured_at):%Y-%m-%d %H:%M} "
            f"came from no approved draft (evidence: {o.item.get_absolute_url()})" for o in found]
