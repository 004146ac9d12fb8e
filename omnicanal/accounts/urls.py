from django.contrib.auth import views as auth_views
from django.urls import path

from omnicanal.accounts import setup_views, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("setup/", setup_views.setup_page, name="setup"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/sent/", views.password_forgot_sent, name="password_forgot_sent"),
    path("agent-photos/<str:name>", views.agent_photo, name="agent_photo"),
    path("password/reset/<str:uidb64>/<str:token>/", views.password_reset, name="password_reset"),
]
