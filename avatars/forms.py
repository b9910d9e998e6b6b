"""Forms of the avatar console: opening a room, speaking or asking, the Q&A context.
Every check runs here, so bad input sends nothing to A2E."""

from django import forms
from django.conf import settings

from avatars.talking import QA_CONTEXT_MAX, TEXT_MAX


class OpenForm(forms.Form):
    avatar = forms.ChoiceField(
        error_messages={
            "required": "Choose an avatar.",
            "invalid_choice": "That avatar is not one of this account's.",
        }
    )
    # The list page writes each avatar's minutes input itself; the range is checked here.
    minutes = forms.IntegerField(
        error_messages={"required": "Choose how long the room stays open."},
    )

    def __init__(self, *args, avatars, **kwargs):
        super().__init__(*args, **kwargs)
        self.avatars = {a["id"]: a for a in avatars}
        self.fields["avatar"].choices = [(a["id"], a["name"]) for a in avatars]

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        most = settings.AVATAR_MAX_MINUTES
        if not 1 <= minutes <= most:
            raise forms.ValidationError(f"A room stays open 1 to {most} minutes.")
        return minutes

    @property
    def chosen_avatar(self) -> dict:
        return self.avatars[self.cleaned_data["avatar"]]


class SayForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX,
        strip=True,
        error_messages={
            "required": "Type something for the avatar to say or answer.",
            "max_length": f"Keep it to {TEXT_MAX} characters or fewer.",
        },
        widget=forms.Textarea(attrs={"rows": 3, "data-counter": TEXT_MAX}),
    )


class ContextForm(forms.Form):
    context = forms.CharField(
        label="Q&A context",
        max_length=QA_CONTEXT_MAX,
        strip=False,
        error_messages={
            "required": "Type the knowledge the avatar answers from.",
            "max_length": f"The context is at most {QA_CONTEXT_MAX} characters.",
        },
        help_text=(
            "What the avatar knows when it is asked. A2E keeps it for this room. "
            f"At most {QA_CONTEXT_MAX:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "data-counter": QA_CONTEXT_MAX}),
    )

    def clean_context(self):
        context = self.cleaned_data["context"]
        if not context.strip():
            raise forms.ValidationError("Type the knowledge the avatar answers from.")
        return context
