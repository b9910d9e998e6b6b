"""Plumbing that belongs to no domain: holds on rows, the retry policy, keyset pages, the
multi-file field, htmx partials and the words that print codes for people. Apps import
these from here, never from each other; nothing here imports an app of ours, and
`core.retry` imports no Django, so the provider clients may use it too."""
