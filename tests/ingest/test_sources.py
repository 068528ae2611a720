"""What in a documents folder is a document: a zip archive's documents, each cited by its name
in the archive (the documents zipped are real ones of tests/fixtures, described in its README)."""

from __future__ import annotations

import zipfile

from conftest import ROOT
from rag import RAG

FIXTURES = ROOT / "tests" / "fixtures"


def _bundle(path):
    """A folder sent as one file: a talk, a manual and a letter, with what a zip made on a Mac
    or by hand also holds (resource forks, a program, a member that inflates like a bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "office97" / "nyquist-cellular-automata.ppt", "talks/cellular-automata.ppt")
        archive.write(FIXTURES / "camlidl-1.04.doc.pdf", "manuals/camlidl.pdf")
        archive.write(FIXTURES / "mail" / "tdg_examples_permission.eml", "permission.eml")
        archive.writestr("__MACOSX/talks/._cellular-automata.ppt", b"\x00\x05\x16\x07")
        archive.writestr("setup.exe", b"MZ\x90\x00")
        archive.writestr("bomb.txt", b" " * 20_000_000)
    return path


def test_a_zip_archive_is_read_as_the_documents_in_it_each_cited_by_its_name(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    bundle = _bundle(docs / "bundle.zip")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert sorted(d.source for d in engine.status().documents) == [
        "bundle.zip › manuals/camlidl.pdf", "bundle.zip › permission.eml", "bundle.zip › talks/cellular-automata.ppt"]
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["bundle.zip › setup.exe"] == "unsupported type .exe"
    assert "refused as a possible zip bomb" in reasons["bundle.zip › bomb.txt"]
    assert not any("__MACOSX" in source for source in reasons)
    answer = engine.ask("Who gave the talk about cellular automata and Nyquist?")
    cited = answer.citations[0]
    assert not answer.abstained and cited.source == "bundle.zip › talks/cellular-automata.ppt", answer.text
    assert cited.page == 1 and engine.source_text(cited.source)[cited.start:cited.end] == cited.quote
    assert engine.library.original_path(cited.source) == bundle.resolve()
    # The archive rewritten with one document more: the others are not read again.
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.write(FIXTURES / "outlook" / "state-department-historian.msg", "historian.msg")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 1 and report.files_unchanged == 3, report
    answer = engine.ask("What is Carl Ashley's job?")
    assert not answer.abstained and answer.citations[0].source == "bundle.zip › historian.msg", answer.text


def test_a_damaged_archive_is_skipped_saying_so(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    (docs / "note.txt").write_text("The ferry leaves at nine.\n")
    report = RAG(docs_dir=docs, index_dir=tmp_path / "index").ingest(show_progress=False)
    assert report.files_indexed == 1
    assert [(s.source, s.reason.split(" (")[0]) for s in report.skipped] == [("broken.zip", "not a zip archive, or a damaged one")]


def _faq_tarball(path, compression="gz"):
    """Debian's FAQ as a tarball, as documentation is passed around on Unix: in a folder, with
    its suffix-less COPYRIGHT, a hidden editor's file and a stylesheet."""
    import io
    import tarfile

    with tarfile.open(path, f"w:{compression}") as archive:
        for page in sorted((FIXTURES / "debian-faq").iterdir(), reverse=True):  # not in name order
            archive.add(page, f"./debian-faq/{page.name}")
        for name, data in [("debian-faq/.index.en.html.swp", b"b0VIM 8.2"), ("debian-faq/faq.css", b"body { margin: 0 }")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_a_tarball_is_read_as_the_documents_in_it_in_the_order_it_holds_them(tmp_path):
    from rag.ingest.sources import list_files

    docs = tmp_path / "docs"
    docs.mkdir()
    _faq_tarball(docs / "faq.tar.gz")
    files, skipped = list_files(docs)
    pages = sorted(p.name for p in (FIXTURES / "debian-faq").iterdir())
    # Read in the archive's order: a compressed archive is read forward, never from its start again.
    assert [source for source, _ in files] == [f"faq.tar.gz › debian-faq/{name}" for name in reversed(pages)]
    assert [(s.source, s.reason.split(":")[0]) for s in skipped] == [("faq.tar.gz › debian-faq/faq.css", "unsupported type .css")]
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    engine.ingest(show_progress=False)
    answer = engine.ask("Will programs built for other Linux distributions run on Debian?")
    assert not answer.abstained and answer.citations[0].source == "faq.tar.gz › debian-faq/compatibility.en.html", answer.text
    assert engine.library.original_path(answer.citations[0].source) == (docs / "faq.tar.gz").resolve()


def test_a_file_compressed_on_its_own_is_read_as_the_file_it_holds(tmp_path):
    import gzip
    import lzma

    docs = tmp_path / "docs"
    docs.mkdir()
    page = FIXTURES / "debian-faq" / "compatibility.en.html"
    (docs / "compatibility.en.html.gz").write_bytes(gzip.compress(page.read_bytes()))  # as Debian ships its docs
    (docs / "COPYRIGHT.xz").write_bytes(lzma.compress((FIXTURES / "debian-faq" / "COPYRIGHT").read_bytes()))
    (docs / "changelog.Debian.gz").write_bytes(gzip.compress(b"aprx (2.9.0) unstable; urgency=low\n"))
    (docs / "zeros.txt.gz").write_bytes(gzip.compress(b" " * 50_000_000))  # a bomb: 50 MB from 50 KB
    (docs / "cut.txt.gz").write_bytes(gzip.compress(page.read_bytes())[:500])
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert sorted(d.source for d in engine.status().documents) == ["COPYRIGHT.xz", "compatibility.en.html.gz"]
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["changelog.Debian.gz"].startswith("unsupported type .debian (compressed .gz)")
    assert "refused as a possible bomb" in reasons["zeros.txt.gz"] and "damaged" in reasons["cut.txt.gz"], reasons
    answer = engine.ask("Will programs built for other Linux distributions run on Debian?")
    assert not answer.abstained and answer.citations[0].source == "compatibility.en.html.gz", answer.text
    assert engine.source_text("compatibility.en.html.gz") == engine.source_text(answer.citations[0].source)


def test_a_damaged_or_bomb_tarball_is_skipped_saying_so(tmp_path):
    import gzip
    import io
    import tarfile

    docs = tmp_path / "docs"
    docs.mkdir()
    whole = _faq_tarball(tmp_path / "faq.tar.gz").read_bytes()
    (docs / "cut.tar.gz").write_bytes(whole[: len(whole) // 2])  # its first pages whole, then cut
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("spaces.txt")
        info.size = 100_000_000  # spaces: a thousand times their packed size
        archive.addfile(info, io.BytesIO(b" " * info.size))
    (docs / "bomb.tgz").write_bytes(gzip.compress(buffer.getvalue()))
    report = RAG(docs_dir=docs, index_dir=tmp_path / "index").ingest(show_progress=False)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["bomb.tgz"].startswith("it inflates past") and "refused as a possible bomb" in reasons["bomb.tgz"], reasons
    cut = [s for s in reasons if s.startswith("cut.tar.gz")]
    assert cut and all("damaged" in reasons[s] for s in cut), reasons
    assert report.files_indexed >= 1  # the pages before the cut
