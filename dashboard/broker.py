"""kombu's filesystem transport, writing each message whole.

kombu's own `_put` creates the message file in the queue folder and then writes it. A
worker polling that folder can take the file in between, read it empty, fail to decode
it and stop (seen under `make run`: the worker died at start, and honcho with it).
Here a message is written in a folder beside the queue and renamed into it, which is
atomic on one filesystem, so a worker only ever sees whole messages. dashboard.celery
puts this transport in place of kombu's under the same `filesystem://` URL.
"""

import os
import tempfile
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


def staging_folder(data_folder_out: str) -> str:
    return str(data_folder_out).rstrip(os.sep) + ".staging"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        fd, partial = tempfile.mkstemp(dir=staging_folder(self.data_folder_out))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, os.path.join(self.data_folder_out, name))
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise


class Transport(filesystem.Transport):
    Channel = Channel
