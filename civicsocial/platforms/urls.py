"""The vault's pages, and the platforms' webhooks. (Included by the project's urls.py.)"""

from django.urls import path

from civicsocial.platforms import views

urlpatterns = [
    path("vault/", views.vault_overview, name="vault"),
    path("vault/services/<str:name>/", views.service_secret, name="vault-service"),
    path("webhooks/meta/", views.meta_webhook, name="meta-webhook"),
]
