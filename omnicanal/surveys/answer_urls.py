"""Customers answering a survey without logging in: one-click e-mail links, the chat widget
(mounted at /survey/)."""

from django.urls import URLPattern, path

from omnicanal.surveys import answer_views

app_name = "survey_answer"

urlpatterns: list[URLPattern] = [
    path("<str:token>/", answer_views.scale, name="scale"),
    path("<str:token>/answer/", answer_views.widget_answer, name="widget_answer"),
    path("<str:token>/thanks/", answer_views.thanks, name="thanks"),
    path("<str:token>/<int:score>/", answer_views.choose, name="choose"),
]
