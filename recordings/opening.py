"""Opening a Respeecher project by its link: the link is read here, the project found
with `by-url`, and mirrored if it is new to us."""

import re
from urllib.parse import urlsplit

from django.db import transaction

from activity.log import Verb, record
from providers import NotFound, UpstreamError
from recordings import runs, sync
from recordings.models import Project
from teams.connection import client_for
from teams.models import url_origin

# Respeecher's project `url` is a slug-like token (the sandbox's is `<slug>-<8 hex>`);
# a link shows it as the path segment after `projects`.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")
RESPEECHER_DOMAIN = "respeecher.com"


class BadLink(ValueError):
    """A pasted text that is not a project link of the account's Respeecher site."""


def _under_respeecher(host: str) -> bool:
    return host == RESPEECHER_DOMAIN or host.endswith("." + RESPEECHER_DOMAIN)


def project_token(account, link: str) -> str:
    """The project token in `link`, or BadLink saying why not. The web app and the API
    gateway are different hosts of respeecher.com, so any of its hosts is accepted for an
    account at Respeecher itself; an account elsewhere (the sandbox, a proxy) accepts
    links to its own origin only."""
    link = (link or "").strip()
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise BadLink("Paste the whole link, starting with https://.")
    account_host = (urlsplit(account.base_url).hostname or "").lower()
    if _under_respeecher(account_host):
        same_site = _under_respeecher(host) and parts.scheme == "https"
    else:
        same_site = url_origin(link) == url_origin(account.base_url)
    if not same_site:
        raise BadLink(f"That is a link to {host}, not to this team's Respeecher.")
    segments = [s for s in parts.path.split("/") if s]
    if "projects" not in segments:
        raise BadLink("That link is not to a Respeecher project (no /projects/ in it).")
    after = len(segments) - segments[::-1].index("projects")
    if after >= len(segments) or not TOKEN.fullmatch(segments[after]):
        raise BadLink("That link does not name a project after /projects/.")
    return segments[after]


def open_project(account, token: str, user=None) -> tuple[Project | None, str | None, bool]:
    """(project, None, new) once Respeecher finds it; (None, reason, False) when not.
    A project new to us is mirrored and a refresh is asked for, to bring in its tree."""
    try:
        found = client_for(account).get_project_by_url(token)
    except NotFound:
        return None, "Respeecher has no project at that link on this team's account.", False
    except UpstreamError as exc:
        return None, exc.message, False
    if not found.id:
        return None, "Respeecher answered without a project id.", False
    with transaction.atomic():
        known = Project.objects.filter(account=account, remote_id=found.id).exists()
        project = sync.save_one(Project, account, sync.project_record(found))
        if not known:
            record(account.team, Verb.PROJECT_OPENED, actor=user, target=project)
            runs.request_sync(account, user=user)
    return project, None, not known
