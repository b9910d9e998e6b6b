"""record(): the one way anything writes to a team's activity log."""

from activity.models import Activity, Verb

__all__ = ["Verb", "record"]


def record(team, verb, *, actor=None, target=None, label="", outcome="ok", message="", subject=""):
    """Write one entry. `target` is any model instance; its text and link are copied.
    `verb` is one of Activity.Verb, so that every entry has words the page can print."""
    verb = Activity.Verb(verb)  # an unknown verb is a mistake here, not a line on the page
    target_url = ""
    if target is not None and hasattr(target, "get_absolute_url"):
        try:
            target_url = target.get_absolute_url()
        except Exception:  # noqa: BLE001 - a link is a courtesy, never a reason to fail
            target_url = ""
    return Activity.objects.create(
        team=team,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        subject=subject[:60],
        target_label=(label or (str(target) if target is not None else ""))[:200],
        target_url=target_url[:300],
        outcome=outcome,
        message=message,
    )
