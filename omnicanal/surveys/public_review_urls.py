"""The public page and embeddable block of verified reviews (mounted at /reviews/)."""

from django.urls import URLPattern, path

from omnicanal.surveys import review_views

app_name = "public_reviews"

urlpatterns: list[URLPattern] = [
    path("", review_views.public_home, name="home"),
    path("embed/", review_views.embed, name="embed"),
    path("<str:locale>/", review_views.public_page, name="page"),
]
