"""Usage URLs, mounted under /t/<team>/usage/."""

from django.urls import path

from usage import views

urlpatterns = [
    path("", views.usage, name="usage"),
    path("refresh/", views.refresh, name="usage_refresh"),
]
