from django.contrib import admin
from django.urls import include, path

from omnicanal.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/", include("omnicanal.connectors.urls")),
    path("", include("omnicanal.public_urls")),
    path("", include("omnicanal.accounts.urls")),
    path("", include("omnicanal.routing.urls")),
    path("notifications/", include("omnicanal.notifications.urls")),
    path("", include("omnicanal.demo.urls")),
    path("", include("omnicanal.web.urls")),
]
