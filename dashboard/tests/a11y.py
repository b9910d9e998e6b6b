"""Reads a rendered page the way assistive technology names things: media players, buttons,
live regions. A helper for the apps' page tests."""

from html.parser import HTMLParser


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs, text inside, text inside not aria-hidden)
        self._open = []

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), [], []]
        self.elements.append(element)
        if tag not in ("input", "br", "img", "meta", "link", "source", "track"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        hidden = any(e[1].get("aria-hidden") == "true" for e in self._open)
        for element in self._open:
            element[2].append(data)
            if not hidden:
                element[3].append(data)


def elements(html: str, *tags: str) -> list[tuple[str, dict, str]]:
    """Each element of these tags: (tag, attributes, its accessible text)."""
    tree = _Tree()
    tree.feed(html)
    return [
        (tag, attrs, " ".join("".join(spoken).split()))
        for tag, attrs, _text, spoken in tree.elements
        if tag in tags
    ]


def unnamed_media(html: str) -> list[dict]:
    """The <audio>/<video> players a screen reader could only call "audio" or "video"."""
    return [
        attrs
        for _tag, attrs, _text in elements(html, "audio", "video")
        if not (attrs.get("aria-label") or "").strip()
    ]


def button_name(attrs: dict, text: str) -> str:
    """A button's accessible name: aria-label if set, else the text it reads out."""
    return (attrs.get("aria-label") or text).strip()
