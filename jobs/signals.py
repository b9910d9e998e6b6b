"""Signals other apps listen to (webhooks, activity): sent once per job and event."""

from django.dispatch import Signal

# Sent inside a transaction with job= and event= one of "created", "completed",
# "failed", "canceled". Receivers write rows; a receiver's error rolls the claim back,
# and the reconciler announces again later.
job_announced = Signal()
