"""The work the engine sends to a worker once a transaction commits. The engine names
each errand here and jobs.tasks binds it to the Celery task that runs it, so the engine
never imports the tasks (which call the engine)."""

from django.db import transaction


class Errand:
    def __init__(self, what: str):
        self.what = what
        self.task = None

    def runs(self, task):
        """Bind the Celery task that does this errand (a decorator in jobs.tasks)."""
        self.task = task
        return task

    def send(self, *args) -> None:
        if self.task is None:
            raise RuntimeError(f"No task {self.what}: jobs.tasks is not loaded.")
        self.task.delay(*args)

    def send_on_commit(self, *args) -> None:
        """Send once the caller's transaction commits (at once outside of one)."""
        transaction.on_commit(lambda: self.send(*args))


SUBMIT = Errand("submits a job")
FETCH_RESULTS = Errand("copies a job's results")
ANNOUNCE = Errand("announces a job")
