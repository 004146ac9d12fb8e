from django.urls import path

from omnicanal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("read/", views.notification_read_all, name="read_all"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("agents/", views.mentionable_agents, name="agents"),
]
