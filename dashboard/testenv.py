"""pytest plugin loaded before Django: development defaults so a bare `pytest` works, and
a private var/ folder so tests never touch the developer's database, broker or media."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "1")
# The sandbox and the tests' own servers listen on loopback (see providers/guard.py), on
# ports chosen when they start: so the bare host, which start-up logs as deprecated.
os.environ.setdefault("PROVIDER_PRIVATE_HOSTS", "127.0.0.1")
if "VOXBOARD_VAR_DIR" not in os.environ:
    _var = tempfile.mkdtemp(prefix="voxboard-test-")
    os.environ["VOXBOARD_VAR_DIR"] = _var
    atexit.register(shutil.rmtree, _var, ignore_errors=True)
