"""What the dubbing pages ask A2E for and keep a while: its dubbing languages."""

from teams.connection import cached, client_for

LANGUAGES_CACHE = 24 * 3600


def languages_for(account) -> list[tuple[str, str]]:
    """A2E's dubbing languages for this account, refreshed daily."""
    languages = cached(
        account,
        "a2e-languages",
        LANGUAGES_CACHE,
        lambda: [
            (lang.value, lang.label or lang.value)
            for lang in client_for(account).list_languages()
            if lang.value
        ],
    )
    return [tuple(pair) for pair in languages]
