# Voxboard production image: gunicorn for web; the same image runs the worker and beat.
# Docker cannot run on the development machines, so this file is kept right by reading.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.txt /app/requirements.txt
RUN /venv/bin/pip install -r /app/requirements.txt
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
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["gunicorn", "dashboard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
