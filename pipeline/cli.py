"""The ``clausewise`` command: a thin door onto the library.

Each command opens the database, calls one library function and prints.
Library errors become friendly messages here and nowhere else.

Exit codes (all commands):

* 0: success; for ``ingest``, every file was ingested (or was already there);
* 1: ``ingest`` finished, but some files failed: each has a stored reason;
* 2: usage error, or the database could not be opened or written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pipeline.store import DatabaseError, Store, UnknownDocument

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

DB_OPTION = click.option(
    "--db",
    "db_path",
    default="clausewise.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database file.",
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(click.ClickException):
    exit_code = EXIT_USAGE


def _open(db_path: str) -> Store:
    try:
        return Store(db_path)
    except DatabaseError as e:
        raise CliError(str(e)) from e


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clausewise")
def cli() -> None:
    """Clausewise: contract intelligence for signed agreements.

    Ingest contracts, find their clauses and key terms, and flag the terms
    worth renegotiating for each account team.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@DB_OPTION
@click.option("--no-ocr", is_flag=True, help="Do not OCR pages without a text layer.")
@click.option("--max-pages", type=click.IntRange(min=1), default=2000, show_default=True, help="Refuse documents longer than this.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True, help="Seconds allowed per document before it is stopped and recorded as 'timeout'.")
@click.option("--max-memory-mb", type=click.IntRange(min=256), default=None, help="Address-space cap per worker process (off by default).")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
def ingest(
    paths: tuple[str, ...], db_path: str, no_ocr: bool, max_pages: int, workers: int, timeout: float,
    max_memory_mb: int | None, quiet: bool,
) -> None:
    """Ingest contract files (.pdf, .docx, .txt) and folders, recursively.

    Exits 0 when every file was ingested (or already was), 1 when some
    failed (each failure is stored with its reason; see `clausewise status`).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from pipeline.ingest import IngestSettings, Outcome, discover, ingest as run_ingest

    store = _open(db_path)
    settings = IngestSettings(
        ocr=not no_ocr, max_pages=max_pages, workers=workers, timeout=timeout, memory_mb=max_memory_mb
    )
    missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    for p in missing:
        err.print(f"[yellow]warning[/]: {p} does not exist")
    total = sum(1 for _ in discover(paths))
    show_bar = err.is_terminal and total > 5
    counts: dict[str, int] = {}

    with Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, disable=not show_bar, transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=total)

        def report(o: Outcome) -> None:
            counts[o.status] = counts.get(o.status, 0) + 1
            progress.advance(task)
            if not o.ok:
                progress.console.print(f"[red]{o.status}[/] {o.path}: {o.reason}")
            elif not quiet and o.status == "duplicate":
                progress.console.print(f"[cyan]duplicate[/] {o.path}: {o.reason}")
            elif not quiet and not show_bar:
                progress.console.print(f"[green]{o.status}[/] {o.path}" + (f" ({o.pages} pages)" if o.pages else ""))

        try:
            outcomes = run_ingest(paths, store, settings, on_outcome=report)
        except DatabaseError as e:
            raise CliError(str(e)) from e
    failed = sum(1 for o in outcomes if not o.ok) + len(missing)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to ingest"
    err.print(f"{len(outcomes)} files: {summary}. Database: {db_path}")
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON: documents, pages, by_status, errors.")
def status(db_path: str, as_json: bool) -> None:
    """Show how many documents and pages are stored, and what failed and why."""
    summary = _open(db_path).status()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    out.print(f"[bold]{summary['documents']}[/] documents, [bold]{summary['pages']}[/] pages in {db_path}")
    for name, n in summary["by_status"].items():
        out.print(f"  {name}: {n}")
    if summary["errors"]:
        table = Table("status", "path", "reason", title="Files not ingested")
        for e in summary["errors"]:
            table.add_row(e["status"], e["path"], e["reason"] or "")
        out.print(table)


@cli.command()
@click.argument("document")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.option("--text", "with_text", is_flag=True, help="Print the document's text too.")
def show(document: str, db_path: str, as_json: bool, with_text: bool) -> None:
    """Show one stored DOCUMENT (its name, path or SHA-256): pages, clauses, terms."""
    store = _open(db_path)
    try:
        doc = store.document(document)
    except UnknownDocument as e:
        raise CliError(str(e)) from e
    if as_json:
        if not with_text:
            doc["page_list"] = [{k: v for k, v in p.items() if k != "text"} for p in doc["page_list"]]
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    _print_document(doc, with_text)


def _print_document(doc: dict[str, Any], with_text: bool) -> None:
    out.print(f"[bold]{doc['name']}[/]  ({doc['kind']}, {doc['status']})")
    out.print(f"  sha256: {doc['sha256']}")
    out.print(f"  path:   {doc['path']}")
    for alias in doc["aliases"]:
        if alias != doc["path"]:
            out.print(f"  alias:  {alias}")
    if doc["reason"]:
        out.print(f"  reason: {doc['reason']}")
    ocr = f", {doc['ocr_pages']} OCR'd" if doc["ocr_pages"] else ""
    out.print(f"  {doc['pages']} pages{ocr}, {doc['chars']} characters, {len(doc['clauses'])} clauses")
    if doc["terms"]:
        table = Table("term", "value", "page", "evidence", title="Key terms")
        for t in doc["terms"]:
            value = t["value"] if isinstance(t["value"], str) else json.dumps(t["value"])
            table.add_row(t["kind"], value, str(t["page"]), (t["text"] or "")[:80])
        out.print(table)
    if doc["clauses"]:
        table = Table("page", "number", "heading", "category", "p", "text", title="Clauses")
        for c in doc["clauses"]:
            p = f"{c['top_probability']:.2f}" if c["top_probability"] is not None else ""
            table.add_row(str(c["page"]), c["number"] or "", c["heading"] or "", c["top_category"] or "", p, c["text"][:70].replace("\n", " "))
        out.print(table)
    if with_text:
        for p in doc["page_list"]:
            out.rule(f"page {p['number']}" + (" (OCR)" if p["ocr"] else ""))
            out.print(p["text"], markup=False)


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def search(query: str, db_path: str, limit: int) -> None:
    """Full-text search (SQLite FTS5 syntax) over stored clauses and pages."""
    import sqlite3

    try:
        rows = _open(db_path).search(query, limit=limit)
    except sqlite3.OperationalError as e:
        raise CliError(f"bad search query {query!r}: {e}") from e
    table = Table("document", "page", "section", "match")
    for r in rows:
        table.add_row(r["name"], str(r["page"]), " ".join(x for x in (r["number"], r["heading"]) if x), r["snippet"])
    out.print(table)


def main() -> None:
    cli(prog_name="clausewise")


if __name__ == "__main__":
    main()
