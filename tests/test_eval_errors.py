"""Bad input to the `eval` and `export` commands: a clear error (exit 2) or a recorded reason, never a traceback.

Each test is named after what broke. The CUAD-shaped folders are built here, a few lines each; none needs
../shared/cuad.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline import cuad_eval
from pipeline.cli import EXIT_USAGE, cli
from pipeline.cuad_eval import CuadError, EvalResult, cached_document, load_cuad, scores
from tests.fixtures_docs import make_text_pdf

CONTRACT = "1. Governing Law. This Agreement is governed by the laws of the State of Ohio."


def _cuad(root: Path, titles: tuple[str, ...] = ("A", "B"), *, pdfs: tuple[str, ...] = ("A", "B"),
          manifest: str | None = None, labels: str | None = None) -> Path:
    """A CUAD-shaped folder: manifest.jsonl, labels.jsonl (one Governing Law span each), pdf/ (only ``pdfs``)."""
    (root / "pdf").mkdir(parents=True, exist_ok=True)
    for t in pdfs:
        make_text_pdf(root / "pdf" / f"{t}.pdf", [CONTRACT])
    (root / "manifest.jsonl").write_text(manifest if manifest is not None else "".join(
        json.dumps({"title": t, "pdf": f"pdf/{t}.pdf"}) + "\n" for t in titles))
    (root / "labels.jsonl").write_text(labels if labels is not None else "".join(
        json.dumps({"title": t, "category": "Governing Law", "answer": "Ohio",
                    "spans": [{"text": "the laws of the State of Ohio", "starts": [50]}]}) + "\n" for t in titles))
    return root


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _refused(result: Result, *messages: str) -> None:
    """Exit 2 with every message, and no exception but click's own exit."""
    assert result.exit_code == EXIT_USAGE, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    for message in messages:
        assert message in result.output, result.output


def _predictions(root: Path, body: Any) -> Path:
    path = root / "p.json"
    path.write_text(json.dumps(body))
    return path


# ----------------------------------------------------------------- 1. malformed manifest.jsonl / labels.jsonl

GOOD_LINE = json.dumps({"title": "A", "pdf": "pdf/A.pdf"})
BAD_LINES = [
    ("manifest", GOOD_LINE + "\n{not json\n", "manifest.jsonl: line 2: not JSON"),
    ("manifest", GOOD_LINE + "\n" + json.dumps({"title": "B"}) + "\n", 'manifest.jsonl: line 2: missing "pdf"'),
    ("manifest", GOOD_LINE + "\n[1, 2]\n", "manifest.jsonl: line 2: not a JSON object"),
    ("manifest", GOOD_LINE + "\n" + GOOD_LINE + "\n", "manifest.jsonl: line 2: title 'A' already on line 1"),
    ("labels", '{"title": "A", "category": "Governing Law", "spans": []}\nnope\n', "labels.jsonl: line 2: not JSON"),
    ("labels", '{"title": "A", "spans": []}\n', 'labels.jsonl: line 1: missing "category"'),
    ("labels", '{"title": "A", "category": "Governing Law", "spans": "Ohio"}\n', 'labels.jsonl: line 1: "spans" must be'),
]


@pytest.mark.parametrize("command", ["terms", "cuad", "gaps"])
@pytest.mark.parametrize(("which", "content", "message"), BAD_LINES)
def test_a_malformed_manifest_or_labels_line_is_an_error_naming_file_and_line(tmp_path, command, which, content, message):
    """Regression: a non-JSON line in manifest.jsonl ended `eval terms` in a JSONDecodeError traceback, a line
    without "pdf" in KeyError: 'pdf' (cuad_eval.load_cuad, under every eval command); labels.jsonl alike."""
    data = _cuad(tmp_path / "cuad", ("A",), pdfs=("A",), **{which: content})
    extra = {"terms": [], "cuad": ["--folds", "2"],
             "gaps": ["--predictions", _predictions(tmp_path, {"A__Insurance": []}), "--no-terms"]}[command]
    _refused(_run("eval", command, "--data", data, "--work", tmp_path / "work", *extra), f"{data}/{message}")


# ----------------------------------------------------------------- 2. a manifest entry whose PDF is not there


