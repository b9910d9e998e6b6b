"""Each endpoint in the contract tables of docs/upstream has a client method and a sandbox route."""

from __future__ import annotations

import pytest

from providers import a2e, burki, respeecher
from providers.tests.contract import (
    ContractEndpoint,
    contract_endpoints,
    normalise_path,
    parse_endpoints,
    uncovered,
)
from sandbox.server import ROUTES as SANDBOX_ROUTES

CLIENTS = {"a2e": a2e, "respeecher": respeecher, "burki": burki}


def sandbox_endpoints(provider: str) -> dict[tuple[str, str], str]:
    return {(method, path): provider for name, method, path in SANDBOX_ROUTES if name == provider}


@pytest.mark.parametrize("provider", sorted(CLIENTS))
def test_every_contract_endpoint_has_a_client_method(provider):
    contract = contract_endpoints(provider)

    missing = uncovered(contract, CLIENTS[provider].ENDPOINTS)

    assert not missing, f"{provider} ENDPOINTS lacks: " + ", ".join(map(str, missing))


@pytest.mark.parametrize("provider", sorted(CLIENTS))
def test_every_contract_endpoint_has_a_sandbox_route(provider):
    contract = contract_endpoints(provider)

    missing = uncovered(contract, sandbox_endpoints(provider))

    assert not missing, f"the sandbox does not serve {provider}: " + ", ".join(map(str, missing))


@pytest.mark.parametrize("provider", sorted(CLIENTS))
def test_every_route_a_client_calls_is_served_by_the_sandbox(provider):
    called = [
        ContractEndpoint((method,), normalise_path(path), name)
        for (method, path), name in CLIENTS[provider].ENDPOINTS.items()
    ]

    missing = uncovered(called, sandbox_endpoints(provider))

    assert not missing, f"the sandbox does not serve {provider}: " + ", ".join(map(str, missing))


@pytest.mark.parametrize("provider", sorted(CLIENTS))
def test_every_endpoints_entry_names_a_method_of_the_client(provider):
    module = CLIENTS[provider]
    client_class = next(getattr(module, name) for name in dir(module) if name.endswith("Client"))

    assert all(callable(getattr(client_class, m, None)) for m in module.ENDPOINTS.values())


@pytest.mark.parametrize(("provider", "at_least"), [("a2e", 21), ("respeecher", 43), ("burki", 6)])
def test_the_contract_tables_are_actually_parsed(provider, at_least):
    # Guards the coverage test above from passing on a parser that finds nothing.
    assert len(contract_endpoints(provider)) >= at_least


def test_parser_reads_each_form_of_endpoint_cell():
    markdown = "\n".join(
        [
            "| what | method and path |",
            "|---|---|",
            "| one | `GET /api/a/{id}` |",
            "| two | `GET/POST /api/b` |",
            "| three | `/api/c` (POST in the menu, GET in newer docs) |",
            "| four | `GET` (path not published; likely `/api/d?x=`) |",
            "| five | `GET /api/e?project_id=|folder_id=`, `GET /api/f/{id}/export[?s=true]` |",
            "not a table: `DELETE /api/ignored`",
        ]
    )

    found = {(e.methods, e.path) for e in parse_endpoints(markdown)}

    assert found == {
        (("GET",), "/api/a/{}"),
        (("GET",), "/api/b"),
        (("POST",), "/api/b"),
        (("POST", "GET"), "/api/c"),
        (("GET",), "/api/d"),
        (("GET",), "/api/e"),
        (("GET",), "/api/f/{}/export"),
    }


def test_alternative_methods_are_satisfied_by_either_one():
    either = ContractEndpoint(("POST", "GET"), "/api/c", "row")
    both = [
        ContractEndpoint(("GET",), "/api/b", "row"),
        ContractEndpoint(("POST",), "/api/b", "row"),
    ]

    assert uncovered([either], {("GET", "/api/c"): "list_c"}) == []
    assert uncovered(both, {("GET", "/api/b"): "list_b"}) == [both[1]]
    assert uncovered([either], {("DELETE", "/api/c"): "delete_c"}) == [either]
