"""Recordings URLs, mounted under /t/<team>/recordings/."""

from django.urls import path

from recordings import views

urlpatterns = [
    path("", views.project_list, name="recordings"),
    path("refresh/", views.refresh, name="recordings_refresh"),
    path("syncs/<int:sync_id>/", views.sync_status, name="recordings_sync_status"),
]
