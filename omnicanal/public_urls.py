"""What the public reaches without logging in: the web chat widget, the help center, survey
answers and published reviews."""

from django.urls import include, path

urlpatterns = [
    path("", include("omnicanal.connectors.webchat.urls")),
    path("help/", include("omnicanal.knowledge.urls")),
    path("survey/", include("omnicanal.surveys.answer_urls")),
    path("reviews/", include("omnicanal.surveys.public_review_urls")),
]
