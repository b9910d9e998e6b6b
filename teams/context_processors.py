"""Puts the current team, the user's role in it and their other teams into every template."""

from teams.models import Membership


def current_team(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "team": getattr(request, "team", None),
        "membership": getattr(request, "membership", None),
        # Lazy: evaluated only by templates that render the team switcher.
        "my_memberships": Membership.objects.filter(user=user).select_related("team"),
    }
