"""The kinds of job the domain apps registered, by name: the rows and the engine find a
job's kind here, below jobs.kinds (which writes jobs through the engine)."""

_REGISTRY: dict = {}


def register(kind):
    _REGISTRY[kind.name] = kind
    return kind


def get(name: str):
    """The registered JobKind called `name` (KeyError for one no longer registered)."""
    return _REGISTRY[name]


def registered() -> dict:
    return dict(_REGISTRY)
