"""Team URLs outside any one team: creating a team and accepting an invitation."""

from django.urls import path

from teams import views

urlpatterns = [
    path("new/", views.team_create, name="team_create"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
