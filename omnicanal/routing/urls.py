from django.urls import path

from omnicanal.routing import views

app_name = "routing"

urlpatterns = [
    path("presence/", views.presence, name="presence"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/reassign/", views.reassign, name="reassign"),
]
