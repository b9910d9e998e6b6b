"""A page, or only its named partial when htmx asks for it, with the Vary header that
keeps a browser's or a proxy's cache from serving one in place of the other."""

from collections.abc import Callable

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(
    request,
    template: str,
    context: dict,
    *,
    partial: str,
    target: str | None = None,
    page_only: Callable[[], dict] | None = None,
):
    """Render `template`, or only its partial `partial` when htmx asks (with `target`:
    only when it asks for that element, its HX-Target). `page_only()` gives the context
    only the whole page needs, so a partial does not pay for it. The answer says it
    varies with HX-Request (and HX-Target, when that decides)."""
    if request.htmx and (target is None or request.htmx.target == target):
        template = f"{template}#{partial}"
    elif page_only is not None:
        context = {**context, **page_only()}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"] if target else ["HX-Request"])
    return response
