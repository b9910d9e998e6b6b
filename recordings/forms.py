"""Forms of the recordings tree: names of projects and folders, and "Open by link"."""

from django import forms

from recordings import opening
from recordings.models import Project, Recording


class NameForm(forms.Form):
    """A project's or folder's name. Respeecher publishes no limit; ours is 1 to
    Project.NAME_MAX characters, checked before anything is sent."""

    name = forms.CharField(
        max_length=Project.NAME_MAX,
        strip=True,
        error_messages={
            "required": "Give it a name.",
            "max_length": f"Keep the name to {Project.NAME_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LabelForm(forms.Form):
    """A take's or conversion's label: empty clears it; Respeecher keeps at most
    Recording.LABEL_MAX characters, so a longer one is refused before anything is sent."""

    label = forms.CharField(
        required=False,
        max_length=Recording.LABEL_MAX,
        strip=True,
        error_messages={
            "max_length": f"Keep the label to {Recording.LABEL_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LinkForm(forms.Form):
    link = forms.CharField(
        max_length=2000,
        label="Respeecher project link",
        error_messages={"required": "Paste a Respeecher project link."},
        widget=forms.URLInput(attrs={"placeholder": "https://…/projects/…"}),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.token = None

    def clean_link(self):
        try:
            self.token = opening.project_token(self.account, self.cleaned_data["link"])
        except opening.BadLink as exc:
            raise forms.ValidationError(str(exc)) from exc
        return self.cleaned_data["link"]
