from django.urls import path

from omnicanal.web import views

app_name = "web"

urlpatterns = [
    path("", views.conversation_list, name="conversations"),
]
