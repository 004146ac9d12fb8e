from __future__ import annotations

from django.urls import path

from omnicanal.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home_redirect, name="home"),
    path("logo/<str:version>/", views.logo, name="logo"),
    path("files/<int:pk>/<str:name>", views.public_file, name="file"),
    path("<str:locale>/", views.index, name="index"),
    path("<str:locale>/categories/<slug:slug>/", views.category, name="category"),
    path("<str:locale>/search/", views.search, name="search"),
    path("<str:locale>/contact/", views.contact, name="contact"),
    path("<str:locale>/<slug:slug>/", views.article, name="article"),
    path("<str:locale>/<slug:slug>/feedback/", views.feedback, name="feedback"),
]
