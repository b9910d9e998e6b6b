"""Dubbing URLs, mounted under /t/<team>/dubbing/."""

from django.urls import path

from dubbing import views

urlpatterns = [
    path("", views.dubbing_list, name="dubbing"),
    path("new/", views.dubbing_new, name="dubbing_new"),
    path("import/", views.dubbing_import, name="dubbing_import"),
]
