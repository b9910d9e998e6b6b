"""Avatar console URLs, mounted under /t/<team>/avatars/."""

from django.urls import path

from avatars import views

urlpatterns = [
    path("", views.avatar_list, name="avatars"),
    path("refresh/", views.refresh, name="avatars_refresh"),
    path("open/", views.room_open, name="avatars_open"),
    path("pictures/<str:avatar_id>/", views.picture, name="avatars_picture"),
    path("rooms/", views.history, name="avatars_history"),
    path("rooms/<int:room_id>/", views.room_detail, name="avatars_room"),
    path("rooms/<int:room_id>/say/", views.room_say, name="avatars_room_say"),
    path("rooms/<int:room_id>/context/", views.room_context, name="avatars_room_context"),
    path("rooms/<int:room_id>/leave/", views.room_leave, name="avatars_room_leave"),
    path("rooms/<int:room_id>/beat/", views.room_beat, name="avatars_room_beat"),
]
