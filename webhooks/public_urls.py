"""The public inbound callback URL, outside any team: the token names the hook."""

from django.urls import path

from webhooks import views

urlpatterns = [
    path("in/<slug:provider>/<str:token>/", views.inbound_receive, name="webhook_inbound"),
]
