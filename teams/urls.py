"""Team settings URLs, mounted under /t/<team>/settings/."""

from django.urls import path

from teams import views

urlpatterns = [
    path("", views.team_settings, name="team_settings"),
    path("delete/", views.team_delete, name="team_delete"),
    path("members/", views.members, name="members"),
    path("members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/", views.invitation_create, name="invitation_create"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("providers/", views.providers, name="providers"),
    path("providers/connect/respeecher/login/", views.provider_login, name="provider_login"),
    path("providers/connect/<slug:provider>/", views.provider_connect, name="provider_connect"),
    path("providers/<int:account_id>/test/", views.provider_test, name="provider_test"),
    path(
        "providers/<int:account_id>/assistants/",
        views.provider_assistants,
        name="provider_assistants",
    ),
    path("providers/<int:account_id>/delete/", views.provider_delete, name="provider_delete"),
]
