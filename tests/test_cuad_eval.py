"""CUAD's metric on hand-made cases, checked against a transcription of evaluate.py."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.classify import CUAD_CATEGORIES
from extractors.document import read_text
from extractors.records import Candidate
from pipeline.cli import cli
from pipeline.cuad_eval import cuad_predictions, folds, jaccard, load_cuad, matches, scores
from pipeline.store import Analysis, Store

CUAD = Path(__file__).resolve().parents[2] / "shared" / "cuad"


# ----------------------------------------------------------------- reference: CUAD's evaluate.py, transcribed


def _ref_jaccard(gt: str, pred: str) -> float:
    for token in [".", ",", ";", ":"]:
        gt = gt.replace(token, "")
        pred = pred.replace(token, "")
    gt, pred = gt.lower().replace("/", " "), pred.lower().replace("/", " ")
    a, b = set(gt.split(" ")), set(pred.split(" "))
    return len(a & b) / len(a | b)


def _ref_scores(pred_dict, gt_dict):
    def get_preds(conf):
        results = {}
        for qid, plist in pred_dict.items():
            preds = {}
            for p in plist:
                if p["text"] != "":
                    preds[p["text"]] = p["probability"]
            results[qid] = [t for t in preds if preds[t] > conf]
        return results

    def pr(preds_dict):
        tp = fp = fn = 0
        for key, answers in gt_dict.items():
            substr_ok = "Parties" in key
            preds = preds_dict[key]
            ok = (lambda a, p: _ref_jaccard(a, p) >= 0.5 or a in p) if substr_ok else (lambda a, p: _ref_jaccard(a, p) >= 0.5)
            if len(answers) == 0:
                fp += len(preds)
            else:
                for a in answers:
                    if any(ok(a, p) for p in preds):
                        tp += 1
                    else:
                        fn += 1
                for p in preds:
                    if not any(ok(a, p) for a in answers):
                        fp += 1
        return (tp / (tp + fp) if tp + fp > 0 else np.nan), (tp / (tp + fn) if tp + fn > 0 else np.nan)

    precisions, recalls = [1], [0]
    for conf in list(np.arange(0.99, 0, -0.01)) + [0.001, 0]:
        p, r = pr(get_preds(conf))
        precisions.append(p)
        recalls.append(r)
    best = precisions[::-1]
    for i in range(1, len(best)):
        best[i] = max(best[i - 1], best[i])
    smooth = best[::-1]
    aupr = float(np.trapezoid(smooth, recalls)) if hasattr(np, "trapezoid") else float(np.trapz(smooth, recalls))
    aupr = 0.0 if math.isnan(aupr) else aupr

    def at(t):
        for p, r in zip(smooth, recalls):
            if r >= t:
                return p
        return 0

    return aupr, at(0.8), at(0.9)


# ----------------------------------------------------------------- the metric


def test_jaccard_follows_cuads_normalisation():
    assert jaccard("Acme Inc.", "acme inc") == 1.0
    assert jaccard("5/8/14", "5 8 14") == 1.0
    assert jaccard("governed by the laws of New York", "laws of New York;") == pytest.approx(4 / 7)
    assert jaccard("a b c d", "a b") == 0.5  # exactly the threshold: a match
    assert matches("a b c d", "a b", "Governing Law")
    assert not matches("a b c d e", "a b", "Governing Law")


def test_parties_also_match_by_containment_case_sensitive():
    preamble = 'This Agreement is made between Acme Widgets Inc. ("Acme") and Beta LLC ("Distributor").'
    assert matches("Acme", preamble, "X__Parties")
    assert matches("Beta LLC", preamble, "X__Parties")
    assert not matches("ACME", preamble, "X__Parties")
    assert not matches("Acme", preamble, "X__Governing Law")


def test_perfect_answers_score_one_and_every_candidate_of_an_empty_question_is_a_false_positive():
    gold = {"d__Governing Law": ("governed by the laws of Delaware",), "d__Insurance": ()}
    perfect = {"d__Governing Law": [{"text": "governed by the laws of Delaware.", "probability": 0.9}], "d__Insurance": []}
    s = scores(perfect, gold)
    assert (s.aupr, s.p_at_80r, s.p_at_90r) == (1.0, 1.0, 1.0)
    noisy = dict(perfect, **{"d__Insurance": [{"text": "The Supplier shall carry insurance.", "probability": 0.95}]})
    s = scores(noisy, gold)
    # The false positive ranks first: precision 0 at recall 0, then 1/2 at recall 1.
    assert (s.p_at_80r, s.p_at_90r) == (0.5, 0.5)
    assert s.aupr == pytest.approx(0.5)


def test_threshold_is_strict_and_equal_texts_count_once_last_probability_wins():
    gold = {"d__Parties": ("Acme",)}
    zero = {"d__Parties": [{"text": "Acme", "probability": 0.0}]}
    assert scores(zero, gold).aupr == 0.0  # never above any threshold
    twice = {"d__Parties": [{"text": "Acme", "probability": 0.9}, {"text": "Acme", "probability": 0.0}]}
    assert scores(twice, gold).aupr == 0.0


answers = st.lists(st.sampled_from(["a b", "a b c", "c d", "Acme", "x/y z", "Acme Inc.", "d e f g"]), max_size=3)
candidate = st.fixed_dictionaries({
    "text": st.sampled_from(["a b", "a", "b c d", "Acme Inc. and Beta", "x y", "d e", "", "q r s"]),
    "probability": st.sampled_from([0.0, 0.005, 0.01, 0.3, 0.305, 0.5, 0.99, 1.0]),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Parties", "Insurance", "Governing Law"]), answers, st.lists(candidate, max_size=4)), min_size=1, max_size=5))
def test_scores_equal_the_reference_implementation(questions):
    gold, preds = {}, {}
    for i, (category, gold_texts, cands) in enumerate(questions):
        gold[f"doc{i}__{category}"] = tuple(gold_texts)
        preds[f"doc{i}__{category}"] = cands
    ours = scores(preds, gold)
    ref = _ref_scores(preds, gold)
    assert (ours.aupr, ours.p_at_80r, ours.p_at_90r) == pytest.approx(ref)


def test_folds_partition_contracts():
    titles = [f"t{i}" for i in range(23)]
    parts = folds(titles, 5)
    assert sorted(t for p in parts for t in p) == sorted(titles)
    assert [len(p) for p in parts] == [5, 5, 5, 4, 4]
    assert folds(titles, 5) == parts  # fixed seed


# ----------------------------------------------------------------- export


def _store_with_candidates(tmp_path: Path) -> Store:
    store = Store(tmp_path / "cw.db")
    document = read_text("GOVERNING LAW\nThis Agreement is governed by the laws of Ohio.", source=str(tmp_path / "deal one.txt"))
    candidates = tuple(
        Candidate("Governing Law", f"text {i}", 1, 0, 10, p) for i, p in enumerate([0.2, 0.9] + [0.01] * 25)
    ) + (Candidate("Service Levels", "uptime", 1, 0, 6, 0.8),)
    store.write_analysis(document.source, Analysis(document=document, candidates=candidates), size=10)
    return store


def test_export_writes_all_41_categories_best_first_at_most_20(tmp_path):
    predictions = cuad_predictions(_store_with_candidates(tmp_path))
    assert sorted(predictions) == sorted(f"deal one__{c}" for c in CUAD_CATEGORIES)
    law = predictions["deal one__Governing Law"]
    assert len(law) == 20
    assert law[:2] == [{"text": "text 1", "probability": 0.9}, {"text": "text 0", "probability": 0.2}]
    assert predictions["deal one__Insurance"] == []


def test_cli_export_cuad(tmp_path):
    _store_with_candidates(tmp_path).close()
    out = tmp_path / "predictions.json"
    result = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "cw.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert len(data) == 41 and data["deal one__Governing Law"][0] == {"text": "text 1", "probability": 0.9}
    missing = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "none.db"), "--out", str(out)])
    assert missing.exit_code == 2 and "no database" in missing.output


def test_cli_eval_cuad_rejects_a_folder_that_is_not_cuad(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "cuad", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "does not look like CUAD" in result.output


# ----------------------------------------------------------------- real CUAD


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.skipif(not CUAD.is_dir(), reason="needs ../shared/cuad")
def test_cross_validation_on_a_few_cuad_contracts_runs_end_to_end(tmp_path):
    from pipeline.cuad_eval import cross_validate

    data = load_cuad(CUAD, limit=12)
    assert len(data.gold) == 12 * 41
    result, predictions = cross_validate(data, tmp_path, k=3)
    assert set(predictions) == set(data.gold)
    assert all(len(v) <= 20 for v in predictions.values())
    # Even trained on 8 contracts, the short answers (titles, parties, governing law) are found.
    assert result.by_category["Governing Law"].aupr > 0.3
    assert 0.0 < result.overall.aupr <= 1.0


# ----------------------------------------------------------------- export at scale (streamed)


def _store_with_duplicates(tmp_path: Path) -> Store:
    """Three contracts: "deal one" with a byte-identical copy "deal copy", an accented "Zürich lease", and a
    different contract stored as "deal one.pdf" (the same stem as "deal one.txt")."""
    store = _store_with_candidates(tmp_path)
    sha = next(store.documents())["sha256"]
    store.write_duplicate(str(tmp_path / "deal copy.txt"), sha, str(tmp_path / "deal one.txt"))
    for name, text, category in (("Zürich lease.txt", "Rent is due monthly.", "Parties"),
                                 ("deal one.pdf", "Either party may terminate.", "Termination For Convenience")):
        document = read_text(text, source=str(tmp_path / name))
        candidate = Candidate(category, f"“{text}”", 1, 0, len(text), 0.7)
        store.write_analysis(document.source, Analysis(document=document, candidates=(candidate,)), size=len(text))
    return store


def test_streamed_cuad_export_is_byte_identical_to_the_in_memory_dict(tmp_path):
    """Regression: `export cuad` built the whole dict and one json.dumps string (2.9 GB peak for 1,407 contracts);
    it now streams one document at a time, and must write exactly what the dict held, duplicates included."""
    from pipeline.cuad_eval import ExportSummary, write_cuad_predictions

    store = _store_with_duplicates(tmp_path)
    predictions = cuad_predictions(store)
    # "deal one.pdf" is other content beside "deal one.txt": stored as "deal one (pdf)", so no key is shared
    assert sorted({k.split("__")[0] for k in predictions}) == ["Zürich lease", "deal copy", "deal one", "deal one (pdf)"]
    out = tmp_path / "out" / "p.json"
    out.parent.mkdir()
    summary = write_cuad_predictions(store, out)
    assert out.read_text(encoding="utf-8") == json.dumps(predictions, indent=1, ensure_ascii=False)
    assert json.loads(out.read_text(encoding="utf-8")) == predictions
    assert summary == ExportSummary(questions=4 * 41, documents=3, names=4, aliased=1, shared=())
    assert [p.name for p in out.parent.iterdir()] == ["p.json"]  # no temporary file left behind

    empty = Store(tmp_path / "empty.db")
    assert write_cuad_predictions(empty, tmp_path / "e.json") == ExportSummary(0, 0, 0)
    assert (tmp_path / "e.json").read_text() == json.dumps({}, indent=1) == "{}"


def test_an_interrupted_cuad_export_leaves_no_file_at_out(tmp_path, monkeypatch):
    """Regression: the export must not leave a half-written JSON at --out; an earlier file there stays as it was."""
    import pipeline.cuad_eval as cuad_eval

    _store_with_duplicates(tmp_path).close()
    answers, calls = cuad_eval._answers, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return answers(*args, **kwargs)

    monkeypatch.setattr(cuad_eval, "_answers", failing)
    out = tmp_path / "out" / "p.json"
    result = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "cw.db"), "--out", str(out)])
    assert (result.exit_code, out.exists()) == (2, False), result.output
    assert "cannot write --out" in result.output and "No space left on device" in result.output
    assert list(out.parent.iterdir()) == []

    out.write_text("earlier")
    calls.clear()
    monkeypatch.setattr(cuad_eval, "_answers", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "cw.db"), "--out", str(out)])
    assert out.read_text() == "earlier" and [p.name for p in out.parent.iterdir()] == ["p.json"]


def test_cli_export_cuad_counts_documents_and_names_apart(tmp_path):
    """Regression: it said "wrote 72078 questions for 1758 documents" for 1,407 stored documents (a duplicate's
    name counted as a document)."""
    _store_with_duplicates(tmp_path).close()
    out = tmp_path / "p.json"
    result = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "cw.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = " ".join(result.output.split())
    assert f"wrote 164 questions for 3 documents (4 names: duplicates are written under each name) to {out}" in lines
    assert "warning" not in lines  # "deal one.pdf" beside "deal one.txt" is stored as "deal one (pdf)": nothing shared

    (tmp_path / "one").mkdir()
    store = _store_with_candidates(tmp_path / "one")
    store.write_duplicate(str(tmp_path / "one" / "copy.txt"), next(store.documents())["sha256"], "deal one.txt")
    store.close()
    result = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "one" / "cw.db"), "--out", str(out)])
    lines = " ".join(result.output.split())
    assert f"wrote 82 questions for 1 document (2 names: duplicates are written under each name) to {out}" in lines
    assert "warning" not in lines


def _cuad_folder(tmp_path: Path) -> Path:
    """A CUAD-shaped folder of two contracts; the second's PDF name differs from its title, as three CUAD files do."""
    root = tmp_path / "labelled"
    root.mkdir()
    (root / "manifest.jsonl").write_text(
        json.dumps({"title": "deal one", "pdf": "pdf/deal one.pdf"}) + "\n"
        + json.dumps({"title": "deal two", "pdf": "pdf/deal two-.PDF"}) + "\n")
    (root / "labels.jsonl").write_text(
        json.dumps({"title": "deal one", "category": "Governing Law",
                    "spans": [{"text": "This Agreement is governed by the laws of Ohio."}]}) + "\n"
        + json.dumps({"title": "deal two", "category": "Governing Law",
                      "spans": [{"text": "The laws of Texas govern this Agreement."}]}) + "\n")
    return root


