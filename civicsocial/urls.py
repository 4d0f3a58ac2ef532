from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import path

from civicsocial.api import api
from civicsocial.inbox import views as inbox_views
from civicsocial.policy import views as policy_views
from civicsocial.records import views as archive_views
from civicsocial.registry import views as r
from civicsocial.security import views as security_views


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", r.home, name="home"),
    path("healthz", healthz),
    path("login/", auth_views.LoginView.as_view(template_name="security/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/setup/", security_views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", security_views.second_factor_verify,
         name="second-factor-verify"),
    path("directory/", r.directory, name="directory"),
    path("agencies/", r.agency_list, name="agency-list"),
    path("agencies/new/", r.agency_create, name="agency-create"),
    path("agencies/<slug:slug>/", r.agency_detail, name="agency-detail"),
    path("agencies/<slug:slug>/people/new/", r.person_create, name="person-create"),
    path("agencies/<slug:slug>/people/<int:pk>/role/", r.role_add, name="role-add"),
    path("agencies/<slug:slug>/central-contact/", r.central_contact, name="central-contact"),
    path("agencies/<slug:slug>/policy/", r.policy_edit, name="policy-edit"),
    path("agencies/<slug:slug>/policy/approve/", r.policy_approve, name="policy-approve"),
    path("agencies/<slug:slug>/tos-review/", r.tos_review, name="tos-review"),
    path("agencies/<slug:slug>/acknowledge/", r.acknowledge_warning, name="acknowledge-warning"),
    path("accounts/", r.account_list, name="account-list"),
    path("accounts/<int:pk>/", r.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", r.account_edit, name="account-edit"),
    path("applications/", r.application_list, name="application-list"),
    path("applications/new/", r.application_create, name="application-create"),
    path("applications/<int:pk>/", r.application_detail, name="application-detail"),
    path("applications/<int:pk>/decide/", r.application_decide, name="application-decide"),
    path("applications/<int:pk>/signoff/", r.application_signoff, name="application-signoff"),
    path("applications/<int:pk>/withdraw/", r.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/submit/", r.application_submit, name="application-submit"),
    path("applications/<int:pk>/reapply/", r.application_reapply, name="application-reapply"),
    path("people/<int:pk>/", r.person_detail, name="person-detail"),
    path("people/<int:pk>/training/", r.training_add, name="training-add"),
    path("people/<int:pk>/authorize/", r.authorization_add, name="authorization-add"),
    path("people/<int:pk>/offboard/", r.person_offboard, name="person-offboard"),
    path("people/<int:pk>/enrolment-code/", security_views.enrolment_code, name="enrolment-code"),
    path("roles/<int:pk>/remove/", r.role_remove, name="role-remove"),
    path("roles/grants/", r.role_grants, name="role-grants"),
    path("roles/grants/<int:pk>/decide/", r.role_grant_decide, name="role-grant-decide"),
    path("authorizations/<int:pk>/revoke/", r.authorization_revoke, name="authorization-revoke"),
    path("terms/", r.terms_list, name="terms-list"),
    path("terms/new/", r.terms_add, name="terms-add"),
    path("compliance/", policy_views.compliance, name="compliance"),
    path("compliance/unregistered/", policy_views.unregistered, name="unregistered-accounts"),
    path("compliance/logos/", policy_views.logo_queue, name="logo-queue"),
    path("compliance/logos/<str:sha256>.png", policy_views.logo_picture, name="logo-picture"),
    path("archive/", archive_views.archive_search, name="archive-search"),
    path("archive/items/<int:pk>/", archive_views.item_detail, name="archive-item"),
    path("archive/items/<int:pk>/hold/", archive_views.item_hold, name="archive-hold"),
    path("archive/imports/", archive_views.import_jobs, name="archive-imports"),
    path("foil/", archive_views.case_list, name="foil-list"),
    path("foil/new/", archive_views.case_create, name="foil-create"),
    path("foil/<int:pk>/", archive_views.case_detail, name="foil-case"),
    path("foil/<int:pk>/export/", archive_views.case_export, name="foil-export"),
    path("foil/<int:pk>/production/", archive_views.case_download, name="foil-download"),
    path("foil/<int:pk>/status/", archive_views.case_status, name="foil-status"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/reviews/", inbox_views.review_clock, name="inbox-reviews"),
    path("inbox/proposals/", inbox_views.proposals, name="inbox-proposals"),
    path("inbox/proposals/<int:pk>/decide/", inbox_views.proposal_decide,
         name="inbox-proposal-decide"),
    path("inbox/proposals/<int:pk>/retry/", inbox_views.proposal_retry,
         name="inbox-proposal-retry"),
    path("inbox/accounts/<int:pk>/reviewed/", inbox_views.account_reviewed,
         name="inbox-account-reviewed"),
    path("inbox/<int:pk>/", inbox_views.entry_detail, name="inbox-entry"),
    path("inbox/<int:pk>/state/", inbox_views.entry_state, name="inbox-state"),
    path("inbox/<int:pk>/refer/", inbox_views.entry_refer, name="inbox-refer"),
    path("inbox/<int:pk>/propose/", inbox_views.entry_propose, name="inbox-propose"),
    path("api/", api.urls),
]
