"""Webhook settings URLs, mounted under /t/<team>/settings/webhooks/."""

from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.webhooks, name="webhooks"),
    path("new/", views.endpoint_create, name="webhook_create"),
    path("<int:endpoint_id>/", views.endpoint_edit, name="webhook_edit"),
    path("<int:endpoint_id>/secret/", views.endpoint_roll_secret, name="webhook_roll_secret"),
    path("<int:endpoint_id>/test/", views.endpoint_test, name="webhook_test"),
    path("<int:endpoint_id>/delete/", views.endpoint_delete, name="webhook_delete"),
    path("<int:endpoint_id>/deliveries/", views.deliveries, name="webhook_deliveries"),
    path(
        "deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="webhook_redeliver",
    ),
    path("inbound/<int:account_id>/", views.inbound_hook_create, name="inbound_hook_create"),
    path("inbound/<int:account_id>/delete/", views.inbound_hook_delete, name="inbound_hook_delete"),
]
