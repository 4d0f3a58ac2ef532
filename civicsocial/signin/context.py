from __future__ import annotations

from django.http import HttpRequest

from civicsocial.registry.permissions import Action, agencies_for, is_ods_admin, visible_agencies
from civicsocial.signin import sso


def roles(request: HttpRequest) -> dict[str, object]:
    """Lets the navigation show what the person may reach."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"sso_configured": sso.configured()}
    return {"is_ods_admin": is_ods_admin(user), "my_agencies": visible_agencies(user),
            "may_manage_credentials": agencies_for(user, Action.MANAGE_CREDENTIALS).exists()}