@pytest.mark.parametrize("command", [["eval", "terms"], ["eval", "cuad", "--folds", "2"]])
def test_a_missing_pdf_is_an_error_before_any_contract_is_read(tmp_path, command):
    """Regression: a manifest entry naming a PDF that does not exist ended the run in FileNotFoundError from
    cuad_eval.cached_document (pdf.stat()), after the contracts before it were read."""
    data = _cuad(tmp_path / "cuad", ("A", "B", "C"), pdfs=("A",))
    result = _run(*command, "--data", data, "--work", tmp_path / "work")
    _refused(result, f"{data}/manifest.jsonl: 2 of 3 PDFs listed do not exist: line 2: pdf/B.pdf; line 3: pdf/C.pdf")
    assert not (tmp_path / "work" / "documents").exists()  # nothing was read
    # With --limit the check covers only the contracts evaluated.
    assert load_cuad(data, limit=1).titles == ("A",)


def test_eval_gaps_with_terms_stops_on_a_missing_pdf_before_reading_any(tmp_path):
    """Regression: `eval gaps --terms` read the PDFs one by one and crashed on the first that was not there."""
    data = _cuad(tmp_path / "cuad", ("A", "B"), pdfs=("A",))
    preds = _predictions(tmp_path, {f"{t}__Governing Law": [{"text": "Ohio", "probability": 0.9}] for t in "AB"})
    result = _run("eval", "gaps", "--data", data, "--predictions", preds, "--terms", "--work", tmp_path / "work")
    _refused(result, "1 of 2 PDFs needed for the terms do not exist: line 2: pdf/B.pdf")
    assert not (tmp_path / "work" / "documents").exists()


def test_cached_document_on_a_vanished_or_damaged_pdf_is_a_cuad_error(tmp_path):
    """Regression: a PDF gone since the manifest was checked, or damaged, was a FileNotFoundError / reader error."""
    with pytest.raises(CuadError, match="cannot read .*gone.pdf"):
        cached_document(tmp_path / "gone.pdf", tmp_path / "work")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")
    with pytest.raises(CuadError, match="cannot read .*bad.pdf: .*truncated or corrupt"):
        cached_document(tmp_path / "bad.pdf", tmp_path / "work")


# ----------------------------------------------------------------- 3. malformed predictions for `eval gaps`


@pytest.mark.parametrize(("answers", "message"), [
    ([{"text": "x"}], "'A__Cap On Liability': candidate 0: missing \"probability\""),
    ([{"text": "x", "probability": "high"}], "'A__Cap On Liability': candidate 0: \"probability\" must be a number, not \"high\""),
    ("x", "'A__Cap On Liability': expected a list of candidates, got str"),
    ([{"probability": 0.5}], "'A__Cap On Liability': candidate 0: missing \"text\""),
    ([0.5], "'A__Cap On Liability': candidate 0: expected an object"),
])
def test_malformed_gap_predictions_are_an_error_naming_the_key(tmp_path, answers, message):
    """Regression: `{"<title>__Cap On Liability": [{"text": "x"}]}` gave KeyError: 'probability', "probability":
    "high" a ValueError, a string instead of a list a TypeError (all in gaps_eval._view)."""
    data = _cuad(tmp_path / "cuad", ("A",), pdfs=())
    preds = _predictions(tmp_path, {"A__Cap On Liability": answers})
    _refused(_run("eval", "gaps", "--data", data, "--predictions", preds, "--no-terms"), f"{preds}: {message}")


# ----------------------------------------------------------------- 4. and 6. `eval cuad`: the output file, n/a


