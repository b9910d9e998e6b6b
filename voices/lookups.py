"""What the voice pages ask providers for and keep a while: Respeecher folders, Burki's
cloning providers, a Respeecher accent's sample. A form sent back with an error, or a
player opened twice, costs no second upstream call."""

from providers import UpstreamError
from providers.burki import CloningProvider
from teams.connection import burki_assistants, cached, client_for
from teams.models import Provider

FOLDERS_CACHE = 300
FOLDER_PROJECTS = 20
PROVIDERS_CACHE = 3600
ASSISTANTS_CACHE = 3600
SAMPLE_CACHE = 3600
# A sample that could not be fetched is not asked for again for this long: its page
# says why at once instead of waiting out the client's retries on every play.
SAMPLE_FAILURE_CACHE = 600


def respeecher_folders(account) -> list[tuple[str, str]]:
    """(folder id, "Project / Folder") of the account's first projects, kept five minutes."""

    def fetch():
        client = client_for(account)
        return [
            (folder.id, f"{project.name or project.id} / {folder.name}")
            for project in list(client.list_projects(limit=FOLDER_PROJECTS))
            for folder in client.list_folders(project.id, limit=50)
        ]

    return [tuple(f) for f in cached(account, "respeecher-folders", FOLDERS_CACHE, fetch)]


def burki_providers(account, assistant_id: int) -> list[CloningProvider]:
    """The assistant's cloning providers and their sample limits, kept an hour."""
    raw = cached(
        account,
        f"burki-providers:{assistant_id}",
        PROVIDERS_CACHE,
        lambda: [p.raw for p in client_for(account).list_cloning_providers(assistant_id)],
    )
    return [CloningProvider.from_raw(r) for r in raw]


def burki_assistant_names(account) -> dict[int, str]:
    """Each followed assistant's name: Burki's list, kept an hour; while Burki does not
    answer, the name the catalog last synced; else "Assistant N"."""
    from voices.sync import known_assistant_name

    try:
        listed = cached(
            account, "burki-assistant-names", ASSISTANTS_CACHE, lambda: burki_assistants(account)
        )
    except UpstreamError:
        listed = []
    names = {int(assistant_id): name for assistant_id, name in listed}
    return {
        a: names.get(a) or known_assistant_name(account, a) or f"Assistant {a}"
        for a in account.followed_assistants
    }


def sample_url(voice) -> str:
    """A link to hear the voice: its own sample, else (Respeecher) its default accent's
    first sample, asked for only now (one call per accent, too many to make per list)
    and kept an hour. Raises UpstreamError when Respeecher does not answer."""
    if voice.sample_url or voice.provider != Provider.RESPEECHER:
        return voice.sample_url
    accents = [a for a in voice.raw.get("accents") or [] if isinstance(a, dict) and a.get("id")]
    if not accents:
        return ""
    accent = next((a for a in accents if a.get("is_default")), accents[0])

    def fetch():
        samples = client_for(voice.account).list_accent_samples(str(accent["id"]))
        return next((s.get("url") for s in samples if s.get("url")), "")

    return cached(voice.account, f"respeecher-sample:{accent['id']}", SAMPLE_CACHE, fetch)


def _failure_key(voice) -> str:
    return f"voices:sample-failed:{voice.pk}:{voice.sample_url or voice.remote_id}"


def sample_failure(voice) -> str:
    """Why the voice's sample could not be fetched lately, or "" (see remember_failure)."""
    from django.core.cache import cache

    return cache.get(_failure_key(voice)) or ""


def remember_failure(voice, reason: str) -> None:
    from django.core.cache import cache

    cache.set(_failure_key(voice), reason or "it could not be fetched", SAMPLE_FAILURE_CACHE)
