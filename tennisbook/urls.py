from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, metrics, offline, status
from .api import docs, exceptions

api_patterns = [
    path("auth/", include("accounts.urls")),
    path("", include("configs.urls")),
    path("", include("bookings.urls")),
    path("", include("realtime.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", docs.RedocView.as_view(url_name="schema"), name="redoc"),
]
api_patterns += [
    path("", docs.APIRootView.as_view(patterns=api_patterns), name="api-root"),
    # Last: any other /api/ path answers the API's JSON 404, DEBUG or not.
    re_path(r"^.*$", exceptions.api_not_found, name="api-not-found"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("status.json", status.status_feed, name="status-feed"),
    path("metrics", metrics.metrics, name="metrics"),
    # The service worker sits at the root so that it may control every page.
    path("sw.js", offline.service_worker, name="service-worker"),
    path("offline", offline.offline_page, name="offline"),
    path("admin/configs/", include("configs.admin")),
    path("admin/bookings/", include("bookings.admin")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.page_urls")),
    path("", include("configs.page_urls")),
    path("", include("bookings.page_urls")),
    path("notifications/", include("realtime.page_urls")),
    path("api/", include(api_patterns)),
    path("api-auth/", include("rest_framework.urls")),
]

# API paths answer errors in the API's error format; pages keep Django's.
handler400 = "tennisbook.api.exceptions.bad_request"
handler403 = "tennisbook.api.exceptions.permission_denied"
handler404 = "tennisbook.api.exceptions.page_not_found"
handler500 = "tennisbook.api.exceptions.server_error"