@pytest.fixture
def fake_cross_validation(monkeypatch):
    """cross_validate replaced by one that scores fixed predictions at once (no reading, no training):
    Governing Law has gold and a right answer, Source Code Escrow has no gold but a candidate."""
    calls: list[int] = []

    def fake(data: cuad_eval.CuadData, work: Path, *, k: int = 5, **_: Any) -> tuple[EvalResult, dict[str, Any]]:
        calls.append(k)
        predictions = {key: [] for key in data.gold}
        for t in data.titles:
            predictions[f"{t}__Governing Law"] = [{"text": "the laws of the State of Ohio", "probability": 0.9}]
            predictions[f"{t}__Source Code Escrow"] = [{"text": "escrow", "probability": 0.95}]
        by_category = {c: scores(predictions, data.gold, category=c) for c in cuad_eval.CUAD_CATEGORIES}
        result = EvalResult(scores(predictions, data.gold), by_category, len(data.titles), k,
                            {"read_segment": 0.0, "train": 0.0, "classify": 0.0}, 0)
        return result, predictions

    monkeypatch.setattr(cuad_eval, "cross_validate", fake)
    return calls


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_eval_cuad_checks_the_predictions_path_before_cross_validating(tmp_path, fake_cross_validation, where):
    """Regression: `eval cuad --predictions /tmp/x/no-such-dir/p.json` ran the whole cross-validation (an hour on
    408 contracts), then lost it to a FileNotFoundError from predictions_out.write_text."""
    data = _cuad(tmp_path / "cuad")
    (tmp_path / "taken").write_text("")
    (tmp_path / "folder").mkdir()
    target = tmp_path / "taken" / "p.json" if where == "under a file" else tmp_path / "folder"
    result = _run("eval", "cuad", "--data", data, "--folds", "2", "--work", tmp_path / "work", "--predictions", target)
    if where == "a folder":  # click's own check (dir_okay=False), before the command runs
        assert result.exit_code == EXIT_USAGE and "is a directory" in result.output
    else:
        _refused(result, f"cannot write --predictions {target}: cannot create {target.parent}")
    assert fake_cross_validation == []  # nothing was run


def test_eval_cuad_creates_the_predictions_folder_like_eval_gaps_errors(tmp_path, fake_cross_validation):
    """Regression: a --predictions file in a folder not yet made was a FileNotFoundError after the run;
    `eval gaps --errors` creates the folder, and so does every output option now."""
    data = _cuad(tmp_path / "cuad")
    target = tmp_path / "new" / "sub" / "p.json"
    result = _run("eval", "cuad", "--data", data, "--folds", "2", "--work", tmp_path / "work", "--predictions", target)
    assert result.exit_code == 0, result.output
    assert set(json.loads(target.read_text())) == set(load_cuad(data).gold)


def test_eval_cuad_shows_na_for_categories_without_positives_not_zero_and_worst(tmp_path, fake_cross_validation):
    """Regression: categories with no gold excerpt in the contracts evaluated (Source Code Escrow at --limit 40)
    showed AUPR 0.000 and headed the "worst first" list."""
    data = _cuad(tmp_path / "cuad")
    result = _run("eval", "cuad", "--data", data, "--folds", "2", "--work", tmp_path / "work")
    assert result.exit_code == 0, result.output
    rows = [line.strip("│ ").split("│") for line in result.output.splitlines() if line.startswith("│")]
    rows = [[cell.strip() for cell in row] for row in rows if len(row) == 3]
    assert rows[0] == ["Governing Law", "1.000", "1.000"]  # the only category with positives, listed first
    assert [r[1:] for r in rows[1:]] == [["n/a", "n/a"]] * 40
    assert "40 categories without a labelled excerpt" in result.output
    assert "pool every question, as CUAD's evaluate.py does" in result.output
    # The overall figure is CUAD's pooled one, unchanged: the escrow candidates, ranked above the right answers,
    # are its false positives (precision 1/2 at every recall).
    assert "AUPR 0.500   P@80R 0.500" in result.output


def test_scores_say_whether_a_category_has_positives():
    """The library keeps evaluate.py's 0 for an undefined AUPR, and says it is undefined."""
    gold = {"d__Governing Law": ("the laws of Ohio",), "d__Source Code Escrow": ()}
    preds = {"d__Governing Law": [{"text": "the laws of Ohio", "probability": 0.9}],
             "d__Source Code Escrow": [{"text": "escrow", "probability": 0.5}]}
    escrow = scores(preds, gold, category="Source Code Escrow")
    assert (escrow.aupr, escrow.p_at_80r, escrow.positives, escrow.defined) == (0.0, 0.0, 0, False)
    law = scores(preds, gold, category="Governing Law")
    assert (law.aupr, law.positives, law.defined) == (1.0, 1, True)
    assert scores(preds, gold).positives == 1


# ----------------------------------------------------------------- 5. `eval obligations`

