"""Logging in and out, the second factor, enrolment codes.
(Included by the project's urls.py.)"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from civicsocial.signin import sso, token_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="signin/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", views.second_factor_verify,
         name="second-factor-verify"),
    path("people/<int:pk>/enrolment-code/", views.enrolment_code, name="enrolment-code"),
    path("second-factor/keys/", views.security_keys, name="security-keys"),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("sso/start/", sso.start, name="sso-start"),
    path("sso/callback/", sso.callback, name="oidc_authentication_callback"),
    path("tokens/", token_views.token_list, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="api-token-revoke"),
]
