"""The one way views reach a team and its objects: membership checked, other teams a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from teams.models import Membership, Role

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_KEY = "current_team"


def team_view(write_role: str = Role.MEMBER, read_role: str = Role.VIEWER):
    """Decorate a view taking a `team` slug: resolves it to request.team for a member,
    404s for anyone else, and 403s a member whose role is below `write_role` on a
    change request (or below `read_role` on a read)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, team, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = (
                Membership.objects.select_related("team")
                .filter(user=request.user, team__slug=team)
                .first()
            )
            if membership is None:
                raise Http404("No such team.")
            needed = read_role if request.method in SAFE_METHODS else write_role
            if not membership.has_role(needed):
                raise PermissionDenied(refusal(membership, needed))
            request.team = membership.team
            request.membership = membership
            if request.session.get(SESSION_KEY) != membership.team.slug:
                request.session[SESSION_KEY] = membership.team.slug
            return view(request, membership.team, *args, **kwargs)

        return wrapper

    return decorator


def refusal(membership, needed: str) -> str:
    """Why a member may not do something, and who can change that, for the 403 page."""
    role = Role(needed).label.lower()
    fix = f"an owner can make you {'an' if role[0] in 'aeiou' else 'a'} {role} to do this."
    if membership.role == Role.VIEWER:
        return f"Viewers can listen and download; {fix}"
    return f"This needs the {role} role or above; {fix}"


def get_for_team(model_or_queryset, team, **lookup):
    """Fetch one object of `team` or raise 404, whether it is missing or another team's.
    The model's QuerySet must define for_team(), so the scoping rule lives with the model."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    return get_object_or_404(queryset.for_team(team), **lookup)


# The largest key a database integer column holds (SQLite's, PostgreSQL's bigint).
MAX_ID = 2**63 - 1


def ids_from(values, limit: int) -> list[int]:
    """The ids among `values` (ticked boxes sent with a form): whole numbers a key can
    hold, the first `limit` of them. Anything else is ignored, as an id of another team's
    row is: Django hands an out-of-range number in an `__in` lookup to the database, which
    fails (SQLite raises OverflowError) rather than finding nothing."""
    numbers = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 19]
    return [n for n in numbers if n <= MAX_ID][:limit]
