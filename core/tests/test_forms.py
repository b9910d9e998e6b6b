"""The multi-file field: many files in one input, each checked as a single file would be."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from core.forms import MultipleFileField


class Upload(forms.Form):
    files = MultipleFileField(required=False, accept="audio/*")


def _file(name, body=b"RIFF"):
    return SimpleUploadedFile(name, body, content_type="audio/wav")


def test_every_chosen_file_is_kept_in_order():
    form = Upload(files=MultiValueDict({"files": [_file("a.wav"), _file("b.wav")]}))

    assert form.is_valid()
    assert [f.name for f in form.cleaned_data["files"]] == ["a.wav", "b.wav"]


def test_no_file_chosen_is_an_empty_list():
    form = Upload(files=MultiValueDict())

    assert form.is_valid() and form.cleaned_data["files"] == []


def test_one_empty_file_among_many_is_refused():
    form = Upload(files=MultiValueDict({"files": [_file("a.wav"), _file("b.wav", b"")]}))

    assert not form.is_valid() and "files" in form.errors


@pytest.mark.parametrize("accept", ["audio/*", ".wav,.mp3"])
def test_the_input_takes_many_files_of_the_kinds_offered(accept):
    field = MultipleFileField(accept=accept)

    html = field.widget.render("files", None)

    assert "multiple" in html and f'accept="{accept}"' in html
