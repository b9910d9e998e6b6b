# Voxboard production image: gunicorn for web; the same image runs the worker and beat.
# Docker cannot run on the development machines: dashboard/tests/test_image.py reads it.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
# The production lock only: every version pinned and every file's hash checked, so the
# image holds exactly what was reviewed (no sandbox, test or lint packages).
COPY requirements.lock /app/requirements.lock
RUN /venv/bin/pip install --require-hashes -r /app/requirements.lock
COPY . /app
WORKDIR /app
# collectstatic needs settings to load; DEBUG=1 only supplies throwaway keys for this step.
RUN DEBUG=1 VOXBOARD_VAR_DIR=/tmp/var /venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 voxboard
COPY --from=build /venv /venv
COPY --from=build /app /app
# Only var/ (beat schedule, media) is writable by the app user.
RUN mkdir -p /app/var/media && chown -R voxboard /app/var
WORKDIR /app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 VOXBOARD_VAR_DIR=/app/var
USER voxboard
EXPOSE 8000
# Web's check (compose gives worker and beat their own). It names a host from ALLOWED_HOSTS,
# or Django would answer 400 to "127.0.0.1"; any answer but 200 raises, so exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD python -c "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h if h and h != '*' else 'localhost'}), timeout=4)"
CMD ["gunicorn", "dashboard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
