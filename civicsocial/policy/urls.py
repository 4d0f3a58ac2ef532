"""The compliance report, unregistered accounts, the logo queue.
(Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.policy import views

urlpatterns = [
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/unregistered/", views.unregistered, name="unregistered-accounts"),
    path("compliance/logos/", views.logo_queue, name="logo-queue"),
    path("compliance/logos/<str:sha256>.png", views.logo_picture, name="logo-picture"),
]
