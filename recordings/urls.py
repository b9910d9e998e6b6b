"""Recordings URLs, mounted under /t/<team>/recordings/."""

from django.urls import path

from recordings import calibration_views, views

urlpatterns = [
    path("", views.project_list, name="recordings"),
    path("refresh/", views.refresh, name="recordings_refresh"),
    path("syncs/<int:sync_id>/", views.sync_status, name="recordings_sync_status"),
    path("new/", views.project_create, name="recordings_project_create"),
    path("open/", views.open_link, name="recordings_open"),
    path("projects/<int:project_id>/", views.project_detail, name="recordings_project"),
    path(
        "projects/<int:project_id>/rename/", views.project_rename, name="recordings_project_rename"
    ),
    path(
        "projects/<int:project_id>/delete/", views.project_delete, name="recordings_project_delete"
    ),
    path(
        "projects/<int:project_id>/folders/new/",
        views.folder_create,
        name="recordings_folder_create",
    ),
    path("folders/<int:folder_id>/", views.folder_detail, name="recordings_folder"),
    path("folders/<int:folder_id>/rename/", views.folder_rename, name="recordings_folder_rename"),
    path("folders/<int:folder_id>/delete/", views.folder_delete, name="recordings_folder_delete"),
    path("takes/<int:recording_id>/", views.take_detail, name="recordings_take"),
    path("takes/<int:recording_id>/star/", views.recording_star, name="recordings_star"),
    path(
        "takes/<int:recording_id>/media/<str:part>/",
        views.recording_media,
        name="recordings_media",
    ),
    path("takes/<int:recording_id>/label/", views.recording_label, name="recordings_label"),
    path("folders/<int:folder_id>/upload/", views.folder_upload, name="recordings_upload"),
    path("folders/<int:folder_id>/speak/", views.folder_speak, name="recordings_speak"),
    path("takes/<int:recording_id>/replace/", views.recording_replace, name="recordings_replace"),
]
urlpatterns += [
    path("folders/<int:folder_id>/order/", views.order_create, name="recordings_order"),
    path("takes/<int:recording_id>/retry/", views.conversion_retry, name="recordings_retry"),
    path(
        "projects/<int:project_id>/export/", views.project_export, name="recordings_project_export"
    ),
    path("takes/<int:recording_id>/export/", views.take_export, name="recordings_take_export"),
    path("folders/<int:folder_id>/bulk/star/", views.bulk_star, name="recordings_bulk_star"),
    path("folders/<int:folder_id>/bulk/delete/", views.bulk_delete, name="recordings_bulk_delete"),
    path("folders/<int:folder_id>/bulk/export/", views.bulk_export, name="recordings_bulk_export"),
]
urlpatterns += [
    path("calibrations/", calibration_views.calibrations, name="recordings_calibrations"),
    path(
        "calibrations/new/",
        calibration_views.calibration_create,
        name="recordings_calibration_create",
    ),
    path(
        "calibrations/auto/", calibration_views.calibration_auto, name="recordings_calibration_auto"
    ),
    path(
        "calibrations/refresh/",
        calibration_views.calibration_refresh,
        name="recordings_calibration_refresh",
    ),
    path(
        "calibrations/<int:calibration_id>/enable/",
        calibration_views.calibration_enable,
        name="recordings_calibration_enable",
    ),
    path(
        "takes/<int:recording_id>/calibrate/",
        calibration_views.calibration_from_take,
        name="recordings_calibration_from_take",
    ),
    path(
        "calibrations/<int:calibration_id>/delete/",
        calibration_views.calibration_delete,
        name="recordings_calibration_delete",
    ),
]
urlpatterns += [
    path("takes/<int:recording_id>/note/", views.recording_note, name="recordings_note"),
    path(
        "takes/<int:recording_id>/note/delete/",
        views.recording_note_delete,
        name="recordings_note_delete",
    ),
]
urlpatterns += [
    path("takes/<int:recording_id>/delete/", views.take_delete, name="recordings_take_delete"),
]
