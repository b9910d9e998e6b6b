"""Viewers are never shown a form they cannot send. Every page a viewer can open, in a
team with a row of every kind, is walked (on the URL walker, so a page added later is
walked too); each enabled submit button, field to fill in and hx-post is sent as the
viewer, and none may be refused. A page that is only a form for changes is refused on
GET as on POST, with a 403 page that says why in words, and no page links to it."""

from html.parser import HTMLParser

import httpx
import pytest
import respx
from django.test import Client

from dashboard.tests.factories import team_with_everything
from dashboard.tests.urlwalk import TEAM_ROUTES, walk_urls
from teams.models import Role
from teams.tests.factories import MembershipFactory


class Sends(HTMLParser):
    """The URLs a page's enabled controls would POST to: each post form's action (the
    page itself when it has none) once it has an enabled submit button or a field to
    fill in, and every element with an hx-post."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = {}  # id (or a made-up key) -> action, for post forms
        self.open_form = None
        self.disabled_depth = 0  # inside a <fieldset disabled>
        self.submitters = []  # (form key, description)
        self.hx_posts = []  # (url, description)
        self.links = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            key = attrs.get("id") or f"form-{len(self.forms)}"
            if (attrs.get("method") or "get").lower() == "post":
                self.forms[key] = attrs.get("action") or ""
            self.open_form = key
        elif tag == "fieldset" and "disabled" in attrs:
            self.disabled_depth += 1
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"].split("?")[0].split("#")[0])
        if "hx-post" in attrs and "disabled" not in attrs:
            self.hx_posts.append((attrs["hx-post"], f"<{tag}> with hx-post"))
        is_submit = (tag == "button" and attrs.get("type", "submit") == "submit") or (
            tag == "input" and attrs.get("type") in ("submit", "image")
        )
        # A field to fill in makes a form look working even with its button hidden.
        is_field = tag in ("select", "textarea") or (
            tag == "input" and attrs.get("type", "text") not in ("hidden", "submit", "image")
        )
        if (is_submit or is_field) and "disabled" not in attrs and not self.disabled_depth:
            owner = attrs.get("form") or self.open_form
            if owner:
                what = "submit button" if is_submit else f"field {attrs.get('name', '')}"
                self.submitters.append((owner, f"<{tag}> {what}"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.open_form = None
        elif tag == "fieldset" and self.disabled_depth:
            self.disabled_depth -= 1

    def targets(self, page_url):
        found = {}
        for key, what in self.submitters:
            if key in self.forms:
                found.setdefault(self.forms[key] or page_url, what + " in a post form")
        for url, what in self.hx_posts:
            found.setdefault(url, what)
        return found


def post_targets(html, page_url):
    parser = Sends()
    parser.feed(html)
    parser.close()
    return parser.targets(page_url)


def links(html):
    parser = Sends()
    parser.feed(html)
    parser.close()
    return parser.links


def test_the_parser_finds_what_a_viewer_could_press():
    page = (
        "<form method='post' action='/a'><button>Go</button></form>"
        "<form method='post' action='/b'><button disabled>Go</button></form>"
        "<form method='post' action='/c'><fieldset disabled><button>Go</button></fieldset></form>"
        "<form method='get' action='/d'><button>Search</button></form>"
        "<form id='bulk' method='post' action='/e'></form><button form='bulk'>Star</button>"
        "<button hx-post='/f'>Star</button><button type='button'>Cancel</button>"
        "<form method='post'><input type='submit' value='Save'></form>"
        "<form method='post' action='/g'><textarea name='text'></textarea></form>"
        "<form method='post' action='/h'><input type='hidden' name='x'></form>"
    )
    assert set(post_targets(page, "/page")) == {"/a", "/e", "/f", "/g", "/page"}


@pytest.mark.django_db
def test_no_page_shows_a_viewer_a_form_their_post_would_refuse():
    team, _owner, jobs, seeded, takes = team_with_everything()
    viewer = MembershipFactory(team=team, role=Role.VIEWER, user__username="lee.viewer")
    client = Client()
    client.force_login(viewer.user)
    urls = [url for _name, url in walk_urls(team, jobs, seeded, takes, TEAM_ROUTES)]
    dead_ends, refused, linked, pages = [], set(), {}, 0
    with respx.mock(assert_all_called=False) as upstream:
        upstream.route().mock(return_value=httpx.Response(403))
        for url in urls:
            response = client.get(url)
            if response.status_code == 403:
                # Refused as the POST is: the page says so, and what to ask for.
                text = response.content.decode()
                if "Viewers can listen and download" not in text:
                    dead_ends.append(f"{url}: refused without saying why in words")
                refused.add(url)
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            for href in links(response.content.decode()):
                linked.setdefault(href, url)
            for target, what in post_targets(response.content.decode(), url).items():
                if client.post(target).status_code == 403:
                    dead_ends.append(f"{url}: {what} sends to {target}, refused")
                client.force_login(viewer.user)  # in case it was the way out
    assert pages > 40, "the walk rendered too few pages to mean anything"
    assert refused, "no form page was refused: is the walk seeing them?"
    # Nor is a viewer led to a page that refuses them.
    dead_ends += [f"{linked[href]}: links to {href}, refused" for href in refused & set(linked)]
    assert not dead_ends, "\n".join(sorted(set(dead_ends)))
