"""Every model of ours has an admin, and every admin's list (searched) and add or change
page opens for a superuser: operators work in the Django admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from jobs.tests.factories import JobFactory
from recordings.models import Order
from recordings.tests.factories import RecordingFactory

OUR_APPS = {"teams", "jobs", "webhooks", "voices", "recordings", "dubbing", "activity"}


def test_every_model_of_ours_has_an_admin():
    """Its own, or as an inline of its parent's (a job's events and files)."""
    shown = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        shown |= {inline.model for inline in model_admin.inlines}
    missing = [
        model._meta.label
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model not in shown
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_list_and_one_change_page_open(admin_user, team):
    original = RecordingFactory(project__team=team, project__account__team=team)
    Order.objects.create(
        team=team, job=JobFactory(team=team), original=original, voice_name="Narrator"
    )
    client = Client()
    client.force_login(admin_user)
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        response = client.get(reverse(f"{name}_changelist") + "?q=a")
        assert response.status_code == 200, model._meta.label
        row = model.objects.first()
        if row is not None:
            page = client.get(reverse(f"{name}_change", args=[row.pk]))
            assert page.status_code == 200, model._meta.label
