"""The no-server broker hands a worker whole messages only: a worker polling the queue
folder never finds a message that is still being written (kombu's own transport let it
take one empty, fail to decode it and stop)."""

import os

from kombu import Connection

from dashboard import broker


def test_a_message_is_in_the_queue_folder_only_once_it_is_whole(tmp_path, monkeypatch):
    queue = tmp_path / "queue"
    for folder in (queue, tmp_path / "queue.staging", tmp_path / "processed"):
        folder.mkdir()
    seen_while_writing = []
    real_fdopen = os.fdopen

    def watching_fdopen(*args, **kwargs):
        handle = real_fdopen(*args, **kwargs)
        real_write = handle.write

        def write(data):
            seen_while_writing.append(sorted(os.listdir(queue)))  # what a worker would see
            return real_write(data)

        handle.write = write
        return handle

    monkeypatch.setattr(broker.os, "fdopen", watching_fdopen)
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
    }
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as c:
        q = c.SimpleQueue("jobs")
        q.put({"job": 1})
        assert seen_while_writing == [[]]  # nothing to take while it was being written
        message = q.get(timeout=1)
        assert message.payload == {"job": 1}
        message.ack()
        q.close()
    assert os.listdir(tmp_path / "queue.staging") == []
