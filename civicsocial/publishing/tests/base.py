"""A publishing test's city: Alpha's Mastodon account @parks (approved on an application,
its terms reviewed, its secret in the environment), an editor, approvers and counsel who
are trained and authorized for it (P4)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from typing import Any
from unittest import mock

from django.utils import timezone
from PIL import Image

from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.tests.mastodon import shared_server, token
from civicsocial.publishing import approvals, compose
from civicsocial.publishing.models import Draft
from civicsocial.registry import services
from civicsocial.registry.models import Account, Platform, Role
from civicsocial.testing import TwoAgencies, make_person

STAFF = (Role.EDITOR, Role.APPROVER, Role.COUNSEL, Role.AGENCY_ADMIN)


def png(colour: str = "red", size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


class PublishingCity(TwoAgencies):
    account: Account

    def make_city(self, handle: str = "parks", **changes: Any) -> Account:
        account = self.approved_account(platform=Platform.MASTODON, handle=f"@{handle}",
                                         url=f"{shared_server().base_url}/@{handle}", **changes)
        patcher = mock.patch.dict(os.environ, {secret_variable("mastodon", f"@{handle}"): token(handle)})
        patcher.start()
        self.addCleanup(patcher.stop)  # type: ignore[attr-defined]
        return self.ready_to_publish(account)

    def ready_to_publish(self, account: Account) -> Account:
        """Terms reviewed (P20), staff trained and authorized (P4)."""
        platform = account.platform
        terms = services.current_terms(platform) or services.record_terms(
            self.ods, platform, "2026-06", timezone.localdate() - timedelta(days=30))
        if not self.alpha.tos_reviews.filter(terms=terms).exists():
            services.record_tos_review(self.person(Role.AGENCY_ADMIN), self.alpha, terms,
                                       timezone.localdate())
        for role in STAFF:
            self.authorized(self.person(role), account)
        return account

    def authorized(self, person: Any, account: Account) -> Any:
        if services.current_training(person) is None:
            self.trained(person)
        if not account.authorizations.filter(person=person, revoked_at__isnull=True).exists():
            services.authorize(self.ods, person, account)
        return person

    def second_approver(self, account: Account) -> Any:
        person = make_person(f"approver-{account.pk}-{Draft.objects.count()}")
        from civicsocial.registry import roles

        roles.grant_role(None, person, self.alpha, Role.APPROVER)
        return self.authorized(person, account)

    def draft(self, text: str = "The pool on Elm Street opens Saturday at 10.", send_in: timedelta | None =
              timedelta(days=1), accounts: list[Account] | None = None, **changes: Any) -> Draft:
        data = compose.DraftInput(text=text, accounts=accounts or [self.account],
                                  send_at=timezone.now() + send_in if send_in else None, **changes)
        return compose.create_draft(self.person(Role.EDITOR), data)

    def submitted(self, **changes: Any) -> Draft:
        return approvals.submit(self.person(Role.EDITOR), self.draft(**changes))

    def approve(self, draft: Draft, person: Any) -> Draft:
        draft.refresh_from_db()
        approvals.decide(person, draft, True, draft.content_hash)
        draft.refresh_from_db()
        return draft
