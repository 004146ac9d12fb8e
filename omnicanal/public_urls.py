"""What the public reaches without logging in: the web chat widget and the help center."""

from django.urls import include, path

urlpatterns = [
    path("", include("omnicanal.connectors.webchat.urls")),
    path("help/", include("omnicanal.knowledge.urls")),
]
