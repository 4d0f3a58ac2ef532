"""The archive's pages: search, items, holds, imports, FOIL cases and productions.
(Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.records import views

urlpatterns = [
    path("archive/", views.archive_search, name="archive-search"),
    path("archive/items/<int:pk>/", views.item_detail, name="archive-item"),
    path("archive/items/<int:pk>/hold/", views.item_hold, name="archive-hold"),
    path("archive/imports/", views.import_jobs, name="archive-imports"),
    path("foil/", views.case_list, name="foil-list"),
    path("foil/new/", views.case_create, name="foil-create"),
    path("foil/<int:pk>/", views.case_detail, name="foil-case"),
    path("foil/<int:pk>/export/", views.case_export, name="foil-export"),
    path("foil/<int:pk>/production/", views.case_download, name="foil-download"),
    path("foil/<int:pk>/production/cancel/", views.case_cancel_production, name="foil-cancel-production"),
    path("foil/<int:pk>/status/", views.case_status, name="foil-status"),
]
