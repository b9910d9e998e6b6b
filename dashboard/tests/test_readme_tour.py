"""The README's Tour shows screenshots that exist and stay small enough to load quickly
(`make screenshots` takes them again)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 200 * 1024


def tour_images():
    readme = (ROOT / "README.md").read_text()
    assert "\n## Tour\n" in readme, "the README has no Tour section"
    tour = readme.split("\n## Tour\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", tour)


def test_every_image_the_tour_shows_exists_and_is_small():
    images = tour_images()
    assert len(images) >= 6, "the Tour shows too few pages to be a tour"
    for image in images:
        path = ROOT / image
        assert path.is_file(), f"the README's Tour shows {image}, which is not there"
        assert path.stat().st_size <= MAX_BYTES, f"{image} is over 200 KB"
