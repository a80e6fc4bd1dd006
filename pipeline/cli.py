"""The ``clausewise`` command: a thin door onto the library.

Each command opens the database, calls one library function and prints.
Library errors become friendly messages here and nowhere else.

Exit codes (all commands):

* 0: success; for ``ingest``, every file was ingested (or was already there);
* 1: ``ingest`` finished, but some files failed: each has a stored reason;
  ``candidates --send`` wrote every list, but some team's e-mail was not sent;
* 2: usage error, or the database could not be opened or written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.files import replacing, write_text
from pipeline.store import DatabaseError, NoDatabase, Store, UnknownDocument

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

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)  # a pipe or log: wide tables
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(click.ClickException):
    exit_code = EXIT_USAGE


def _open(db_path: str) -> Store:
    """The database, created if it does not exist yet (for commands that ingest)."""
    try:
        return Store(db_path)
    except DatabaseError as e:
        raise CliError(str(e)) from e


def _no_missing_paths(paths: tuple[str, ...]) -> None:
    """A path on the command line that does not exist is a typing mistake: stop before anything is stored.

    (A broken symbolic link is a file that was there: it is tried, and its failure recorded.)
    """
    missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise CliError("no such file or folder: " + ", ".join(missing) + "; nothing was ingested")


def _count(n: int, noun: str) -> str:
    """``1 team``, ``2 teams``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _existing(db_path: str) -> Store:
    """The database for a command that reads it: a mistyped ``--db`` is an error, never a new empty file."""
    try:
        return Store(db_path, create=False)
    except NoDatabase as e:
        raise CliError(f"{e}; run `clausewise ingest` first (or check --db)") from e
    except DatabaseError as e:
        raise CliError(str(e)) from e


