"""Names of what an export writes, built from Respeecher's words: a hostile upstream's ids,
labels and links can never climb out of the folder a zip is unpacked into."""

import re
from pathlib import PurePosixPath, PureWindowsPath

import pytest

from recordings.exporting import _entry_name, entry_names
from recordings.models import Recording
from recordings.tests.factories import FolderFactory, RecordingFactory

HOSTILE = [
    "../../etc/passwd",
    "..\\..\\Windows\\System32",
    "..",
    "...",
    ". .",
    "/absolute",
    "C:\\evil",
    "C:evil",
    "a\x00b\nc",
    "what?*<>|\"'",
    "",
]
HOSTILE_URLS = [
    "https://cdn.example/audio/take.wav",
    "https://cdn.example/audio/take.w/../../x",
    "https://cdn.example/audio/take.wav\\..\\..\\evil",
    "https://cdn.example/audio/take..",
    "https://cdn.example/audio/take.%2e%2e%2fx",
    "https://cdn.example/audio/take.averyveryverylongextension",
    "https://cdn.example/audio/",
]
# Letters and digits of any script, space and a little punctuation, and nothing else.
SAFE_PART = re.compile(r"[\w \-.,()'&+]+")


def _assert_stays_inside(name: str) -> None:
    for path in (PurePosixPath(name), PureWindowsPath(name)):
        assert not path.is_absolute() and not path.drive and not path.root
        assert ".." not in path.parts and "." not in path.parts
    parts = name.split("/")
    assert len(parts) == 2, name  # the take's folder, then "<take> → <voice>.<ext>"
    take, voice = parts[1].split(" → ")
    for part in (parts[0], take, voice):
        assert SAFE_PART.fullmatch(part) and ".." not in part, part
        assert part == part.strip(" ."), part


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_ids_labels_and_urls_never_leave_the_take_folder(hostile, url):
    # Only the first 8 characters of an id are used; the tail keeps the two ids apart.
    # Built, not saved: PostgreSQL would refuse the NUL before the name is ever made.
    take = RecordingFactory.build(remote_id=f"{hostile}#take", label=hostile, file_name=hostile)
    take.folder = FolderFactory.build(project=take.project, name=hostile)
    conversion = RecordingFactory.build(
        project=take.project,
        kind=Recording.Kind.CONVERSION,
        original=take,
        remote_id=f"{hostile}#conversion",
        model_name=hostile,
        raw={"url": url},
    )

    name = _entry_name(conversion)

    _assert_stays_inside(name)
    extension = name.rsplit(".", 1)[1]
    assert 1 <= len(extension) <= 8 and "/" not in extension


def _conversion(take, voice, remote_id, url="https://cdn.example/a/take.wav"):
    return RecordingFactory.build(
        project=take.project,
        kind=Recording.Kind.CONVERSION,
        original=take,
        remote_id=remote_id,
        model_name=voice,
        raw={"url": url},
    )


@pytest.mark.django_db
def test_entries_read_folder_take_and_voice_and_only_clashes_get_an_id():
    folder = FolderFactory.build(name="Episode 1")
    first = RecordingFactory.build(project=folder.project, folder=folder, label="Intro")
    second = RecordingFactory.build(project=folder.project, folder=folder, label="intro")
    other = RecordingFactory.build(project=folder.project, folder=folder, label="Outro")
    conversions = [
        _conversion(first, "Anna", "aaaaaaaa-1"),
        _conversion(first, "Anna", "bbbbbbbb-2"),
        _conversion(second, "Anna", "cccccccc-3"),
        _conversion(other, "Anna", "dddddddd-4", url="https://cdn.example/a/x.mp3"),
        # Ids that start alike still come apart.
        _conversion(first, "Anna", "bbbbbbbb-5"),
    ]

    assert entry_names(conversions) == [
        "Episode 1/Intro → Anna.wav",
        "Episode 1/Intro → Anna (bbbbbbbb).wav",
        "Episode 1/intro → Anna (cccccccc).wav",
        "Episode 1/Outro → Anna.mp3",
        "Episode 1/Intro → Anna (bbbbbbbb 2).wav",
    ]


def test_a_name_part_keeps_readable_words_and_replaces_the_rest():
    from recordings.exporting import safe_name

    assert safe_name("Canción de cuna, take 2 (final)", "take") == (
        "Canción de cuna, take 2 (final)"
    )
    assert safe_name("../..", "take") == "_"
    assert safe_name("a\\b/c:d", "take") == "a_b_c_d"
    assert safe_name("  ..  ", "take") == "take"
    assert safe_name(None, "voice") == "voice"
    assert len(safe_name("x" * 500, "take")) == 80
