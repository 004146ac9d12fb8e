"""Review moderation and the team's answers (mounted at /surveys/reviews/)."""

from django.urls import URLPattern, path

from omnicanal.surveys import review_views

app_name = "reviews"

urlpatterns: list[URLPattern] = [
    path("", review_views.moderation, name="moderation"),
    path("<int:pk>/publish/", review_views.publish, name="publish"),
    path("<int:pk>/hide/", review_views.hide, name="hide"),
    path("<int:pk>/reply/", review_views.reply, name="reply"),
]