def test_eval_cuad_scores_an_exported_database_without_training(tmp_path):
    """`eval cuad --score` measures finished predictions, e.g. the shipped model's via `export cuad`, whose keys
    are document names (deal two-), not manifest titles (deal two). A contract with no predictions counts as
    finding nothing, and the run says so."""
    root = _cuad_folder(tmp_path)
    exported = {f"{doc}__{c}": [] for doc in ("deal one", "deal two-") for c in CUAD_CATEGORIES}
    exported["deal one__Governing Law"] = [{"text": "This Agreement is governed by the laws of Ohio.", "probability": 0.9}]
    exported["deal two-__Governing Law"] = [{"text": "The laws of Texas govern this Agreement.", "probability": 0.8},
                                            {"text": "Notices go to Austin.", "probability": 0.3}]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(exported))
    result = CliRunner().invoke(cli, ["eval", "cuad", "--data", str(root), "--score", str(path)])
    assert result.exit_code == 0, result.output
    assert "AUPR 1.000   P@80R 1.000   P@90R 1.000" in result.output and "(no training)" in result.output
    del exported["deal two-__Governing Law"]
    exported = {k: v for k, v in exported.items() if not k.startswith("deal two-")}
    path.write_text(json.dumps(exported))
    half = CliRunner().invoke(cli, ["eval", "cuad", "--data", str(root), "--score", str(path)])
    assert half.exit_code == 0 and "P@80R 0.000" in half.output  # one of two excerpts found: recall 0.5
    assert "1 of 2 contracts have no predictions" in " ".join(half.output.split())
    path.write_text(json.dumps({"other__Governing Law": []}))
    none = CliRunner().invoke(cli, ["eval", "cuad", "--data", str(root), "--score", str(path)])
    assert none.exit_code == 2 and "holds no predictions for the contracts of" in none.output
    # Regression: probabilities times 50 scored AUPR 0.651 and -1 scored 0.000, without a word
    path.write_text(json.dumps({"deal one__Governing Law": [{"text": "Ohio.", "probability": 45.0}]}))
    scaled = CliRunner().invoke(cli, ["eval", "cuad", "--data", str(root), "--score", str(path)])
    assert scaled.exit_code == 2 and '"probability" must be between 0 and 1, not 45.0' in scaled.output


