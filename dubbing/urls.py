"""Dubbing URLs, mounted under /t/<team>/dubbing/."""

from django.urls import path

from dubbing import views

urlpatterns = [
    path("", views.dubbing_list, name="dubbing"),
    path("new/", views.dubbing_new, name="dubbing_new"),
    path("import/", views.dubbing_import, name="dubbing_import"),
    path("imports/<int:import_id>/", views.dubbing_import_status, name="dubbing_import_status"),
    path("bulk/", views.dubbing_bulk, name="dubbing_bulk"),
    path(
        "batches/<int:batch_id>/progress/",
        views.dubbing_batch_progress,
        name="dubbing_batch_progress",
    ),
    path("<int:job_id>/", views.dubbing_detail, name="dubbing_detail"),
    path("<int:job_id>/source/", views.dubbing_source, name="dubbing_source"),
    path("<int:job_id>/delete/", views.dubbing_delete, name="dubbing_delete"),
]