DEMO_ROW = {"source": "demo", "aliases": ["Supplier"], "text": "Supplier shall deliver the goods.",
            "obligations": [{"obligor": "Supplier", "modality": "shall", "action": "deliver the goods"}]}
CUAD_ROW = {"source": "cuad", "title": "T", "aliases": ["Supplier"], "start": 0, "end": 33,
            "obligations": [{"obligor": "Supplier", "modality": "shall", "action_start": 15, "action_end": 32}]}


def _gold(tmp_path: Path, *rows: dict[str, Any]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("folder", ["nope", "empty"])
def test_eval_obligations_data_that_is_not_cuad_is_an_error(tmp_path, folder):
    """Regression: `eval obligations --data nope` (or an empty folder) exited 0 with a demo-only table: the 160
    CUAD-sourced gold sentences were skipped without a word, so a mistyped path looked like a full result."""
    (tmp_path / "empty").mkdir()
    result = _run("eval", "obligations", "--gold", _gold(tmp_path, DEMO_ROW, CUAD_ROW), "--data", tmp_path / folder)
    _refused(result, "no such folder" if folder == "nope" else "does not look like CUAD: txt/ is needed")


def test_eval_obligations_says_which_labelled_sentences_it_skipped(tmp_path):
    """Regression: without --data (or without a contract's TXT) CUAD-sourced sentences were left out silently."""
    gold = _gold(tmp_path, DEMO_ROW, CUAD_ROW)
    without = _run("eval", "obligations", "--gold", gold)
    assert without.exit_code == 0, without.output
    assert "Not scored: 1 labelled sentence, CUAD-sourced, no --data (give --data DIR" in without.output
    (tmp_path / "cuad" / "txt").mkdir(parents=True)
    other = _run("eval", "obligations", "--gold", gold, "--data", tmp_path / "cuad")
    assert other.exit_code == 0 and f"1 labelled sentence, CUAD-sourced, contract's TXT not in {tmp_path}/cuad/txt" in other.output
    (tmp_path / "cuad" / "txt" / "T.txt").write_text("Supplier shall deliver the goods.")
    full = _run("eval", "obligations", "--gold", gold, "--data", tmp_path / "cuad")
    assert full.exit_code == 0 and "Not scored" not in full.output
    cells = [[c.strip() for c in line.strip("│ ").split("│")] for line in full.output.splitlines() if line.startswith("│")]
    assert cells == [["demo", "1", "1", "1", "1", "1.000", "1.000"], ["cuad", "1", "1", "1", "1", "1.000", "1.000"],
                         ["all", "2", "2", "2", "2", "1.000", "1.000"]]


def test_eval_obligations_on_the_shipped_labels_without_data_notes_the_160_cuad_sentences():
    result = _run("eval", "obligations")
    assert result.exit_code == 0, result.output
    assert "Not scored: 160 labelled sentences, CUAD-sourced, no --data" in result.output


@pytest.mark.parametrize(("rows", "message"), [
    ((), "gold.jsonl: no labelled sentences"),
    ((CUAD_ROW,), "gold.jsonl: no labelled sentences scored (1 skipped: CUAD-sourced, no --data)"),
])
def test_eval_obligations_with_nothing_to_score_is_an_error_not_a_table_of_zeros(tmp_path, rows, message):
    """Regression: `--gold empty.jsonl` printed a table of 0.000s with exit 0."""
    _refused(_run("eval", "obligations", "--gold", _gold(tmp_path, *rows)), message)


@pytest.mark.parametrize(("row", "message"), [
    ({k: v for k, v in DEMO_ROW.items() if k != "text"}, "line 1: missing text"),
    ({k: v for k, v in CUAD_ROW.items() if k != "title"}, "line 1: missing title"),
    ({**DEMO_ROW, "obligations": [{"obligor": "Supplier", "action": "deliver"}]}, "line 1: obligation 0: missing modality"),
    ({**CUAD_ROW, "start": "0"}, "line 1: offsets must be integers"),
])
def test_a_gold_row_without_its_sources_fields_is_an_error_naming_the_line(tmp_path, row, message):
    """Regression: a demo row without "text" or a CUAD row without "title" was a KeyError traceback."""
    (tmp_path / "cuad" / "txt").mkdir(parents=True)
    (tmp_path / "cuad" / "txt" / "T.txt").write_text("Supplier shall deliver the goods.")
    _refused(_run("eval", "obligations", "--gold", _gold(tmp_path, row), "--data", tmp_path / "cuad"), message)


# ----------------------------------------------------------------- 7. every output path, the same rules


def _store(tmp_path: Path) -> Path:
    from extractors.document import read_text
    from pipeline.store import Analysis, Store

    store = Store(tmp_path / "cw.db")
    document = read_text(CONTRACT, source=str(tmp_path / "deal.txt"))
    store.write_analysis(document.source, Analysis(document=document), size=10)
    store.close()
    return tmp_path / "cw.db"


@pytest.mark.parametrize("what", ["cuad", "terms"])
def test_export_creates_a_missing_output_folder_and_refuses_a_folder_or_a_path_under_a_file(tmp_path, what):
    """Regression: `export cuad --out new/p.json` failed with "No such file or directory" where `eval gaps
    --errors new/e.jsonl` created the folder; every output option now creates it."""
    db = _store(tmp_path)
    made = _run("export", what, "--db", db, "--out", tmp_path / "new" / "out.json")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "new" / "out.json").is_file()
    folder = _run("export", what, "--db", db, "--out", tmp_path / "new")
    assert folder.exit_code == EXIT_USAGE and "is a directory" in folder.output
    _refused(_run("export", what, "--db", db, "--out", tmp_path / "new" / "out.json" / "x.json"),
             "cannot write --out", "cannot create")


