"""Django's SQLite backend, told the real variable limit of the SQLite it runs on."""

import sqlite3

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    # Django assumes the historic 999 variables per statement; SQLite 3.32+ allows 32,766.
    # With the true limit a poll tick's bulk writes stay one statement for thousands of
    # jobs, as they do on PostgreSQL.
    max_query_params = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
