"""No Docker engine runs here, so the image's rules are checked by reading its files:
Dockerfile, compose.yaml, .dockerignore and the requirement locks."""

import ast
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shlex
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Requirement files ----------------------------------------------------------------------


def _logical_lines(path: Path) -> list[str]:
    """Lines with their backslash continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def _requirements(path: Path) -> dict[str, Requirement]:
    """The packages a requirements*.txt names itself (not those it includes with -r)."""
    found = {}
    for line in _logical_lines(path):
        if not line.startswith("-"):
            req = Requirement(line)
            found[_normal(req.name)] = req
    return found


def _lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (pinned version, hashes) for each package a lock file installs."""
    found = {}
    for line in _logical_lines(path):
        spec, *options = line.split(" --hash=")
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)(\s*;.*)?", spec.strip())
        assert match, f"{path.name}: {spec!r} is not pinned with =="
        found[_normal(match[1])] = (match[2], [h.split()[0] for h in options])
    return found


# Dockerfile, .dockerignore, compose.yaml -----------------------------------------------


def _dockerfile() -> list[tuple[str, str]]:
    return [
        (instruction.upper(), rest)
        for instruction, _, rest in (
            line.partition(" ") for line in _logical_lines(ROOT / "Dockerfile")
        )
    ]


def _instructions(name: str) -> list[str]:
    return [rest for instruction, rest in _dockerfile() if instruction == name]


def _image_cmd() -> list[str]:
    (cmd,) = _instructions("CMD")
    return json.loads(cmd)


def _image_healthcheck() -> str:
    (check,) = _instructions("HEALTHCHECK")
    return check.partition(" CMD ")[2]


def _ignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """.dockerignore as (negated, regex), with Docker's `*`, `?` and `**` wildcards."""
    patterns = []
    for line in _logical_lines(ROOT / ".dockerignore"):
        negated = line.startswith("!")
        glob = line.lstrip("!").strip().strip("/")
        regex = ""
        for token in re.split(r"(\*\*/|\*\*|\*|\?)", glob):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                token, re.escape(token)
            )
        patterns.append((negated, re.compile(regex)))
    return patterns