def _output_file(path: Path, option: str) -> Path:
    """An output file, checked before any work is done: missing folders above it are created (for every
    output option alike); a folder, or a place that cannot be written, is a usage error naming ``option``."""
    if path.is_dir():
        raise CliError(f"cannot write {option} {path}: it is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"cannot write {option} {path}: cannot create {path.parent}: {e.strerror or e}") from e
    if not os.access(path.parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"cannot write {option} {path}: permission denied")
    return path


def _output_folder(path: Path, option: str) -> Path:
    """A folder the command writes into (a cache), created if missing and checked before any work is done."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"cannot write {option} {path}: {e.strerror or e}") from e
    if not os.access(path, os.W_OK | os.X_OK):
        raise CliError(f"cannot write {option} {path}: permission denied")
    return path


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
@click.option("--no-ocr", is_flag=True, help="Do not OCR scanned pages (images with no text layer, or only a stamp): files with such pages become needs_ocr, nothing of them stored.")
@click.option("--max-pages", type=click.IntRange(min=1), default=2000, show_default=True, help="Refuse documents longer than this.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True, help="Seconds allowed per document before it is stopped and recorded as 'timeout'.")
@click.option("--max-memory-mb", type=click.IntRange(min=256), default=None, help="Address-space cap per worker process (off by default).")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@click.option("--refresh", is_flag=True, help="Analyse again files already stored by an older version of Clausewise (reader, segmenter, clause model, key terms or obligations), so its improvements reach a loaded archive.")
def ingest(
    paths: tuple[str, ...], db_path: str, no_ocr: bool, max_pages: int, workers: int, timeout: float,
    max_memory_mb: int | None, quiet: bool, refresh: bool,
) -> None:
    """Ingest contract files (.pdf, .docx, .txt; a PDF without its extension) and folders, recursively.

    Every other file found is recorded as unsupported, and a hidden folder as
    skipped, each with its reason (listed, not failures). Exits 0 when every
    contract file was ingested (or already was), 1 when some failed (each
    failure is stored with its reason; see `clausewise status`).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from pipeline.ingest import IngestSettings, Outcome, discover, ingest as run_ingest

    _no_missing_paths(paths)
    store = _open(db_path)
    settings = IngestSettings(
        ocr=not no_ocr, max_pages=max_pages, workers=workers, timeout=timeout, memory_mb=max_memory_mb,
        refresh=refresh,
    )
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
            shown = _shown(o.path)
            if not o.ok:
                colour = "red" if o.failed else "yellow"
                progress.console.print(f"[{colour}]{o.status}[/] {escape(shown)}: {escape(o.reason or '')}")
            elif o.stale:  # --refresh could not analyse it again: said even with --quiet
                progress.console.print(f"[yellow]{o.status}[/] {escape(shown)}: {escape(o.reason or '')}")
            elif not quiet and o.status in {"duplicate", "moved"}:
                progress.console.print(f"[cyan]{o.status}[/] {escape(shown)}: {escape(o.reason or '')}")
            elif not quiet and not show_bar:
                progress.console.print(f"[green]{o.status}[/] {escape(shown)}" + (f" ({_count(o.pages, 'page')})" if o.pages else "")
                                       + (f": {escape(o.reason)}" if o.reason and o.status == "ingested" else ""))

        try:
            outcomes = run_ingest(paths, store, settings, on_outcome=report)
        except DatabaseError as e:
            raise CliError(str(e)) from e
        except KeyboardInterrupt:  # click would say "Aborted!" and exit 1, which reads as "some files failed"
            err.print(f"interrupted after {sum(counts.values())} of {total} files; what is recorded stays "
                      "recorded: run the same command again to go on")
            sys.exit(EXIT_INTERRUPTED)
    failed = sum(1 for o in outcomes if o.failed)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to ingest"
    err.print(f"{len(outcomes)} files: {summary}. Database: {db_path}")
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON: documents, pages, by_status, errors.")
def status(db_path: str, as_json: bool) -> None:
    """Show how many documents and pages are stored, and what failed and why."""
    summary = _existing(db_path).status()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    out.print(f"[bold]{summary['documents']}[/] documents, [bold]{summary['pages']}[/] pages in {db_path}")
    for name, n in summary["by_status"].items():
        out.print(f"  {name}: {n}")
    if summary["errors"]:
        table = Table("status", "path", "reason", title="Files not ingested")
        for e in summary["errors"]:
            table.add_row(e["status"], _shown(e["path"]), e["reason"] or "")
        out.print(table)


@cli.command()
@click.argument("document")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.option("--text", "with_text", is_flag=True, help="Print the document's text too.")
def show(document: str, db_path: str, as_json: bool, with_text: bool) -> None:
    """Show one stored DOCUMENT (its name or file name in any letter case, its path or SHA-256, or any copy of the
    file): pages, clauses, terms."""
    doc = _document(_existing(db_path), document)
    if as_json:
        if not with_text:
            doc["page_list"] = [{k: v for k, v in p.items() if k != "text"} for p in doc["page_list"]]
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    _print_document(doc, with_text)


def _document(store: Store, key: str) -> dict[str, Any]:
    """The stored document ``key`` names; a file on disk (the path as typed now, or a copy) is found by its content.

    Paths are stored absolute, so a path that exists is looked up as such first: ``contracts/agreement.pdf``
    typed in one archive is that archive's file, not another's of the same name."""
    from extractors.document import sha256_file

    keys = [os.path.abspath(key), key] if os.path.lexists(key) else [key]
    for k in keys:
        try:
            return store.document(k)
        except UnknownDocument as e:
            missing = e
    if Path(key).is_file():
        try:
            return store.document(sha256_file(key))
        except (UnknownDocument, OSError):
            pass
    raise CliError(str(missing))


def _shown(path: str) -> str:
    """A stored (absolute) path as printed for people: relative to the working directory when under it."""
    if not os.path.isabs(path):
        return path
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative == ".." or relative.startswith(".." + os.sep) else relative


def _print_document(doc: dict[str, Any], with_text: bool) -> None:
    out.print(f"[bold]{doc['name']}[/]  ({doc['kind']}, {doc['status']})")
    out.print(f"  sha256: {doc['sha256']}")
    out.print(f"  path:   {_shown(doc['path'])}")
    for alias in doc["aliases"]:
        if alias != doc["path"]:
            out.print(f"  alias:  {_shown(alias)}")
    for old in doc["moved_from"]:
        out.print(f"  moved from: {_shown(old)}")
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
    """Full-text search (SQLite FTS5 syntax) over stored clauses and pages.

    Words must all match; "an exact phrase", a OR b, a NOT b, NEAR(a b) and
    prefix* work too. A query FTS5 cannot read, such as non-compete, is
    searched for as quoted words.
    """
    import sqlite3

    from rich.text import Text

    try:
        rows = _existing(db_path).search(query, limit=limit)
    except sqlite3.OperationalError as e:
        raise CliError(f"cannot search for {query!r}: {e}. Search takes SQLite FTS5 syntax: words (all must "
                       'match), "an exact phrase", a OR b, a NOT b, NEAR(a b), prefix*; '
                       "see https://www.sqlite.org/fts5.html#full_text_query_syntax") from e
    if not rows:  # said, not an empty table: "*" or "(" holds no word, and a typo finds nothing
        import re

        if not re.search(r"\w", query):
            err.print(f"{query!r} holds no word to search for")
        else:
            err.print(f"no clause or page matches {query!r}")
            if re.search(r"\w{5,}\*", query):  # the index holds word stems (porter): terminate → termin
                err.print("a prefix* matches the stems the index holds (termination is stored as termin): "
                          "a shorter prefix may find it (termin* rather than terminat*)")
        return
    table = Table("document", "page", "section", "match")
    for r in rows:
        match = Text(r["snippet"])  # Text, not markup: a contract's [brackets] are printed as they are
        for start, end in r["matches"]:
            match.stylize("bold", start, end)
        section = " ".join(x for x in (r["number"], r["heading"]) if x)
        table.add_row(Text(r["name"]), str(r["page"]), Text(section), match)
    out.print(table)


@cli.group(name="eval")
def eval_group() -> None:
    """Measure quality against labelled data (CUAD)."""


@eval_group.command(name="cuad")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder laid out like ../shared/cuad (manifest.jsonl, labels.jsonl, pdf/).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds, split by contract.")
@click.option("--limit", type=click.IntRange(min=2), default=None, help="Use only the first N contracts of the manifest.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path.home() / ".cache" / "clausewise" / "cuad", show_default=True, help="Cache of read and segmented PDFs.")
@click.option("--predictions", "predictions_out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the out-of-fold predictions (CUAD n-best JSON) here.")
@click.option("--score", "score_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="Score these finished predictions (CUAD n-best JSON, e.g. from `export cuad`) instead of cross-validating: no training.")
def eval_cuad(data_dir: Path, folds: int, limit: int | None, work: Path, predictions_out: Path | None,
              score_path: Path | None) -> None:
    """Cross-validate the clause model on CUAD, by contract, from the PDFs.

    Each fold trains on its training contracts only and classifies the
    held-out ones through the same reader and segmenter as `ingest`. Prints
    CUAD's AUPR, precision at 80% and 90% recall, and AUPR per category.

    With --score, scores a finished predictions file instead, e.g. the shipped
    model's on contracts it never saw: `clausewise ingest DIR/pdf`, then
    `clausewise export cuad --out p.json`, then `eval cuad --data DIR --score p.json`.
    """
    from pipeline.cuad_eval import CuadError, cross_validate, load_cuad, score_predictions

    if score_path is not None:
        if predictions_out is not None:
            raise CliError("--score reads finished predictions; --predictions writes new ones: give one of them")
        from pipeline.gaps_eval import GapsEvalError, load_predictions

        try:
            data = load_cuad(data_dir, limit=limit, pdfs=False)
            result, absent = score_predictions(data, load_predictions(score_path))
        except (CuadError, GapsEvalError) as e:
            raise CliError(str(e)) from e
        if len(absent) == len(data.titles):
            raise CliError(f"{score_path} holds no predictions for the contracts of {data_dir} (keys are "
                           "<title or document name>__<Category>)")
        _print_cuad(result, f"CUAD scores of {score_path} over {result.documents} contracts (no training)")
        if absent:
            shown = ", ".join(absent[:3]) + (f" and {len(absent) - 3} more" if len(absent) > 3 else "")
            err.print(f"[yellow]{len(absent)} of {len(data.titles)} contracts have no predictions in {score_path} "
                      f"and are scored as finding nothing[/] ({shown}): were they ingested?")
        return
    if predictions_out is not None:
        _output_file(predictions_out, "--predictions")  # before an hour of cross-validation, not after
    _output_folder(work, "--work")
    try:
        data = load_cuad(data_dir, limit=limit)
    except CuadError as e:
        raise CliError(str(e)) from e
    if len(data.titles) < folds:
        raise CliError(f"{len(data.titles)} contracts cannot be split into {folds} folds")
    try:
        result, predictions = cross_validate(data, work, k=folds, on_progress=lambda m: err.print(m))
    except CuadError as e:
        raise CliError(str(e)) from e
    _print_cuad(result, f"CUAD, {result.folds}-fold cross-validation over {result.documents} contracts")
    seconds = result.seconds
    rate = result.clauses / seconds["classify"] if seconds["classify"] else 0.0
    err.print(
        f"read+segment {seconds['read_segment']:.0f}s, train {seconds['train']:.0f}s, "
        f"classify {seconds['classify']:.0f}s ({rate:.0f} clauses/s)"
    )
    if predictions_out is not None:
        try:
            write_text(predictions_out, json.dumps(predictions))  # whole, or the earlier file left as it was
        except OSError as e:
            raise CliError(f"cannot write --predictions {predictions_out}: {e.strerror or e}") from e
        err.print(f"wrote out-of-fold predictions for {result.documents} contracts to {predictions_out}")


def _print_cuad(result: Any, title: str) -> None:
    """CUAD's overall scores and the per-category table (worst first)."""
    o = result.overall
    out.print(f"[bold]{title}[/]")
    out.print(f"AUPR {o.aupr:.3f}   P@80R {o.p_at_80r:.3f}   P@90R {o.p_at_90r:.3f}")
    # Categories without a gold excerpt in these contracts have no precision-recall curve: "n/a", listed last.
    ranked = sorted(result.by_category.items(), key=lambda kv: (not kv[1].defined, kv[1].aupr))
    table = Table("category", "AUPR", "P@80R", title="Per category (worst first)")
    for category, s in ranked:
        table.add_row(category, f"{s.aupr:.3f}" if s.defined else "n/a", f"{s.p_at_80r:.3f}" if s.defined else "n/a")
    out.print(table)
    undefined = [c for c, s in ranked if not s.defined]
    if undefined:
        out.print(
            f"n/a: {len(undefined)} categor{'y' if len(undefined) == 1 else 'ies'} without a labelled excerpt in these contracts "
            f"({', '.join(undefined)}): no recall to measure, so no AUPR of their own (evaluate.py's rule would "
            "print 0). The overall figures pool every question, as CUAD's evaluate.py does, so candidates given "
            "in those categories count there as false positives."
        )


@cli.group(name="export")
def export_group() -> None:
    """Write stored results in other tools' formats."""


@export_group.command(name="cuad")
@DB_OPTION
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write, e.g. predictions.json.")
def export_cuad(db_path: str, out_path: Path) -> None:
    """Write CUAD's n-best predictions JSON for every ingested document.

    Keys are `<document>__<Category>` for all 41 CUAD categories (an empty
    list when none), each with at most 20 `{"text", "probability"}` candidates,
    best first: the format the CUAD authors' evaluate.py reads.
    """
    from pipeline.cuad_eval import write_cuad_predictions

    store = _existing(db_path)
    _output_file(out_path, "--out")
    try:
        summary = write_cuad_predictions(store, out_path)
    except OSError as e:
        raise CliError(f"cannot write --out {out_path}: {e.strerror or e}") from e
    names = ""
    if summary.aliased:
        names = f" ({summary.names:,} names: duplicates are written under each name)"
    documents = f"{summary.documents:,} document{'' if summary.documents == 1 else 's'}"
    err.print(f"wrote {summary.questions:,} questions for {documents}{names} to {out_path}")
    if summary.shared:
        shown = ", ".join(summary.shared[:5]) + (", ..." if len(summary.shared) > 5 else "")
        are = "name is" if len(summary.shared) == 1 else "names are"
        err.print(f"warning: {len(summary.shared):,} {are} shared by different documents (same file stem), "
                  f"written once with the last one's answers: {shown}")


@export_group.command(name="terms")
@DB_OPTION
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write, e.g. terms.jsonl.")
def export_terms(db_path: str, out_path: Path) -> None:
    """Write the key terms of every ingested document as JSON lines.

    One object per document: document, title, parties (list of {name, alias}),
    agreement_date, effective_date, expiration_date (YYYY-MM-DD or null),
    auto_renewal, renewal_term_months, notice_period_days, governing_law,
    liability_cap, payment_days and the other term kinds (null when absent).
    """
    from pipeline.terms_eval import terms_records

    store = _existing(db_path)
    _output_file(out_path, "--out")
    records = terms_records(store)
    try:
        with replacing(out_path, text=True) as fh:  # whole, or the earlier file left as it was
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    except OSError as e:
        raise CliError(f"cannot write --out {out_path}: {e.strerror or e}") from e
    err.print(f"wrote terms of {len(records)} documents to {out_path}")


@cli.command(name="obligations")
@click.argument("document")
@DB_OPTION
@click.option("--party", default=None, help="Only what binds this party (its alias, e.g. Supplier, or its name as `export terms` prints it, e.g. \"Acme Corp.\"): its own obligations and the mutual ones ('each party', 'the parties'); 'each party' alone gives the mutual ones. A name that is no party of DOCUMENT is an error that lists its parties.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of obligations.")
def obligations_command(document: str, db_path: str, party: str | None, as_json: bool) -> None:
    """List the stored obligations of one DOCUMENT (name, path or SHA-256, or any copy of the file): who, what, by when."""
    store = _existing(db_path)
    doc = _document(store, document)
    obligor = _obligor(party, doc) if party is not None else None
    rows = store.stored_obligations(doc["sha256"], obligor)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("obligor", "modality", "action", "due", "trigger", "page", title=f"Obligations in {doc['name']}")
    for r in rows:
        table.add_row(r["obligor"], r["modality"], r["action"][:90], r["due"] or "", r["trigger"] or "", str(r["page"]))
    out.print(table)
    err.print(f"{len(rows)} obligations" + (f" of {obligor}" if obligor else ""))


def _obligor(party: str, doc: dict[str, Any]) -> str:
    """The obligor ``--party`` names in ``doc``: a party's alias or name (as ``export terms`` prints it, or without
    its "Inc."), a stored obligor ("Agent"), or "each party" / "the parties"; anything else is a usage error."""
    from extractors.obligations import _aliases
    from extractors.records import Term

    parties = [Term(**t) for t in doc["terms"] if t["kind"] == "parties"]
    forms = dict(_aliases(parties))
    key = " ".join(party.split()).lower()
    if key in forms or key.rstrip(".") in forms:
        return forms.get(key) or forms[key.rstrip(".")]
    obligors = sorted({str(r["obligor"]) for r in doc["obligations"]} | {"each party", "the parties"})
    for o in obligors:
        if o.lower() == key:
            return o
    named = [f"{p.value['name']} ({p.value['alias']})" if p.value["name"] != p.value["alias"] else str(p.value["alias"])
             for p in parties if isinstance(p.value, dict)]
    others = [o for o in obligors if o not in forms.values() and o not in ("each party", "the parties")]
    known = "; ".join(named + others) or "none was found"
    raise CliError(f"no party {party!r} in {doc['name']}; its parties: {known} (or 'each party', 'the parties')")


@eval_group.command(name="terms")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder laid out like ../shared/cuad (manifest.jsonl, labels.jsonl, pdf/).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Use only the first N contracts of the manifest.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path.home() / ".cache" / "clausewise" / "cuad", show_default=True, help="Cache of read and segmented PDFs.")
def eval_terms(data_dir: Path, limit: int | None, work: Path) -> None:
    """Key-term accuracy against CUAD's normalised answers, from the PDFs.

    Governing law, agreement, effective and expiration dates, renewal term and
    notice period: exact match after normalisation (printed below the table);
    an empty CUAD answer expects no term.
    """
    from pipeline.cuad_eval import CuadError
    from pipeline.terms_eval import NORMALISATION, evaluate_terms

    _output_folder(work, "--work")
    try:
        result = evaluate_terms(data_dir, work, limit=limit, on_progress=lambda m: err.print(m))
    except CuadError as e:
        raise CliError(str(e)) from e
    table = Table("term", "accuracy", "n", "accuracy where CUAD answers", "n answered", title=f"Key terms over {result.documents} contracts")
    for category, s in result.by_category.items():
        table.add_row(category, f"{s.accuracy:.3f}", str(s.n), f"{s.accuracy_present:.3f}", str(s.gold_present))
    out.print(table)
    out.print("[bold]Normalisation[/]")
    for what, how in NORMALISATION.items():
        out.print(f"  {what}: {how}")
    rate = result.documents / result.terms_seconds if result.terms_seconds else 0.0
    err.print(f"terms: {result.terms_seconds:.1f}s for {result.documents} contracts ({rate:.1f} docs/s)")


@eval_group.command(name="obligations")
@click.option("--gold", "gold_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Hand labels (default: corpus/obligations_gold.jsonl).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="CUAD-shaped folder for the CUAD-sourced labels (skipped when absent).")
def eval_obligations(gold_path: Path | None, data_dir: Path | None) -> None:
    """Precision and recall of obligations (obligor + modality + action) against hand labels."""
    from pipeline.obligations_eval import GOLD_PATH, GoldError, obligations_result

    try:
        result = obligations_result(gold_path or GOLD_PATH, cuad_dir=data_dir)
    except GoldError as e:
        raise CliError(str(e)) from e
    table = Table("source", "sentences", "gold", "predicted", "matched", "precision", "recall", title="Obligations")
    for source, s in result.scores.items():
        table.add_row(source, str(s.sentences), str(s.gold), str(s.predicted), str(s.matched), f"{s.precision:.3f}", f"{s.recall:.3f}")
    out.print(table)
    for reason, n in result.skipped.items():
        hint = " (give --data DIR, a CUAD folder, to score them)" if "no --data" in reason else ""
        out.print(f"[bold]Not scored:[/] {_count(n, 'labelled sentence')}, {reason}{hint}; \"all\" leaves them out.")


@eval_group.command(name="gaps")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder laid out like ../shared/cuad (manifest.jsonl, labels.jsonl, pdf/).")
@click.option("--predictions", "predictions_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="Out-of-fold CUAD n-best JSON, from `clausewise eval cuad --predictions FILE`.")
@click.option("--playbook", "playbook_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="Take the presence rule from this playbook: the clause model's (models/clauses/presence.json) under whatever its settings override (presence_threshold[s], present_from_terms). Default: corpus/playbook.yaml, which overrides nothing.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, help="One presence threshold for every category instead of the playbook's.")
@click.option("--terms/--no-terms", "with_terms", default=None, help="Count extracted key terms as presence (reads and segments the PDFs). Default: the playbook's present_from_terms.")
@click.option("--tune-thresholds", is_flag=True, help="Pick each category's threshold (and, with terms, whether an extracted term counts for it) by 5-fold cross-validation over contracts; print the cross-validated figures and the rule picked on all contracts.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path.home() / ".cache" / "clausewise" / "cuad", show_default=True, help="Cache of read and segmented PDFs.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write every wrong pair (wrong and missed flags, under the rule scored: with --tune-thresholds each fold's) as JSON lines, with the model's best candidate and CUAD's excerpts.")
@click.option("--presence-out", "presence_out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="With --tune-thresholds: write the clause model's presence rule with the thresholds (and, with terms, the term choices) picked on all contracts, in the form of models/clauses/presence.json; the other categories keep that file's values.")
def eval_gaps(data_dir: Path, predictions_path: Path, playbook_path: Path | None, threshold: float | None,
              with_terms: bool | None, tune_thresholds: bool, work: Path, errors_path: Path | None,
              presence_out: Path | None) -> None:
    """Precision and recall of "missing" flags against CUAD labels (issue #5, item 6).

    A playbook requires ten categories (Cap On Liability, Termination For
    Convenience, Audit Rights, Insurance, Warranty Duration, Anti-Assignment,
    Change Of Control, Governing Law, Renewal Term, Notice Period To Terminate
    Renewal); over (contract, category) pairs a flag is right when CUAD has no
    span for the pair. By default a category is present by the default
    playbook's rule, the one `clausewise candidates` applies.
    """
    from pipeline import gaps_eval
    from pipeline.playbook import DEFAULT_PLAYBOOK, PlaybookError, load_playbook

    try:
        settings = load_playbook(playbook_path or DEFAULT_PLAYBOOK).settings
    except PlaybookError as e:
        raise CliError(str(e)) from e
    book = gaps_eval.presence_playbook(settings, threshold=threshold, with_terms=with_terms)
    terms = book.settings.uses_terms
    if errors_path is not None:
        _output_file(errors_path, "--errors")
    if presence_out is not None:
        if not tune_thresholds:
            raise CliError("--presence-out writes the rule --tune-thresholds picks: give both")
        _output_file(presence_out, "--presence-out")
    if terms:
        _output_folder(work, "--work")
    progress = lambda m: err.print(m)  # noqa: E731
    try:
        inputs = gaps_eval.load_inputs(data_dir, predictions_path, with_terms=terms, work=work, on_progress=progress)
        if tune_thresholds:
            tuning = gaps_eval.tune_thresholds(inputs.titles, inputs.present, inputs.predictions, terms=inputs.terms)
            result = tuning.cross_validated
            rule = f"per-category thresholds{' and terms' if terms else ''} picked by 5-fold CV over contracts"
            judged = [(tuning.fold_titles[i], tuning.fold_playbook(i)) for i in range(len(tuning.fold_titles))]
        else:
            result = gaps_eval.evaluate_missing(inputs.titles, inputs.present, inputs.predictions, book, terms=inputs.terms)
            s = book.settings
            per = {c: s.presence(c) for c in gaps_eval.ITEM6_CATEGORIES}
            rule = (f"presence threshold {s.presence_threshold:g}" if len(set(per.values())) == 1
                    and s.presence_threshold in per.values() else "per-category presence thresholds")
            counted = [c for c in gaps_eval.ITEM6_CATEGORIES if s.terms_count(c)] if terms else []
            rule += ("" if not counted else ", with terms" if len(counted) == len(gaps_eval.ITEM6_CATEGORIES)
                     else f", with terms for {len(counted)} categor{'y' if len(counted) == 1 else 'ies'}")
            judged = [(inputs.titles, book)]
        if errors_path is not None:
            _, excerpts = gaps_eval.cuad_excerpts(data_dir)
            wrong = [e for titles, fold_book in judged for e in gaps_eval.flag_errors(
                titles, inputs.present, inputs.predictions, fold_book, terms=inputs.terms, excerpts=excerpts)]
    except gaps_eval.GapsEvalError as e:
        raise CliError(str(e)) from e
    table = Table("category", "precision", "recall", "flagged", "truly missing", "pairs", "threshold",
                  title=f"Missing flags vs CUAD labels ({rule})")
    for category, sc in result.items():
        if tune_thresholds:
            shown = (f"{tuning.thresholds[category]:g}{' or term' if category in tuning.terms_categories else ''} "
                     f"(folds {'/'.join(f'{f[category]:g}' + ('+t' if category in ft else '') for f, ft in zip(tuning.fold_thresholds, tuning.fold_terms))})"
                     if category in tuning.thresholds else "")
        else:
            shown = (f"{book.settings.presence(category):g}{' or term' if terms and book.settings.terms_count(category) else ''}"
                     if category in gaps_eval.ITEM6_CATEGORIES else "")
        table.add_row(category, f"{sc.precision:.3f}", f"{sc.recall:.3f}", str(sc.tp + sc.fp), str(sc.tp + sc.fn),
                      str(sc.tp + sc.fp + sc.fn + sc.tn), shown)
    out.print(table)
    if tune_thresholds:
        out.print("Thresholds picked on all contracts (the clause model's presence rule, "
                  "models/clauses/presence.json; a playbook may override them as settings.presence_thresholds):")
        for category, t in tuning.thresholds.items():
            out.print(f"  {category}: {t:g}")
        if terms:
            out.print("Categories for which an extracted term counts (present_from_terms): "
                      f"[{', '.join(tuning.terms_categories)}]")
        if presence_out is not None:
            _write_presence_rule(presence_out, tuning, terms_tuned=terms, predictions=predictions_path)
    if errors_path is not None:
        try:
            with replacing(errors_path, text=True) as f:
                for e in sorted(wrong, key=lambda e: (e.category, e.error, e.document)):
                    f.write(json.dumps(dataclasses.asdict(e), ensure_ascii=False) + "\n")
        except OSError as e:
            raise CliError(f"cannot write --errors {errors_path}: {e.strerror or e}") from e
        err.print(f"wrote {len(wrong)} wrong pairs to {errors_path}")
    if inputs.left_out:
        out.print(f"[bold]Not judged:[/] {_count(len(inputs.left_out), 'contract')} of {data_dir} without any "
                  f"prediction in {predictions_path}; scored {len(inputs.titles)} of "
                  f"{len(inputs.titles) + len(inputs.left_out)}.")


def _write_presence_rule(path: Path, tuning: Any, *, terms_tuned: bool, predictions: Path) -> None:
    """The tuned presence rule as ``models/clauses/presence.json`` holds it, over the shipped rule's other values."""
    from models import CLAUSES_DIR
    from pipeline.playbook import PlaybookError, model_presence

    try:
        base = model_presence()
        version = json.loads((CLAUSES_DIR / "model.json").read_text(encoding="utf-8")).get("version")
    except (PlaybookError, OSError, ValueError) as e:
        raise CliError(f"cannot read the clause model's current presence rule: {e}") from e
    about = (f"Picked by `clausewise eval gaps --tune-thresholds{'' if terms_tuned else ' --no-terms'}` on "
             f"{predictions.name} (out-of-fold predictions of the clause model) for the ten item-6 categories; the "
             "others kept from the rule before. A playbook's settings.presence_threshold, presence_thresholds and "
             "present_from_terms override it. See models/clauses/MODEL_CARD.md, 'Presence rule'.")
    rule = tuning.presence_rule(base, terms_tuned=terms_tuned, model_version=version, about=about)
    try:
        with replacing(path, text=True) as f:
            f.write(json.dumps(rule, indent=1, ensure_ascii=False) + "\n")
    except OSError as e:
        raise CliError(f"cannot write --presence-out {path}: {e.strerror or e}") from e
    err.print(f"wrote the presence rule to {path}")


#: Exit code of an interrupted bulk load (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130


@cli.command(name="bulk-load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@DB_OPTION
@click.option("--dask", default=None, metavar="ADDRESS|local", help="Run analysis on Dask: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster on loopback. Default: threads.")
@click.option("--processes", is_flag=True, help="Run analysis in a local process pool instead of threads.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Threads, processes, or LocalCluster workers (0: automatic).")
@click.option("--batch", type=click.IntRange(min=0), default=0, show_default=True, help="Documents per task (0: automatic, one for a small run up to 25 for an archive); larger batches cut Prefect's per-task cost.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR scanned pages (images with no text layer, or only a stamp): files with such pages become needs_ocr, nothing of them stored.")
@click.option("--refresh", is_flag=True, help="Analyse again files already stored by an older version of Clausewise (reader, segmenter, clause model, key terms or obligations), so its improvements reach a loaded archive.")
def bulk_load_command(paths: tuple[str, ...], db_path: str, dask: str | None, processes: bool, workers: int,
                      batch: int, no_ocr: bool, refresh: bool) -> None:
    """Ingest many files as a Prefect flow: concurrent, resumable, watchable in the Prefect UI.

    Same outcomes as `ingest`; the analysis runs on a thread pool or a Dask
    cluster while this process stays the only database writer.
    """
    from flows.bulk_load import Interrupted, bulk_load, task_runner, temporary_server

    _no_missing_paths(paths)
    _open(db_path).close()
    resume = "run the same command again to resume"
    try:
        # one Prefect server for the run (unless PREFECT_API_URL names one), shared by every worker process,
        # out of reach of Ctrl-C and stopped with this process, however it ends
        with temporary_server(announce=err.print):
            runner = task_runner(dask, workers, processes=processes)
            outcomes = bulk_load.with_options(task_runner=runner)(list(paths), db_path, ocr=not no_ocr,
                                                                  batch=batch, workers=workers, refresh=refresh)
    except Interrupted as e:  # the workers are stopped; every recorded file stays recorded
        err.print(f"interrupted after {e.recorded} of {e.total} files; {resume}")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        err.print(f"interrupted; what is recorded stays recorded: {resume}")
        sys.exit(EXIT_INTERRUPTED)
    failed = [o for o in outcomes if o.failed]
    noted = [o for o in outcomes if not o.ok and not o.failed]
    for o in [o for o in outcomes if o.stale] + noted:  # paths printed as `ingest` prints them
        err.print(f"[yellow]{o.status}[/] {escape(_shown(o.path))}: {escape(o.reason or '')}")
    for o in failed:
        err.print(f"[red]{o.status}[/] {escape(_shown(o.path))}: {escape(o.reason or '')}")
    err.print(f"{len(outcomes)} files, {len(failed)} failed"
              + (f", {len(noted)} not contract files Clausewise reads" if noted else "") + f". Database: {db_path}")
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@cli.command()
@click.option("--inbox", required=True, type=click.Path(file_okay=False, path_type=str), help="Folder where new signed contracts arrive.")
@DB_OPTION
@click.option("--register", type=click.Path(dir_okay=False, path_type=str), default=None, help="Counterparty register CSV (with --playbook: refresh candidate lists).")
@click.option("--playbook", type=click.Path(dir_okay=False, path_type=str), default=None, help="Playbook YAML.")
@click.option("--out", type=click.Path(file_okay=False, path_type=str), default=None, help="Folder for the delivered candidate lists.")
@click.option("--cron", default="0 2 * * *", show_default=True, help="When `nightly` runs (cron syntax).")
@click.option("--timezone", default="UTC", show_default=True, help="Time zone of the cron schedule.")
@click.option("--name", default="nightly", show_default=True, help="Deployment name.")
@click.option("--apply-only", is_flag=True, help="Register the deployment and its schedule with the Prefect server, then exit. Its runs wait for a `serve` of the same --name, or, with --pool, for a worker of that pool.")
@click.option("--pool", default=None, metavar="NAME", help="With --apply-only: the process work pool whose worker runs the deployment, in this checkout (`prefect worker start --pool NAME`).")
def serve(inbox: str, db_path: str, register: str | None, playbook: str | None, out: str | None, cron: str,
          timezone: str, name: str, apply_only: bool, pool: str | None) -> None:
    """Register `nightly` as a scheduled Prefect deployment and serve its runs.

    Uses the Prefect server named by PREFECT_API_URL (see docs/flows.md).
    Runs until interrupted, unless --apply-only.
    """
    from prefect.settings import get_current_settings

    from flows.deploy import (
        BadSchedule, NoPrefectServer, apply, check_server, nightly_deployment, schedule, serve as serve_deployment,
    )

    if bool(register) != bool(playbook):
        raise CliError("--register and --playbook go together")
    if pool and not apply_only:
        raise CliError("--pool goes with --apply-only: without it this process runs the deployment itself")
    if not Path(inbox).is_dir():
        raise CliError(f"--inbox {inbox}: " + ("not a folder" if Path(inbox).exists() else "no such folder"))
    try:  # every argument error before the server is looked at
        schedule(cron, timezone)
    except BadSchedule as e:
        raise CliError(str(e)) from e
    if not get_current_settings().api.url:
        raise CliError("serve needs a Prefect server that outlives it: start one (`prefect server start`) and set "
                       "PREFECT_API_URL (docs/flows.md). Without it Prefect would use a temporary server, and the "
                       "deployment and its schedule would vanish with it.")
    from prefect.deployments.runner import DeploymentApplyError

    try:  # a server that refuses or does not answer: one line, not an httpx traceback
        check_server()
        deployment = nightly_deployment(inbox, db_path, register, playbook, out, cron=cron, timezone=timezone,
                                        name=name)
        if not apply_only:
            serve_deployment(deployment)
            return
        deployment_id = apply(deployment, pool)
    except NoPrefectServer as e:
        raise CliError(str(e)) from e
    except DeploymentApplyError as e:  # a work pool that does not exist
        hint = f" Create it: prefect work-pool create {pool} --type process" if pool else ""
        raise CliError(f"{e}{hint}") from e
    err.print(f"deployment nightly/{name} ({deployment_id}) scheduled '{cron}' {timezone}; its runs wait for "
              + (f"a worker of pool {pool} (`prefect worker start --pool {pool}`)" if pool else
                 f"`clausewise serve --name {name}` with the same options"))


@cli.command()
@DB_OPTION
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,  # pipeline.browse.DEFAULT_HOST
              help="Interface to listen on; the default keeps contracts on this machine.")
def browse(db_path: str, port: int, host: str) -> None:
    """Browse the database in Datasette, with titles, descriptions and canned queries.

    Canned queries: renewal notice deadlines in the next 90 days, clauses by
    category, full-text search, and renegotiation candidates by team once
    `candidates` has run.
    """
    import signal
    import subprocess
    import tempfile

    from pipeline.browse import datasette_command, write_metadata

    store = _existing(db_path)  # applies migrations, so every table the metadata names exists
    tables = store.db.table_names()
    store.close()
    # SIGINT and SIGTERM stop Datasette (a second one kills it) and let this process wait for it and
    # remove the metadata folder; otherwise SIGTERM ends this process alone and Datasette runs on.
    child: subprocess.Popen[bytes] | None = None
    stopped: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        stopped.append(signum)
        if child is not None and len(stopped) == 1:
            child.terminate()
        elif child is not None:
            child.kill()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with tempfile.TemporaryDirectory(prefix="clausewise-browse-") as tmp:
            meta = write_metadata(Path(tmp) / "metadata.json", Path(db_path).stem, tables)
            err.print(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)")
            child = subprocess.Popen(datasette_command(db_path, meta, host=host, port=port))
            if stopped:  # the signal came before there was a child to pass it on to
                child.terminate()
            try:
                code = child.wait()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    sys.exit(0 if stopped else code)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    import datetime as dt

    if value is None:
        return dt.date.today()  # the CLI is the edge: the core never reads the clock
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as e:
        raise click.BadParameter(f"{value!r} is not a calendar date ({e})") from None


@cli.command()
@DB_OPTION
@click.option("--register", "register_path", required=True, type=click.Path(dir_okay=False, path_type=str), help="Counterparty register CSV: the full form (corpus/generate's register.csv) or document,counterparty,account_team,segment.")
@click.option("--playbook", "playbook_path", default=None, type=click.Path(dir_okay=False, path_type=str), help="Playbook YAML. Default: the shipped corpus/playbook.yaml.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", callback=_as_of, help="Judge as of this date: each account's segment then, tier moves up to then, renewal deadlines from then; contracts signed later are left out (default: today).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str), help="Folder for gaps.jsonl and each team's CSV and HTML.")
@click.option("--send", is_flag=True, help="E-mail each team its own list (SMTP from CLAUSEWISE_SMTP_* or --delivery-config).")
@click.option("--delivery-config", type=click.Path(dir_okay=False, exists=True, path_type=str), default=None, help="YAML with smtp: settings and recipients: {team: [address]} (the environment wins).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Candidates printed per team (the files hold every one).")
@click.option("--no-embeddings", is_flag=True, help="Skip the non-standard-language check (no MiniLM).")
def candidates(db_path: str, register_path: str, playbook_path: str | None, as_of: Any, out_dir: str, send: bool,
               delivery_config: str | None, top: int, no_embeddings: bool) -> None:
    """Rank renegotiation candidates per account team and write (or e-mail) their lists.

    Holds every registered contract against its segment's playbook: missing
    clauses, weak values, non-standard language, portfolio outliers, tier
    moves and renewal deadlines. Exits 0 on success, 1 when some team's
    e-mail could not be sent, 2 on a bad register, playbook or database.
    """
    import datetime as dt

    from pipeline import deliver
    from pipeline.playbook import DEFAULT_PLAYBOOK, PlaybookError, load_playbook
    from pipeline.register import RegisterError
    from pipeline.report import ReportError, write_reports

    try:
        playbook = load_playbook(playbook_path or DEFAULT_PLAYBOOK)
        config = deliver.delivery_config(delivery_config)
        smtp = deliver.smtp_settings(config) if send else None
    except (PlaybookError, deliver.DeliveryError) as e:
        raise CliError(str(e)) from e
    store = _existing(db_path)
    try:
        run = deliver.build_candidates(store, register_path, playbook, as_of=as_of, embeddings=not no_embeddings,
                                       imported_on=dt.date.today())  # the CLI is the edge that reads the clock
        reports = write_reports(run.lists, out_dir, as_of=as_of, segments_order=run.segments_order)
    except (RegisterError, ReportError, DatabaseError) as e:
        raise CliError(str(e)) from e
    finally:
        store.close()
    for change in run.changes:
        was = f"from {change.previous} " if change.previous else ""
        err.print(f"segment: {change.counterparty} {was}to {change.segment} since {change.since or '?'}")
    for line in run.warnings(db_path):
        err.print("[yellow]warning[/]:", escape(line))
    if run.unassigned_documents:
        n = len(run.unassigned_documents)
        err.print(f"[yellow]note[/]: {_count(n, 'stored document')} {'is' if n == 1 else 'are'} in nobody's register row")
    for team, rows in run.lists.items():
        table = Table("#", "priority", "counterparty", "document", "segment", "kind", "category", "found",
                      "benchmark", "severity", title=f"{team}: top {min(top, len(rows))} of {len(rows)}")
        for r in rows[:top]:
            g = r.gap
            table.add_row(str(r.rank), f"{r.priority:.2f}", g.counterparty, g.document, g.segment, g.kind,
                          g.category or "", "" if g.found is None else str(g.found), str(g.benchmark), g.severity)
        out.print(table)
    err.print(f"{_count(len(run.gaps), 'gap')} for {_count(len(run.lists), 'team')} as of {as_of.isoformat()}; "
              f"wrote {reports.gaps_jsonl} and {_count(len(reports.teams), 'team report')} under {out_dir}")
    if smtp is None:
        return
    try:
        to = deliver.recipients(run.counterparties, config)
    except deliver.DeliveryError as e:
        raise CliError(str(e)) from e
    deliveries = deliver.send_reports(reports, run.lists, to, smtp, as_of=as_of)
    for d in deliveries:
        if d.sent:
            err.print(f"[green]sent[/] {d.team} to {', '.join(d.recipients)}")
        else:
            err.print(f"[red]not sent[/] {d.team}: {d.error}")
    sys.exit(EXIT_OK if all(d.sent for d in deliveries) else EXIT_SOME_FAILED)

@cli.command()
@click.option("--pdfs", "pdf_dir", required=True, type=click.Path(file_okay=False, exists=True, path_type=Path), help="Folder of real PDFs (e.g. ../shared/cuad/pdf).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Largest N (default: every PDF).")
@click.option("--series", default="25,50,100,200", show_default=True, help="Ns to run below --limit (comma-separated); --limit itself always runs.")
@click.option("--baseline-limit", type=click.IntRange(min=0), default=25, show_default=True, help="PDFs for the naive baseline (0: skip it).")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--cuad", "cuad_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="CUAD folder whose categories.csv gives the baseline's centroids (default: the parent of --pdfs).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None, help="Scratch folder for the fresh databases.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write every figure as JSON here.")
def bench(pdf_dir: Path, limit: int | None, series: str, baseline_limit: int, workers: int, cuad_dir: Path | None,
          work: Path | None, json_out: Path | None) -> None:
    """Benchmark the whole pipeline on real PDFs: a scaling series and a naive baseline.

    Each N runs ingest (read, clauses, classify, terms, obligations) and gaps
    with team reports into a fresh database, in a process of its own, and
    reports pages/s, contracts/s, seconds per stage and the peak memory of the
    process tree. The baseline (pdfplumber, MiniLM on every sentence, nearest
    centroid) runs on --baseline-limit PDFs; ours is reported as a ratio.
    """
    from pipeline import bench as b

    if json_out is not None:
        _output_file(json_out, "--json")  # before an hour of runs, not after
    available = len(b.pdfs_in(pdf_dir))
    top = min(limit or available, available)
    try:
        sizes = sorted({int(x) for x in series.split(",") if x.strip() and int(x) < top} | {top})
    except ValueError:
        raise click.BadParameter(f"expected numbers separated by commas, got {series!r}", param_hint="--series") from None
    work = _output_folder(work, "--work") if work is not None else b.default_work()
    runs = []
    for n in sizes:
        err.print(f"pipeline on {n} PDFs ...")
        runs.append(b.run_series(pdf_dir, [n], work, workers=workers)[0])
        r = runs[-1]
        err.print(f"  {r.pages} pages in {r.seconds:.1f} s: {r.pages_per_second:.1f} pages/s, peak {r.peak_rss_mb:.0f} MB")
    table = Table("N", "pages", "seconds", "pages/s", "contracts/s", "ms/page", "peak RSS MB", "errors", "gaps",
                  title=f"Clausewise pipeline, {runs[-1].workers} worker processes, {os.cpu_count()} cores")
    for r in runs:
        table.add_row(str(r.n), str(r.pages), f"{r.seconds:.1f}", f"{r.pages_per_second:.1f}",
                      f"{r.contracts_per_second:.2f}", f"{r.ms_per_page:.1f}", f"{r.peak_rss_mb:.0f}", str(r.errors), str(r.gaps))
    out.print(table)
    last = runs[-1]
    stages = Table("stage", "seconds", "share", title=f"Seconds per stage at N={last.n} (summed over workers)")
    stage_total = sum(last.stage_seconds.values()) + last.gaps_seconds
    for stage, seconds in [*last.stage_seconds.items(), ("gaps + reports", last.gaps_seconds)]:
        stages.add_row(stage, f"{seconds:.1f}", f"{seconds / stage_total:.0%}" if stage_total else "-")
    out.print(stages)
    result: dict[str, Any] = {"runs": [r.as_dict() for r in runs], "cores": os.cpu_count()}
    if baseline_limit:
        pdfs = b.pdfs_in(pdf_dir, baseline_limit)
        err.print(f"naive baseline on {len(pdfs)} PDFs ...")
        base = b.baseline(pdfs, cuad_dir or pdf_dir.parent)
        ours = next((r for r in runs if r.n == len(pdfs)), None) or b.run_series(pdf_dir, [len(pdfs)], work, workers=workers)[0]
        ratio = ours.pages_per_second / base.pages_per_second if base.pages_per_second else float("inf")
        out.print(f"naive baseline (pdfplumber + MiniLM on {base.sentences} sentences + nearest centroid): "
                  f"{base.pages} pages in {base.seconds:.1f} s = {base.pages_per_second:.2f} pages/s "
                  f"(pdfplumber {base.stage_seconds['pdfplumber']:.1f} s, embed {base.stage_seconds['embed']:.1f} s); "
                  f"Clausewise on the same {ours.n} PDFs: {ours.pages_per_second:.1f} pages/s = {ratio:.1f}x")
        result["baseline"] = base.as_dict()
        result["baseline"]["ours_pages_per_second"] = round(ours.pages_per_second, 1)
        result["baseline"]["ratio"] = round(ratio, 1)
    if json_out is not None:
        try:
            write_text(json_out, json.dumps(result, indent=1) + "\n")
        except OSError as e:
            raise CliError(f"cannot write --json {json_out}: {e.strerror or e}") from e
        err.print(f"wrote {json_out}")


def main() -> None:
    cli(prog_name="clausewise")


if __name__ == "__main__":
    main()
