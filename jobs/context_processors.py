"""Puts the count of the current team's jobs in flight into every template, for the
header's badge to say on first paint (it then keeps itself up to date)."""

from jobs.models import Job


def jobs_in_flight(request):
    team = getattr(request, "team", None)
    if team is None:
        return {}
    # A callable, so the count is asked only by templates that show the badge.
    return {"jobs_in_flight": lambda: Job.objects.for_team(team).unfinished().count()}