def _ignored(path: str) -> bool:
    """Whether `docker build` leaves this path (relative to the root) out of the image:
    a pattern that matches a folder leaves out everything in it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for negated, pattern in _ignore_patterns():
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


@cache
def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _services() -> dict[str, dict]:
    return _compose()["services"]


def _built_services() -> dict[str, dict]:
    """The services that run our image (the others run postgres and redis)."""
    return {name: s for name, s in _services().items() if "build" in s}


def _argv(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return _image_cmd()
    return shlex.split(command) if isinstance(command, str) else list(command)


def _option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name:
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


# The image installs the production lock only -------------------------------------------


def test_image_installs_only_the_production_lock_with_hashes():
    installs = [run for run in _instructions("RUN") if "pip install" in run]
    assert installs, "the Dockerfile installs no requirements"
    for run in installs:
        argv = shlex.split(run)
        assert "--require-hashes" in argv, f"pip install without --require-hashes: {run}"
        assert _option(argv, "-r", "--requirement") == "/app/requirements.lock", run
    copied = " ".join(_instructions("COPY"))
    assert "requirements.lock" in copied
    assert "requirements-dev" not in copied and "requirements.txt" not in copied


def test_every_production_requirement_is_locked_with_a_hash():
    lock = _lock(ROOT / "requirements.lock")
    for name, req in _requirements(ROOT / "requirements.txt").items():
        assert name in lock, f"{name} is in requirements.txt but not in the lock: run make lock"
        version, hashes = lock[name]
        assert req.specifier.contains(version), f"lock pins {name}=={version}, not {req}"
    # pip --require-hashes refuses the whole file if any entry lacks a hash.
    assert all(hashes for _, hashes in lock.values()), "an entry in requirements.lock has no hash"


def test_dev_lock_is_the_production_lock_plus_development_tools():
    assert _logical_lines(ROOT / "requirements-dev.txt")[0] == "-r requirements.txt"
    production, dev = _lock(ROOT / "requirements.lock"), _lock(ROOT / "requirements-dev.lock")
    for name, (version, _) in production.items():
        # The tests run against the versions the image installs.
        assert dev.get(name, (None,))[0] == version, f"{name}: dev lock differs from production"
    for name, req in _requirements(ROOT / "requirements-dev.txt").items():
        assert name in dev and req.specifier.contains(dev[name][0]), f"{name}: run make lock"
    assert all(hashes for _, hashes in dev.values()), "a requirements-dev.lock entry has no hash"


# .dockerignore and what production code imports ----------------------------------------

LEFT_OUT = [
    "dashboard/tests/test_image.py",
    "voices/tests/factories.py",
    "conftest.py",
    "providers/tests/conftest.py",
    "bench/voices.py",
    "docs/upstream",
    "sandbox/server.py",
    "sandbox/__main__.py",
    ".ci/run",
    "requirements-dev.txt",
    "requirements-dev.lock",
    ".env",
    ".venv/bin/python",
    "node_modules/htmx.org/package.json",
    "dashboard/tests/vendor/axe/axe.min.js",
]
KEPT = [
    "manage.py",
    "requirements.lock",
    "dashboard/wsgi.py",
    "dashboard/celery.py",
    "dashboard/settings.py",
    "gunicorn.conf.py",
    "templates/base.html",
    "static/js/app.js",
]


@pytest.mark.parametrize("path", LEFT_OUT)
def test_dockerignore_leaves_out_development_files(path):
    assert _ignored(path)


@pytest.mark.parametrize("path", KEPT)
def test_dockerignore_keeps_what_production_runs(path):
    assert (ROOT / path).exists()
    assert not _ignored(path)


def _kept_modules() -> list[Path]:
    paths = []
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        # Pruned as walked: .venv and node_modules alone hold thousands of files.
        subfolders[:] = [d for d in subfolders if not _ignored((here / d).as_posix())]
        paths += [ROOT / here / f for f in files if f.endswith(".py")]
    return [p for p in paths if not _ignored(p.relative_to(ROOT).as_posix())]


def _our_module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _guarded(node: ast.AST, parents: dict) -> bool:
    """An import inside `try: ... except ImportError` may be missing: the module says so."""
    while node in parents:
        node, child = parents[node], node
        if isinstance(node, ast.Try) and child in node.body:
            for handler in node.handlers:
                names = ast.unparse(handler.type) if handler.type else ""
                if "ImportError" in names or "ModuleNotFoundError" in names:
                    return True
    return False


def _imports(path: Path):
    """(dotted module, line) for each unguarded import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = path.relative_to(ROOT).parent.parts  # where a relative import starts
    for node in ast.walk(tree):
        if _guarded(node, parents):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module, node.lineno
            for alias in node.names:  # `from pkg import submodule`
                if _our_module_file(f"{module}.{alias.name}"):
                    yield f"{module}.{alias.name}", node.lineno


def _production_distributions() -> set[str]:
    return set(_lock(ROOT / "requirements.lock"))


def test_production_modules_import_only_what_the_image_holds():
    """Every module the image keeps imports only the standard library, our modules that
    the image keeps too, and packages of the production lock (never the sandbox, pytest,
    PyYAML...), so the app starts without the development install."""
    provided_by = importlib.metadata.packages_distributions()
    allowed = _production_distributions()
    ours = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {"manage"}
    problems = []
    for path in _kept_modules():
        where = path.relative_to(ROOT).as_posix()
        for module, line in _imports(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names:
                continue
            if top in ours:
                found = _our_module_file(module)
                if found and _ignored(found.relative_to(ROOT).as_posix()):
                    problems.append(f"{where}:{line} imports {module}, which the image leaves out")
                continue
            dists = {_normal(d) for d in provided_by.get(top, [])}
            if not dists & allowed:
                problems.append(f"{where}:{line} imports {module} (from {dists or 'nothing'})")
    assert not problems, "\n".join(problems)


def _dotted_paths_in_settings() -> list[str]:
    """The modules settings name by string, which no import statement shows."""
    paths = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, *settings.AUTHENTICATION_BACKENDS]
    paths += [settings.ROOT_URLCONF, settings.WSGI_APPLICATION, settings.AXES_CLIENT_IP_CALLABLE]
    paths += [storage["BACKEND"] for storage in settings.STORAGES.values()]
    for engine in settings.TEMPLATES:
        paths += [engine["BACKEND"], *engine["OPTIONS"].get("context_processors", [])]
    paths += [cache["BACKEND"] for cache in settings.CACHES.values()]
    return paths


