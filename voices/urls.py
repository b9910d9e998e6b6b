"""Voice URLs, mounted under /t/<team>/voices/."""

from django.urls import path

from voices import views

urlpatterns = [
    path("", views.catalog, name="voices"),
    path("clone/", views.clone_new, name="voices_clone"),
    path("bulk/", views.bulk, name="voices_bulk"),
    path("speech/", views.speech, name="voices_speech"),
    path("burki/", views.burki_insights, name="voices_burki"),
    path("burki/clone/", views.burki_clone, name="voices_burki_clone"),
    path("burki/samples/", views.burki_samples, name="voices_burki_samples"),
    path("refresh/<str:provider>/", views.refresh, name="voices_refresh"),
    path("syncs/<int:run_id>/", views.sync_status, name="voices_sync_status"),
    path("<int:voice_id>/", views.voice_detail, name="voice_detail"),
    path("<int:voice_id>/favorite/", views.toggle_favorite, name="voice_favorite"),
    path("<int:voice_id>/delete/", views.voice_delete, name="voice_delete"),
    path("<int:voice_id>/settings/", views.voice_settings, name="voice_settings"),
    path(
        "<int:voice_id>/favourite/style/",
        views.voice_favourite,
        {"what": "narration_style_id"},
        name="voice_favourite_style",
    ),
    path(
        "<int:voice_id>/favourite/accent/",
        views.voice_favourite,
        {"what": "accent_id"},
        name="voice_favourite_accent",
    ),
    path(
        "<int:voice_id>/accents/<str:accent_id>/sample/",
        views.voice_accent_audio,
        name="voice_accent_audio",
    ),
    path("<int:voice_id>/sample/", views.voice_sample, name="voice_sample"),
    path("<int:voice_id>/sample/audio/", views.voice_sample_audio, name="voice_sample_audio"),
]
