"""Uploads and speech into a folder started before they had rows of their own still
show on their folder's page: the migration gives each the row, while its folder is
still in the mirror."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jobs.tests.factories import JobFactory
from recordings.models import Arrival
from recordings.tests.factories import FolderFactory

BEFORE = [("recordings", "0003_orders")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_each_folder_job_gets_its_arrival_and_only_those(team):
    folder = FolderFactory(project__team=team)
    try:
        _migrate(BEFORE)

        def job(kind, folder_pk):
            return JobFactory(
                team=team, kind=kind, params={"folder_pk": folder_pk, "folder_id": "f"}
            )

        upload = job("respeecher.upload", folder.pk)
        spoken = job("respeecher.speech", folder.pk)
        job("respeecher.speech", None)  # from the Voices page: no folder of the mirror
        job("respeecher.upload", folder.pk + 1000)  # its folder went since
        job("a2e.dubbing", folder.pk)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert {(a.job_id, a.folder, a.kind) for a in Arrival.objects.all()} == {
        (upload.pk, folder, Arrival.Kind.UPLOAD),
        (spoken.pk, folder, Arrival.Kind.SPEECH),
    }
