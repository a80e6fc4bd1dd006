"""The SQL functions Clausewise's canned queries call, on every connection Datasette opens (``--plugins-dir``)."""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from pipeline.store import fts5_query, iso_day, sql_team_key


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("fts5_query", 2, fts5_query, deterministic=True)
    conn.create_function("iso_day", 1, iso_day)
    conn.create_function("team_key", 1, sql_team_key, deterministic=True)
