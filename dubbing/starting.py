"""Starting a dubbing: one batch for the source, one job per target language."""

from dubbing.forms import source_rules
from dubbing.kinds import A2EDubbing
from dubbing.models import Batch
from jobs import inputs


def start_batch(*, account, by, data: dict, labels: dict[str, str]) -> Batch:
    """Store the uploaded source (if any), write the batch and start a dubbing into each
    of `data["targets"]`; `data` is a valid DubbingForm's cleaned data and `labels`
    names the languages. Call inside a transaction: submissions start after commit."""
    team = account.team
    source = inputs.store(team, data["source"], source_rules(), user=by) if data["source"] else None
    batch = Batch.objects.create(
        team=team,
        name=data["name"],
        source=source,
        source_url=data["source_url"] or "",
        source_lang=data["source_lang"],
        num_speakers=data["num_speakers"],
        drop_background_audio=data["drop_background_audio"],
        created_by=by,
    )
    for target in data["targets"]:
        A2EDubbing.start(
            batch=batch,
            account=account,
            target=target,
            target_label=labels.get(target, target),
            by=by,
        )
    return batch
