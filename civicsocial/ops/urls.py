"""The operator's endpoints (included by the project's urls.py)."""

from django.urls import path

from civicsocial.ops import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
