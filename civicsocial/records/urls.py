"""The archive's pages: search, items, holds, imports, FOIL cases and productions.
(Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.records import job_views, views

urlpatterns = [
    path("archive/", views.archive_search, name="archive-search"),
    path("archive/items/<int:pk>/", views.item_detail, name="archive-item"),
    path("archive/items/<int:pk>/hold/", views.item_hold, name="archive-hold"),
    path("archive/imports/", job_views.import_jobs_page, name="archive-imports"),
    path("archive/imports/<int:pk>/cancel/", job_views.import_cancel, name="archive-import-cancel"),
    path("archive/verifications/", job_views.verifications_page, name="archive-verifications"),
    path("archive/verifications/<int:pk>/cancel/", job_views.verification_cancel,
         name="archive-verification-cancel"),
    path("foil/", views.case_list, name="foil-list"),
    path("foil/new/", views.case_create, name="foil-create"),
    path("foil/<int:pk>/", views.case_detail, name="foil-case"),
    path("foil/<int:pk>/export/", views.case_export, name="foil-export"),
    path("foil/<int:pk>/production/", views.case_download, name="foil-download"),
    path("foil/<int:pk>/production/cancel/", views.case_cancel_production, name="foil-cancel-production"),
    path("foil/<int:pk>/production/verify/", job_views.case_verify, name="foil-verify-production"),
    path("foil/<int:pk>/status/", views.case_status, name="foil-status"),
]