# ----------------------------------------------------------------- temporary files of writers that died


def test_a_cuad_export_is_not_stopped_by_what_a_killed_export_left_and_removes_it(tmp_path):
    """Regression: an export killed outright (SIGKILL cannot be caught) left `.p.json.<pid>.tmp`; they piled up, and
    a later export with the same pid (as a container's next run often has) failed "cannot write --out: File
    exists"."""
    store = _store_with_duplicates(tmp_path)
    expected = json.dumps(cuad_predictions(store), indent=1, ensure_ascii=False)
    store.close()
    out = tmp_path / "out" / "p.json"
    out.parent.mkdir()
    (out.parent / f".p.json.{os.getpid()}.tmp").write_text('{\n "deal one__Parties": [')  # this very pid
    (out.parent / ".p.json.4194001.0badcafe.tmp").write_text("{")  # another's, named as writers now name them
    (out.parent / ".q.json.4194001.tmp").write_text("{")  # another output's: not this export's business
    result = CliRunner().invoke(cli, ["export", "cuad", "--db", str(tmp_path / "cw.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in out.parent.iterdir()) == [".q.json.4194001.tmp", "p.json"]


@pytest.mark.skipif(os.name != "posix", reason="flock and SIGKILL are POSIX")
def test_a_writer_killed_outright_leaves_a_file_the_next_writer_removes_but_never_a_living_writers(tmp_path):
    from pipeline.cuad_eval import write_cuad_predictions

    store = _store_with_candidates(tmp_path)
    out = tmp_path / "out" / "p.json"
    out.parent.mkdir()
    child = ("import sys\nfrom pathlib import Path\nfrom pipeline.files import replacing\n"
             "with replacing(Path(sys.argv[1])) as f:\n    f.write(b'{\"half')\n    f.flush()\n"
             "    print('writing', flush=True)\n    sys.stdin.read()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                         os.environ.get("PYTHONPATH", "")])}
    writer = subprocess.Popen([sys.executable, "-c", child, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env=env)
    try:
        assert writer.stdout.readline() == b"writing\n"
        (its,) = [p for p in out.parent.iterdir() if p.name.startswith(".p.json.")]
        write_cuad_predictions(store, out)  # another export meanwhile: the living writer's file stays
        assert its.exists() and json.loads(out.read_text(encoding="utf-8")) == cuad_predictions(store)
    finally:
        writer.kill()
        writer.wait()
    assert its.exists()  # SIGKILL: no finally ran
    write_cuad_predictions(store, out)
    assert [p.name for p in out.parent.iterdir()] == ["p.json"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, TypeError])
def test_a_failed_or_interrupted_cache_write_leaves_no_temporary_file(tmp_path, monkeypatch, failure):
    """Regression: cached_document removed its `.tmp` on no failure at all, and caught only OSError: Ctrl-C (or any
    other error) in the middle of writing a document's cache left `<key>.json.tmp` in the work folder."""
    import pipeline.cuad_eval as cuad_eval

    contract = tmp_path / "deal.txt"
    contract.write_text("1. Term. This Agreement ends on 1 May 2026.\n2. Law. The laws of Ohio govern it.\n")
    work = tmp_path / "work"
    dump = json.dump

    def half_then_fail(obj, f, **kwargs):
        f.write('{"sha256": "')
        raise failure("stopped mid-write")

    monkeypatch.setattr(json, "dump", half_then_fail)
    with pytest.raises(failure):
        cuad_eval.cached_document(contract, work)
    assert list((work / "documents").iterdir()) == []
    monkeypatch.setattr(json, "dump", dump)
    document, clauses = cuad_eval.cached_document(contract, work)
    (cached,) = (work / "documents").iterdir()
    assert cached.name.endswith(".json.gz")
    assert cuad_eval.cached_document(contract, work) == (document, clauses)  # read back from the cache
