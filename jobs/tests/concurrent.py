"""Two requests at the same moment, each on its own thread and database connection, as
a double click or a retried POST would send them."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client


def twins(user, path: str, data: dict, **extra) -> list:
    """POST `data` to `path` twice at once as `user`; the two responses."""
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(2)

    def post(client):
        start.wait()
        try:
            return client.post(path, data, **extra)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(post, clients))
