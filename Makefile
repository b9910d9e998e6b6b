# Voxboard: `make run` to use it, `make test` to check it. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Keyed on the lock, so a changed lock reinstalls.
STAMP := $(VENV)/.installed-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)
PORT ?= 8000
SANDBOX_URL ?= http://127.0.0.1:8765
# Development defaults; a real deployment sets its own environment (see README).
export DEBUG ?= 1
# The demo team's accounts point at the sandbox on loopback (providers/guard.py); only
# its origin may be private. Set for `run` alone: the tests' servers take random ports.
RUN_PRIVATE_HOSTS = $${PROVIDER_PRIVATE_HOSTS:-$(SANDBOX_URL)}

.PHONY: run test test-fast screenshots setup lint fmt lock vendor clean

$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed" or 0)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup
	PROVIDER_PRIVATE_HOSTS=$(RUN_PRIVATE_HOSTS) $(BIN)/python manage.py demo --sandbox-url $(SANDBOX_URL)
	@# The sandbox listens on SANDBOX_URL's port; the `ready` process prints the login
	@# again once every process answers (WEB_PORT: honcho gives each process its own
	@# PORT, counting up from the first's). runserver's "development server" notice is
	@# moot here: `make run` is the development server. Warnings and errors only, so
	@# the login stays last while all is well; LOG_LEVEL=INFO shows every task and request.
	PROVIDER_PRIVATE_HOSTS=$(RUN_PRIVATE_HOSTS) PORT=$(PORT) WEB_PORT=$(PORT) SANDBOX_URL=$(SANDBOX_URL) \
		DJANGO_RUNSERVER_HIDE_WARNING=true LOG_LEVEL=$${LOG_LEVEL:-WARNING} \
		PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# The quick loop while working: everything but the tests that start real processes
# (sandbox subprocesses, Celery workers, Chromium) and the scale tests (`slow`: thousands
# of rows, seconds each), on both cores, within two minutes. `make test` is the gate and
# runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not integration and not slow" -n 2

# The README's Tour: the page walk (owner and viewer of a team with a row of every kind)
# saves a 1280x800 screenshot of each page into docs/screenshots/ instead of a throwaway
# folder. Commit what changed.
screenshots: $(STAMP)
	rm -f docs/screenshots/*.png
	VOXBOARD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -p no:randomly \
		dashboard/tests/test_a11y_walk.py -k test_every_page_passes_axe_and_fits_a_phone

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rewrite both locks from requirements*.txt: every transitive version pinned, with the
# hashes of all its files. Pins already in a lock are kept unless a .txt asks otherwise;
# `make lock LOCK_ARGS="--upgrade-package NAME"` (or --upgrade) moves them. The dev lock is
# constrained by the production one, so both install the same versions of what they share.
LOCK_FLAGS = --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock: $(STAMP)
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements.txt -o requirements.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements-dev.txt -c requirements.lock \
		-o requirements-dev.lock

# Refresh vendored front-end files from the npm registry (needs node and npm).
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/htmx
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	mkdir -p static/vendor/agora
	cp node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js static/vendor/agora/
	@# The package declares its licence in package.json but ships no LICENSE file.
	node -p '"agora-rtc-sdk-ng " + require("./node_modules/agora-rtc-sdk-ng/package.json").version' \
		> static/vendor/agora/LICENSE
	node -p '"License: " + require("./node_modules/agora-rtc-sdk-ng/package.json").license' \
		>> static/vendor/agora/LICENSE
	echo "(declared in the npm package.json; the package ships no LICENSE file)" \
		>> static/vendor/agora/LICENSE
	head -n 3 node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js >> static/vendor/agora/LICENSE
	@# axe-core runs in the accessibility test only: kept beside the tests, out of static/.
	mkdir -p dashboard/tests/vendor/axe
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE dashboard/tests/vendor/axe/

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
