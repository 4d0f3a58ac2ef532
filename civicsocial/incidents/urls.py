"""Incident pages (P14). (Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.incidents import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/act/", views.incident_act, name="incident-act"),
    path("incidents/<int:pk>/report.json", views.incident_export, {"kind": "json"}, name="incident-json"),
    path("incidents/<int:pk>/report.pdf", views.incident_export, {"kind": "pdf"}, name="incident-pdf"),
    path("accounts/<int:pk>/incident/", views.incident_report, name="incident-report"),
]
