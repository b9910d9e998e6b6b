"""The originals list's rows and a recording's state as HTML, written here rather than in
the template: a page of 50 takes is some 1,000 template variables, a state include and
two date filters per row, and the template engine spent more on them than the rest of
the request (bench/recordings.py). Live order rows are still the jobs app's partial."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core.words import when

register = template.Library()

ORIGINAL = """  <tr class="original">
    {pick}<td>{star}</td>
    <td><a href="{url}">{label}</a>{file_name}{note}</td>
    <td>{source}</td>
    <td>{state}</td>
    <td>{created}</td>
  </tr>
"""

CONVERSION = """  <tr class="conversion">
    {pick}<td></td>
    <td class="indent">↳ {voice}{label}</td>
    <td class="muted small">Conversion</td>
    <td>{state}</td>
    <td>{created}</td>
  </tr>
"""

PICK = (
    '<td><input type="checkbox" name="ids" value="{pk}" form="bulk" aria-label="Select {name}">'
    "</td>\n    "
)


def state_html(recording) -> str:
    """A recording's state as a span (the list's rows and recordings/state.html), in our
    words: ready, failed with its reason, or processing. The provider's own word for
    the work under way ("postprocessing") is Respeecher's, not the reader's."""
    if recording.is_failed:
        error = recording.error or ""
        reason = f": {escape(Truncator(error).chars(60))}" if error else ""
        return f'<span class="bad small" title="{escape(error)}">Failed{reason}</span>'
    if recording.is_completed:
        return '<span class="good small">Ready</span>'
    if recording.is_unfinished:
        return '<span class="muted small">Processing…</span>'
    return '<span class="muted small">—</span>'


NOTE = """<div class="note" id="note-{pk}">{shown}{edit}</div>"""

NOTE_EDIT = """<details class="note-edit"{open}>
      <summary class="small">{summary}</summary>
      <form class="stack" method="post" action="{url}"
            hx-post="{url}" hx-target="#note-{pk}" hx-swap="outerHTML">
        <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
        <label class="visually-hidden" for="note-text-{pk}">Note on {name}</label>
        <textarea id="note-text-{pk}" name="text" rows="2"
                  data-counter="{max}"{invalid}>{typed}</textarea>
        <span class="small muted">Up to {max_words} characters, kept at Respeecher.</span>{error}
        <div><button type="submit" class="small">Save note</button></div>
      </form>{delete}
    </details>"""

NOTE_ERROR = """
        <span class="bad small" id="note-error-{pk}" role="alert">{error}</span>"""

NOTE_DELETE = """
      <form class="inline" method="post" action="{url}delete/"
            hx-post="{url}delete/" hx-target="#note-{pk}" hx-swap="outerHTML"
            data-confirm="Delete the note on {name}? Respeecher deletes it too.">
        <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
        <button type="submit" class="small danger">Delete note</button>
      </form>"""


def note_html(
    recording, *, url: str, can_change: bool, csrf: str, error: str = "", typed=None
) -> str:
    """A take's note and, for those who may change it, its edit and delete forms (the
    originals list's rows and the take page). `url` is the take's note address."""
    from recordings.models import Recording

    pk, text = recording.pk, recording.note_text if recording.note_remote_id else ""
    shown = f'<p class="small note-text"><span class="muted">Note:</span> {escape(text)}</p>'
    if not can_change:
        return NOTE.format(pk=pk, shown=shown if text else "", edit="")
    name = escape(recording.label or recording.file_name or "this take")
    edit = NOTE_EDIT.format(
        open=" open" if error else "",
        summary="Edit the note" if text else "Add a note",
        url=escape(url),
        pk=pk,
        csrf=escape(csrf),
        name=name,
        max=Recording.NOTE_MAX,
        max_words=f"{Recording.NOTE_MAX:,}",
        invalid=f' aria-invalid="true" aria-describedby="note-error-{pk}"' if error else "",
        typed=escape(typed if error and typed is not None else text),
        error=NOTE_ERROR.format(pk=pk, error=escape(error)) if error else "",
        delete=NOTE_DELETE.format(url=escape(url), pk=pk, csrf=escape(csrf), name=name)
        if text
        else "",
    )
    return NOTE.format(pk=pk, shown=shown if text else "", edit=edit)


def _created(recording) -> str:
    # As the `when` filter says it: "2 hours ago", with the exact time for a pointer.
    return when(recording.created_at) if recording.created_at else ""


def _original(take, can_change: bool, csrf: str = "") -> str:
    name = take.label or take.file_name or "the take without a label"
    note = ""
    if take.note_remote_id or can_change:
        note = note_html(take, url=f"{take.page_url}note/", can_change=can_change, csrf=csrf)
    return ORIGINAL.format(
        pick=PICK.format(pk=take.pk, name=escape(name)) if can_change else "",
        star='<span title="Starred" aria-label="Starred">★</span>' if take.starred else "",
        url=escape(take.page_url),
        # An unlabelled take is named by its file, so its link says which take it is.
        label=escape(take.label or take.file_name or "(no label)"),
        file_name=(
            f'<br><span class="muted small">{escape(take.file_name)}</span>'
            if take.file_name and take.label
            else ""
        ),
        note=note,
        source="Text to speech" if take.tts else "Upload",
        state=state_html(take),
        created=_created(take),
    )


def _conversion(conversion, can_change: bool) -> str:
    voice = conversion.model_name or conversion.model_id or "(voice unknown)"
    label = conversion.label
    return CONVERSION.format(
        pick="<td></td>\n    " if can_change else "",
        voice=escape(voice),
        label=f' <span class="muted small">“{escape(label)}”</span>' if label else "",
        state=state_html(conversion),
        created=_created(conversion),
    )


@register.simple_tag(takes_context=True)
def original_rows(context, originals):
    """Each take's row, then its conversions' rows (`shown_conversions`), then its orders
    still in flight as live job rows (`live_orders`, the jobs/list.html#row partial)."""
    membership = context.get("membership")
    can_change = bool(membership and membership.can_change)
    live_row, out = None, []
    csrf = str(context.get("csrf_token") or "") if can_change else ""
    for take in originals:
        out.append(_original(take, can_change, csrf))
        out.extend(_conversion(c, can_change) for c in take.shown_conversions)
        for order in take.live_orders:
            if live_row is None:
                live_row = context.template.engine.get_template("jobs/list.html#row")
            with context.push(job=order.job):
                out.append(live_row.render(context))
    return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped


@register.simple_tag
def recording_state(recording):
    return mark_safe(state_html(recording))  # noqa: S308 -- escaped in state_html


@register.simple_tag(takes_context=True)
def recording_note(context, recording, error="", typed=None):
    """The take page's note block (and the answer to an htmx note form)."""
    from django.urls import reverse

    membership = context.get("membership")
    can_change = bool(membership and membership.can_change)
    url = reverse(
        "recordings_note",
        kwargs={"team": recording.team.slug, "recording_id": recording.pk},
    )
    html = note_html(
        recording,
        url=url,
        can_change=can_change,
        csrf=str(context.get("csrf_token") or ""),
        error=error,
        typed=typed,
    )
    return mark_safe(html)  # noqa: S308 -- escaped in note_html
