"""Form fields no domain owns: several files chosen in one file input."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes many files; cleans to a list (empty when none was chosen).
    `accept` is the browser's file-picker hint, e.g. ".wav,.mp3,audio/*"."""

    def __init__(self, *args, accept: str = "", **kwargs):
        attrs = {"accept": accept} if accept else {}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []
