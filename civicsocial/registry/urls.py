"""The registry's pages: agencies, people and roles, accounts, applications, terms.
(Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.registry import views

urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", views.directory, name="directory"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/new/", views.agency_create, name="agency-create"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("agencies/<slug:slug>/people/new/", views.person_create, name="person-create"),
    path("agencies/<slug:slug>/people/<int:pk>/role/", views.role_add, name="role-add"),
    path("agencies/<slug:slug>/central-contact/", views.central_contact, name="central-contact"),
    path("agencies/<slug:slug>/policy/", views.policy_edit, name="policy-edit"),
    path("agencies/<slug:slug>/policy/approve/", views.policy_approve, name="policy-approve"),
    path("agencies/<slug:slug>/tos-review/", views.tos_review, name="tos-review"),
    path("agencies/<slug:slug>/acknowledge/", views.acknowledge_warning, name="acknowledge-warning"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:pk>/credential/", views.account_credential, name="account-credential"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/decide/", views.application_step, {"step": "decide"},
         name="application-decide"),
    path("applications/<int:pk>/signoff/", views.application_step, {"step": "signoff"},
         name="application-signoff"),
    path("applications/<int:pk>/withdraw/", views.application_step, {"step": "withdraw"},
         name="application-withdraw"),
    path("applications/<int:pk>/submit/", views.application_step, {"step": "submit"},
         name="application-submit"),
    path("applications/<int:pk>/reapply/", views.application_reapply, name="application-reapply"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/training/", views.training_add, name="training-add"),
    path("people/<int:pk>/authorize/", views.authorization_add, name="authorization-add"),
    path("people/<int:pk>/offboard/", views.person_offboard, name="person-offboard"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role-remove"),
    path("roles/grants/", views.role_grants, name="role-grants"),
    path("roles/grants/<int:pk>/decide/", views.role_grant_decide, name="role-grant-decide"),
    path("authorizations/<int:pk>/revoke/", views.authorization_revoke, name="authorization-revoke"),
    path("terms/", views.terms_list, name="terms-list"),
    path("terms/new/", views.terms_add, name="terms-add"),
]
