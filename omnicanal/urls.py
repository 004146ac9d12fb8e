from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from omnicanal.api import api

# Django's admin: a technical back office for superusers (User.is_staff), not a settings page.
admin.site.site_header = _("Omnicanal — technical administration")
admin.site.site_title = _("Omnicanal — technical administration")
admin.site.index_title = _("Omnicanal — technical administration")

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/", include("omnicanal.connectors.urls")),
    # Our replies' files for providers and web chat visitors, behind signed expiring links.
    path("files/", include("omnicanal.connectors.media_urls")),
    # Browsers ask for it whatever the pages' <link rel="icon"> says.
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("", include("omnicanal.public_urls")),
    path("", include("omnicanal.accounts.urls")),
    path("", include("omnicanal.routing.urls")),
    path("notifications/", include("omnicanal.notifications.urls")),
    path("knowledge/", include("omnicanal.knowledge.workspace_urls")),
    path("assistant/", include("omnicanal.assistant.urls")),
    path("surveys/reviews/", include("omnicanal.surveys.review_urls")),
    path("surveys/", include("omnicanal.surveys.urls")),
    path("reports/journeys/", include("omnicanal.analytics.journey_urls")),
    path("reports/pilots/", include("omnicanal.analytics.pilot_urls")),
    path("reports/", include("omnicanal.analytics.urls")),
    path("", include("omnicanal.demo.urls")),
    path("", include("omnicanal.web.urls")),
]
