"""reStructuredText (.rst), read from a real page of pip's documentation (tests/fixtures/rst)."""

from __future__ import annotations

from conftest import ROOT, indexed_copies
from rag.readers import read_document

PAGE = ROOT / "tests" / "fixtures" / "rst" / "upgrade-options.rst"


def test_a_sphinx_page_reads_as_its_words_with_its_sections():
    doc = read_document(PAGE.name, PAGE.read_bytes())
    assert doc.title == "Options that control the installation process"
    assert [name for _, name in doc.sections][:3] == [
        "Options that control the installation process", "Controlling what gets installed", "Controlling what gets considered"]
    # Sphinx's role reads as the words it shows; the markup of the source is not in the text.
    assert "This section of the documentation needs to be updated per Resolver changes 2020." in doc.text
    assert ":ref:" not in doc.text and ".. note::" not in doc.text and "``" not in doc.text


def test_an_rst_file_never_includes_another_file_nor_passes_raw_markup():
    source = (b"Notes\n=====\n\nThe ferry leaves at nine.\n\n.. include:: /etc/passwd\n\n"
              b".. raw:: html\n\n   <script>alert(1)</script>\n")
    doc = read_document("notes.rst", source)
    assert "The ferry leaves at nine." in doc.text
    assert "root:" not in doc.text and "<script>" not in doc.text


def test_asked_about_a_sphinx_page_the_answer_cites_its_sentence(tmp_path):
    engine = indexed_copies(tmp_path, [PAGE])
    answer = engine.ask("Which packages get upgraded with the eager strategy?")
    assert not answer.abstained, answer.text
    cited = answer.citations[0]
    assert "all packages will be upgraded" in cited.quote and cited.section == "Controlling what gets installed"
    assert engine.source_text(cited.source)[cited.start : cited.end] == cited.quote


def test_sphinx_s_directives_keep_their_text_and_its_roles_read_as_shown():
    source = (b"Notes\n=====\n\n.. versionadded:: 2.0\n   :foo: bar\n\n   The ferry leaves at nine.\n\n"
              b".. seealso::\n\n   The harbour guide.\n\nUse :func:`~os.path.join` and :ref:`the guide <guide>`.\n\n"
              b".. code-block:: python\n\n   x = 1\n")
    lines = read_document("notes.rst", source).text.splitlines()
    assert {"The ferry leaves at nine.", "The harbour guide.", "Use join and the guide.", "x = 1"} <= set(lines)
    assert not any(":foo:" in line for line in lines)
