"""Jupyter notebooks, read from two real ones of statsmodels (tests/fixtures/README.md)."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document
from rag.text import sentence_spans

NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"


def test_a_notebook_reads_as_its_prose_with_its_code_fenced_and_its_headings_as_sections():
    theta = read_document("theta-model.ipynb", (NOTEBOOKS / "theta-model.ipynb").read_bytes())
    assert theta.title == "The Theta Model"
    assert [heading for _, heading in theta.sections][:3] == ["The Theta Model", "Imports", "Load some Data"]
    assert "```python\nimport matplotlib.pyplot as plt" in theta.text  # code in a fence: "# comments" are no headings
    sentences = [theta.text[s:e] for s, e in sentence_spans(theta.text)]
    assert "The model is first and foremost a forecasting method." in sentences


def test_what_a_notebooks_code_printed_is_read_but_not_its_plots():
    wls = read_document("wls.ipynb", gzip.decompress((NOTEBOOKS / "wls.ipynb.gz").read_bytes()))
    assert "WLS Regression Results" in wls.text and "OLS_HC0  0.194 0.0281" in wls.text  # printed tables
    assert "<Figure size" not in wls.text  # a plot's text stand-in


def test_a_notebook_in_the_folder_answers_with_its_prose_gzipped_or_not(tmp_path):
    engine = indexed_copies(tmp_path, [NOTEBOOKS / "theta-model.ipynb", NOTEBOOKS / "wls.ipynb.gz"])
    answer = engine.ask("How should the WLS weights relate to the error variance?")
    assert not answer.abstained and answer.citations[0].source == "wls.ipynb.gz", answer.text
    assert "proportional to the inverse of the error variance" in answer.citations[0].quote
    answer = engine.ask("What is the Theta model?")
    assert not answer.abstained and answer.citations[0].source == "theta-model.ipynb", answer.text


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "no cells"),
    (json.dumps({"cells": [{"cell_type": "code", "source": "", "outputs": []}]}).encode(), "no text"),
])
def test_a_broken_notebook_is_refused_saying_why(raw, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        read_document("broken.ipynb", raw)


def test_an_old_notebook_of_worksheets_and_heading_cells_is_read():
    # nbformat 3 (IPython 1-2): cells in worksheets, headings as cells of their own, code as "input".
    old = {"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "heading", "level": 1, "source": ["Tide tables"]},
        {"cell_type": "markdown", "source": ["The ferry leaves at nine."]},
        {"cell_type": "code", "input": ["print(9)"], "outputs": [{"output_type": "stream", "text": ["9\n"]}]}]}]}
    notebook = read_document("old.ipynb", json.dumps(old).encode())
    assert notebook.sections == [(0, "Tide tables")] and "The ferry leaves at nine." in notebook.text
    assert "```python\nprint(9)\n```\n\n```\n9\n```" in notebook.text
