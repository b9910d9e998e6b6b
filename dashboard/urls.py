"""URL configuration: team pages live under /t/<team slug>/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views
from dashboard.forms import LoginForm
from jobs import views as job_views

team_patterns = [
    path("", views.home, name="home"),
    path("voices/", include("voices.urls")),
    path("recordings/", include("recordings.urls")),
    path("dubbing/", include("dubbing.urls")),
    path("avatars/", include("avatars.urls")),
    path("activity/", include("activity.urls")),
    path("usage/", include("usage.urls")),
    path("settings/", include("teams.urls")),
    path("jobs/", include("jobs.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
]

urlpatterns = [
    path("", views.root, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("files/<str:token>/", job_views.input_file, name="input_file"),
    path("t/<slug:team>/", include(team_patterns)),
    path("teams/", include("teams.public_urls")),
    path("webhooks/", include("webhooks.public_urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]