def test_settings_name_only_modules_the_image_holds():
    provided_by = importlib.metadata.packages_distributions()
    allowed = _production_distributions()
    problems = []
    for dotted in _dotted_paths_in_settings():
        top = dotted.split(".")[0]
        module = _our_module_file(dotted) or _our_module_file(dotted.rpartition(".")[0])
        if module:
            if _ignored(module.relative_to(ROOT).as_posix()):
                problems.append(f"{dotted} is left out of the image")
        elif not {_normal(d) for d in provided_by.get(top, [])} & allowed:
            problems.append(f"{dotted} is not ours nor in requirements.lock")
    assert not problems, "\n".join(problems)


# compose.yaml ---------------------------------------------------------------------------


def test_migrate_runs_once_before_every_app_service():
    migrate = _services()["migrate"]
    assert _argv(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    for name in APP_SERVICES:
        service = _services()[name]
        assert service.get("depends_on", {}).get("migrate") == {
            "condition": "service_completed_successfully"
        }, f"{name} does not wait for migrate"
        assert "migrate" not in _argv(service), f"{name} migrates in its command"


# The rules every profile's resulting set of services keeps. Each checker takes the parsed
# file and returns what breaks its rule, so the tests below can also run it on broken copies.


def _shapes(compose: dict) -> dict[str, dict[str, dict]]:
    """What `docker compose up` starts, by profile: the services without a profile, plus
    those of that profile ("" for no profile at all)."""
    services = compose["services"]
    named = sorted({p for service in services.values() for p in service.get("profiles", ())})
    return {
        profile: {
            name: service
            for name, service in services.items()
            if not service.get("profiles") or profile in service["profiles"]
        }
        for profile in ["", *named]
    }


def _is_beat(service: dict) -> bool:
    argv = _argv(service)
    return "build" in service and argv[:1] == ["celery"] and "beat" in argv


def _stores_media(service: dict) -> bool:
    """Web (the image's CMD) and workers write media; migrate and beat never do."""
    argv = _argv(service)
    return "build" in service and (argv == _image_cmd() or "worker" in argv[:4])


def _volume_over(service: dict, folder: str) -> list[str]:
    """The service's volumes mounted on `folder`, inside it or over it."""
    targets = []
    for volume in service.get("volumes", ()):
        target = volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
        target = target.rstrip("/")
        if target == folder or folder.startswith(target + "/") or target.startswith(folder + "/"):
            targets.append(target)
    return targets


def healthcheck_problems(compose: dict) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        if check is None:
            # Only a service running the image's own process may use the image's check.
            if not ("build" in service and _argv(service) == _image_cmd()):
                problems.append(f"{name}: no healthcheck")
        elif check.get("disable"):
            if service.get("restart") != "no":
                problems.append(f"{name} runs on with its healthcheck off")
        elif not check.get("test"):
            problems.append(f"{name}: an empty healthcheck")
    return problems


def media_problems(compose: dict) -> list[str]:
    """With S3 set, media lives in the bucket alone: no volume over the media folder, and
    no web or worker of the same shape writing to a folder of its own. Without it, media
    is on a volume, or a recreated container would take it along."""
    problems = []
    for profile, services in _shapes(compose).items():
        writers = {n: s for n, s in services.items() if _stores_media(s)}
        in_bucket = {n for n, s in writers.items() if (s.get("environment") or {}).get("S3_BUCKET")}
        for name, service in writers.items():
            media = (service.get("environment") or {}).get("MEDIA_ROOT", "/app/var/media")
            volumes = _volume_over(service, media)
            if name in in_bucket and volumes:
                problems.append(
                    f"{profile or 'no profile'}: {name} has S3 set and a volume {volumes}"
                )
            elif in_bucket and name not in in_bucket:
                problems.append(f"{profile or 'no profile'}: {name} writes media to local disk")
            elif not in_bucket and not volumes:
                problems.append(f"{profile or 'no profile'}: {name} keeps media on no volume")
    return problems


def beat_problems(compose: dict) -> list[str]:
    """Two beats send every tick twice; none sends no tick: one in every shape."""
    problems = []
    for profile, services in _shapes(compose).items():
        beats = [name for name, service in services.items() if _is_beat(service)]
        if len(beats) != 1:
            problems.append(f"{profile or 'no profile'}: {len(beats)} beats {beats}")
    return problems


def test_every_long_running_service_has_a_healthcheck():
    assert healthcheck_problems(_compose()) == []


def test_no_service_with_s3_writes_media_to_a_local_volume():
    assert media_problems(_compose()) == []


def test_every_shape_runs_exactly_one_beat():
    assert beat_problems(_compose()) == []


def test_the_scale_profile_is_two_web_two_workers_and_what_they_share():
    scale = _shapes(_compose())["scale"]
    assert sorted(n for n, s in scale.items() if _stores_media(s)) == [
        "web-1",
        "web-2",
        "worker-1",
        "worker-2",
    ]
    assert {"beat", "migrate", "postgres", "redis", "minio", "minio-bucket", "proxy"} <= set(scale)
    for name in ("web-1", "web-2", "worker-1", "worker-2", "beat"):
        assert scale[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, f"{name} does not wait for migrate"
    # The bucket is made before any web or worker stores into it, by a one-shot.
    bucket = scale["minio-bucket"]
    assert "mc mb --ignore-existing" in " ".join(bucket["command"])
    assert bucket["restart"] == "no"
    for name in ("web-1", "web-2", "worker-1", "worker-2"):
        environment = scale[name]["environment"]
        assert scale[name]["depends_on"]["minio-bucket"] == {
            "condition": "service_completed_successfully"
        }
        assert environment["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert environment["S3_PUBLIC_ENDPOINT_URL"].startswith(
            "${S3_PUBLIC_ENDPOINT_URL:-https://"
        )
    # The proxy spreads requests over both web processes and passes the bucket's host on.
    conf = _compose()["configs"]["proxy-conf"]["content"]
    assert "server web-1:8000" in conf and "server web-2:8000" in conf
    assert "proxy_pass http://minio:9000;" in conf and "Host $$http_host" in conf
    assert all(p.startswith("127.0.0.1:") for p in scale["proxy"]["ports"])
    # The single shape's web and worker are not part of it (they write to the volume).
    assert "web" not in scale and "worker" not in scale


def _broken(edit) -> dict:
    """A copy of compose.yaml with one edit made to it."""
    import copy

    compose = copy.deepcopy(_compose())
    edit(compose["services"])
    return compose


def test_the_rules_catch_a_broken_compose_file():
    def no_check(services):
        del services["proxy"]["healthcheck"]

    def one_shot_left_running(services):
        services["minio-bucket"]["restart"] = "unless-stopped"

    def volume_beside_the_bucket(services):
        # web-2 and worker-2 are aliases of web-1 and worker-1 (YAML anchors): copied first.
        services["worker-2"] = {**services["worker-2"], "volumes": ["media:/app/var/media"]}

    def web_without_the_bucket(services):
        environment = services["web-2"]["environment"]
        services["web-2"] = {
            **services["web-2"],
            "environment": {k: v for k, v in environment.items() if not k.startswith("S3_")},
        }

    def single_shape_in_every_shape(services):
        del services["web"]["profiles"]

    def local_media_on_no_volume(services):
        del services["worker"]["volumes"]

    def second_beat_for_scale(services):
        services["beat-2"] = {**services["beat"], "profiles": ["scale"]}

    def beat_in_one_shape_only(services):
        services["beat"] = {**services["beat"], "profiles": ["single"]}

    assert healthcheck_problems(_broken(no_check)) == ["proxy: no healthcheck"]
    assert healthcheck_problems(_broken(one_shot_left_running)) == [
        "minio-bucket runs on with its healthcheck off"
    ]
    assert media_problems(_broken(volume_beside_the_bucket)) == [
        "scale: worker-2 has S3 set and a volume ['/app/var/media']"
    ]
    assert media_problems(_broken(web_without_the_bucket)) == [
        "scale: web-2 writes media to local disk"
    ]
    assert "scale: web writes media to local disk" in media_problems(
        _broken(single_shape_in_every_shape)
    )
    assert media_problems(_broken(local_media_on_no_volume)) == [
        "single: worker keeps media on no volume"
    ]
    assert beat_problems(_broken(second_beat_for_scale)) == ["scale: 2 beats ['beat', 'beat-2']"]
    assert beat_problems(_broken(beat_in_one_shape_only)) == [
        "no profile: 0 beats []",
        "scale: 0 beats []",
    ]


def test_web_healthcheck_asks_healthz_of_the_port_gunicorn_serves():
    assert "http://127.0.0.1:8000/healthz" in _image_healthcheck()
    assert _option(_image_cmd(), "--bind", "-b") == "0.0.0.0:8000"
    assert resolve("/healthz").url_name == "healthz"
    assert "healthcheck" not in _services()["web"], "web's check is the image's"


def test_worker_healthcheck_pings_this_worker():
    worker = _services()["worker"]
    kind, script = worker["healthcheck"]["test"]
    argv = shlex.split(script)
    assert kind == "CMD-SHELL"  # so the shell fills in $HOSTNAME
    assert "/healthz" not in script
    assert argv[argv.index("-A") + 1 :][:3] == ["dashboard", "inspect", "ping"]
    # The worker's node name is celery@<container hostname> unless its command names one.
    node = _option(_argv(worker), "-n", "--hostname") or "celery@$$HOSTNAME"
    assert _option(argv, "-d", "--destination") == node


def test_beat_healthcheck_watches_the_schedule_beat_writes():
    beat = _services()["beat"]
    schedule = _option(_argv(beat), "--schedule", "-s")
    script = " ".join(beat["healthcheck"]["test"])
    assert schedule and schedule in script
    assert "/healthz" not in script
    # var/ is the one folder the image lets the app user write.
    assert schedule.startswith("/app/var/")
    assert any("chown -R voxboard /app/var" in run for run in _instructions("RUN"))


def test_web_listens_on_loopback_only_behind_the_proxy():
    web = _services()["web"]
    assert web["ports"] and all(p.startswith("127.0.0.1:") for p in web["ports"])
    environment = _compose()["x-app"]["environment"]
    assert environment["VOXBOARD_HTTPS"] == "${VOXBOARD_HTTPS:-1}"
    assert environment["VOXBOARD_PROXY_COUNT"] == "${VOXBOARD_PROXY_COUNT:-1}"


# Commands name things that exist --------------------------------------------------------


def _commands():
    """(where, argv) for the image's CMD and every command compose runs in our image."""
    yield "Dockerfile CMD", _image_cmd()
    yield "Dockerfile HEALTHCHECK", shlex.split(_image_healthcheck())
    for name, service in _built_services().items():
        yield f"compose {name}", _argv(service)
        check = (service.get("healthcheck") or {}).get("test") or []
        if check[:1] == ["CMD-SHELL"]:
            yield f"compose {name} healthcheck", shlex.split(check[1])
        elif check[:1] == ["CMD"]:
            yield f"compose {name} healthcheck", check[1:]


def _console_scripts() -> dict[str, str]:
    return {
        ep.name: _normal(ep.dist.name)
        for ep in importlib.metadata.entry_points(group="console_scripts")
    }


@pytest.mark.parametrize("where,argv", list(_commands()), ids=[w for w, _ in _commands()])
def test_command_names_modules_that_exist(where, argv):
    program = argv[0]
    if program != "python":
        dist = _console_scripts().get(program)
        assert dist in _production_distributions(), f"{where}: {program} is not installed"
    if program == "gunicorn":
        target = next(arg for arg in argv[1:] if not arg.startswith("-"))
        module, _, attribute = target.partition(":")
        assert _our_module_file(module) and not _ignored(module.replace(".", "/") + ".py")
        assert callable(getattr(importlib.import_module(module), attribute or "application"))
    elif program == "celery":
        package = _option(argv, "-A", "--app")
        # `-A dashboard` loads the `app` of dashboard.celery when dashboard has none.
        app = importlib.import_module(f"{package}.celery").app
        assert isinstance(app, Celery), f"{where}: {package}.celery.app is not a Celery app"
    elif program == "python" and argv[1] == "manage.py":
        assert (ROOT / "manage.py").exists() and not _ignored("manage.py")
        assert argv[2] in get_commands(), f"{where}: no management command {argv[2]}"
    elif program == "python":
        assert argv[1] == "-c", f"{where}: runs {argv[1]}"
        compile(argv[2], where, "exec")  # at least a script Python can read
    else:
        pytest.fail(f"{where}: no rule for {program}")
