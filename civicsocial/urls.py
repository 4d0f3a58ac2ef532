from django.urls import include, path

from civicsocial.api import api

# Each app keeps its own pages' paths (no prefix: the paths and names are as they were).
urlpatterns = [
    path("", include("civicsocial.ops.urls")),
    path("", include("civicsocial.signin.urls")),
    path("", include("civicsocial.registry.urls")),
    path("", include("civicsocial.policy.urls")),
    path("", include("civicsocial.records.urls")),
    path("", include("civicsocial.inbox.urls")),
    path("", include("civicsocial.platforms.urls")),
    path("", include("civicsocial.incidents.urls")),
    path("", include("civicsocial.publishing.urls")),
    path("api/", api.urls),
]