def test_eval_gaps_checks_the_errors_path_before_loading_anything(tmp_path):
    """Regression: an --errors path that could not be written was found only after the evaluation (with
    --terms, after reading every PDF)."""
    data = _cuad(tmp_path / "cuad", ("A",), pdfs=())
    (tmp_path / "taken").write_text("")
    preds = _predictions(tmp_path, {"OTHER__Insurance": []})  # loading would fail: no predictions for A
    result = _run("eval", "gaps", "--data", data, "--predictions", preds, "--no-terms",
                  "--errors", tmp_path / "taken" / "sub" / "e.jsonl")
    _refused(result, "cannot write --errors")
    assert "holds no predictions" not in result.output


@pytest.mark.parametrize("command", [["eval", "terms"], ["eval", "cuad", "--folds", "2"]])
def test_an_unusable_work_folder_is_an_error_before_reading(tmp_path, command):
    """Regression: a --work folder that could not be created was a NotADirectoryError traceback once the first
    contract had been read."""
    data = _cuad(tmp_path / "cuad")
    (tmp_path / "taken").write_text("")
    _refused(_run(*command, "--data", data, "--work", tmp_path / "taken" / "work"), "cannot write --work")


def test_eval_gaps_says_how_many_contracts_had_no_predictions(tmp_path):
    """Regression: contracts of --data without predictions were left out of `eval gaps` without a word (20
    contracts' out-of-fold predictions against the 408 of CUAD looked like a full evaluation)."""
    data = _cuad(tmp_path / "cuad", ("A", "B", "C"), pdfs=())
    preds = _predictions(tmp_path, {"A__Governing Law": [{"text": "Ohio", "probability": 0.9}]})
    result = _run("eval", "gaps", "--data", data, "--predictions", preds, "--no-terms")
    assert result.exit_code == 0, result.output
    assert f"Not judged: 2 contracts of {data} without any prediction in {preds}; scored 1 of 3." in result.output


@pytest.mark.parametrize("option", ["--json", "--work"])
def test_bench_checks_its_output_paths_before_running(tmp_path, monkeypatch, option):
    """Regression: `bench --json` was written only after every run (an hour on CUAD's 408 PDFs), so a path under a
    file lost them all to the write; a --work folder that could not be made failed in the first run."""
    from pipeline import bench

    runs = []
    monkeypatch.setattr(bench, "run_series", lambda *a, **k: runs.append(a) or [])
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "taken").write_text("")
    bad = tmp_path / "taken" / ("b.json" if option == "--json" else "work")
    _refused(_run("bench", "--pdfs", tmp_path / "pdfs", "--baseline-limit", "0", option, bad), f"cannot write {option}")
    assert runs == []
