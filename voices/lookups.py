"""What the voice pages ask providers for and keep a while: Respeecher folders, Burki's
cloning providers and an assistant's voice samples, a Respeecher accent's sample. A
form sent back with an error, or a player opened twice, costs no second upstream call."""

from providers import UpstreamError
from providers.burki import CloningProvider, VoiceSample
from teams.connection import burki_assistants, cached, client_for, forget
from teams.models import Provider

FOLDERS_CACHE = 300
FOLDER_PROJECTS = 20
PROVIDERS_CACHE = 3600
# Short: a sample uploaded by a clone shows on the next read; the samples page reads anew.
SAMPLES_CACHE = 300
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


def burki_samples(account, assistant_id: int, *, fresh: bool = False) -> list[VoiceSample]:
    """The assistant's uploaded voice samples (Burki's `voice-samples/list`), kept five
    minutes for the clone form; `fresh` reads them again (the samples page does)."""
    name = f"burki-samples:{assistant_id}"
    if fresh:
        forget(account, name)
    raw = cached(
        account,
        name,
        SAMPLES_CACHE,
        lambda: [s.raw for s in client_for(account).list_voice_samples(assistant_id)],
    )
    return [VoiceSample.from_raw(r) for r in raw]


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
    accents = accents_of(voice)
    if not accents:
        return ""
    accent = next((a for a in accents if a.get("is_default")), accents[0])
    return accent_sample_url(voice, str(accent["id"]))


def accents_of(voice) -> list[dict]:
    """A Respeecher voice's accents as its record lists them (none for other providers)."""
    if voice.provider != Provider.RESPEECHER:
        return []
    return [a for a in voice.raw.get("accents") or [] if isinstance(a, dict) and a.get("id")]


def accent_sample_url(voice, accent_id: str) -> str:
    """The first sample of one of a Respeecher voice's accents, asked for only when
    someone plays it, and kept an hour. Respeecher does not document the answer's
    shape: the first item with a `url` is taken. Raises UpstreamError."""

    def fetch():
        samples = client_for(voice.account).list_accent_samples(accent_id)
        return next((s.get("url") for s in samples if s.get("url")), "")

    return cached(voice.account, f"respeecher-sample:{accent_id}", SAMPLE_CACHE, fetch)


def _failure_key(voice, accent_id: str = "") -> str:
    where = f"accent:{accent_id}" if accent_id else voice.sample_url or voice.remote_id
    return f"voices:sample-failed:{voice.pk}:{where}"


def sample_failure(voice, accent_id: str = "") -> str:
    """Why the voice's sample (or one accent's) could not be fetched lately, or ""
    (see remember_failure)."""
    from django.core.cache import cache

    return cache.get(_failure_key(voice, accent_id)) or ""


def remember_failure(voice, reason: str, accent_id: str = "") -> None:
    from django.core.cache import cache

    key = _failure_key(voice, accent_id)
    cache.set(key, reason or "it could not be fetched", SAMPLE_FAILURE_CACHE)
