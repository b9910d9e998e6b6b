"""A2E's streaming avatars per account, kept an hour (they change rarely), and the
account's coins."""

from providers import UpstreamError
from teams.connection import cached, client_for, forget

AVATARS_TTL = 3600
AVATARS_KEY = "streaming-avatars"


def avatars(account) -> list[dict]:
    """The account's avatars as `{id, name, picture}`, from the hour's cache."""

    def fetch():
        found = []
        for avatar in client_for(account).list_streaming_avatars():
            if avatar.id:
                found.append(
                    {
                        "id": avatar.id,
                        "name": avatar.name or avatar.id,
                        "picture": _picture(avatar.raw),
                    }
                )
        return found

    return cached(account, AVATARS_KEY, AVATARS_TTL, fetch)


def refresh(account) -> None:
    forget(account, AVATARS_KEY)


def _picture(raw: dict) -> str:
    """A picture of the avatar where the payload has one (A2E names it several ways)."""
    for key in ("video_cover", "cover", "cover_url", "image", "image_url", "thumbnail", "avatar"):
        value = raw.get(key)
        if isinstance(value, str) and value.startswith("https://"):
            return value
    return ""


def coins(account) -> float | None:
    try:
        return client_for(account).remaining_coins().coins
    except UpstreamError:
        return None
