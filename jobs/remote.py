"""What a provider says of one job, in the words the engine and every kind share."""

from dataclasses import dataclass, field
from typing import Any

from providers.mapping import DETAIL_LIMIT

# The states providers/ normalises every upstream status into.
QUEUED, PROCESSING, COMPLETED, FAILED = "queued", "processing", "completed", "failed"


class Unsendable(Exception):
    """The job cannot be sent at all (its input is gone, say): it fails with this
    message instead of being tried again."""


@dataclass(frozen=True)
class Remote:
    """What the provider says about one job right now."""

    remote_id: str
    state: str
    status: str = ""
    message: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # (role, url) of each result file to copy once completed.
    results: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # The provider's own words are kept only up to the providers' detail limit, as
        # every other upstream text is (shown to viewers, stored on the row and the log).
        if len(self.message or "") > DETAIL_LIMIT:
            object.__setattr__(self, "message", self.message[: DETAIL_LIMIT - 1] + "…")
