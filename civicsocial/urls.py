from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from civicsocial.api import api


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# Each app keeps its own pages' paths (no prefix: the paths and names are as they were).
urlpatterns = [
    path("healthz", healthz),
    path("", include("civicsocial.signin.urls")),
    path("", include("civicsocial.registry.urls")),
    path("", include("civicsocial.policy.urls")),
    path("", include("civicsocial.records.urls")),
    path("", include("civicsocial.inbox.urls")),
    path("api/", api.urls),
]
