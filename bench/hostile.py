"""Hostile files against the readers and the ingest: each refused or read, with the reason shown,
wall time and peak memory, each case in a process of its own (so one case's memory is its own).

    .venv/bin/python bench/hostile.py [--only NAME] [--timeout 60]

Every file is made here (nothing is downloaded). A case passes when it finishes within the
timeout under 1 GB of peak memory, whatever the outcome, and its reason is in plain words.
The last two cases, a full disk and a read-only index, need root (a tmpfs mounted for the
index) and are skipped otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKUP = (
    "# Notes <img src=\"http://127.0.0.2/h.png\">\n\nThe keeper is Orla <img src=\"http://127.0.0.2/i\"> Brennan.\n"
    "<a href=\"http://127.0.0.2/phish\">click to claim your prize</a> ![t](http://127.0.0.2/t.png)\n"
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(body_chunks) -> bytes:
    """A minimal Word package whose document body is written chunk by chunk (so a huge one
    never sits in memory here)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w") as f:
            f.write(f'<?xml version="1.0"?><w:document {_W}><w:body>'.encode())
            for chunk in body_chunks:
                f.write(chunk.encode())
            f.write(b"</w:body></w:document>")
    return out.getvalue()


def merged_chain(rows: int):
    cell = '<w:tc><w:tcPr><w:vMerge{}/></w:tcPr><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>'
    yield "<w:tbl>"
    for i in range(rows):
        yield "<w:tr>" + cell.format(' w:val="restart"' if i == 0 else "", "cell" if i == 0 else "") + cell.format("", f"row {i}") + "</w:tr>"
    yield "</w:tbl>"


def blank_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
    return bytes(pdf.output())


def nested_mail(depth: int) -> bytes:
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth))
    closing = b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    return (b"From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n" + opening
            + b"Content-Type: text/plain\n\nThe ferry leaves at nine.\n" + closing)


def mail_with(attachments) -> bytes:
    """A message carrying the given (file name, bytes) attachments."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "Files"
    message.set_content("The files are attached.\n")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def zip_of(members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def tarball(members) -> bytes:
    """A gzipped tar archive of (name, bytes) members."""
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def ods_repeated() -> bytes:
    """A spreadsheet whose one row of values is "repeated" a million times, each cell 16,384
    times across: what a sheet stores for its used area, stretched to its edges."""
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               '<office:body><office:spreadsheet><table:table table:name="S">'
               '<table:table-row><table:table-cell><text:p>Port</text:p></table:table-cell><table:table-cell><text:p>Ferry</text:p></table:table-cell></table:table-row>'
               '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384" '
               'office:value-type="float" office:value="9"><text:p>9</text:p></table:table-cell></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return out.getvalue()


CASES = {
    "markup everywhere (.md)": lambda: ("markup.md", MARKUP.encode()),
    "markup in a <title> (.html)": lambda: ("page.html", b"<html><head><title>![t](http://127.0.0.2/t) Tides</title></head><body><p>The tide turns at noon.</p></body></html>"),
    "unclosed fences, 50 KB (.md)": lambda: ("fences50.md", b"```python\n# x = 1\n" * 2_800),
    "unclosed fences, 100 KB (.md)": lambda: ("fences100.md", b"```python\n# x = 1\n" * 5_600),
    "unclosed fences, 200 KB (.md)": lambda: ("fences200.md", b"```python\n# x = 1\n" * 11_200),
    "headings x fences, 200 KB (.md)": lambda: ("headings.md", b"# heading\n```\n" * 15_000),
    "headings x fences, 2 MB (.md)": lambda: ("headings.md", b"# heading\n```\n" * 150_000),
    "a table of 200,000 rows, 2 MB (.md)": lambda: ("table.md", b"| a | b |\n|---|---|\n" + b"| x | y |\n" * 200_000),
    "front matter of a million aliases (.md)": lambda: ("aliases.md", b"---\nbase: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        b"l%d: &l%d [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n" % ((i, i) + (b"a" if i == 0 else b"l%d" % (i - 1),) * 10)
        for i in range(6)) + b"title: *l5\n---\nThe keeper lights the lamp.\n"),
    # Not hostile: what the same sizes of ordinary prose cost, for the two above.
    "prose, 200 KB (.txt)": lambda: ("prose.txt", (ROOT / "seeds" / "russia-seeks-us-help-rebuild-syria.txt").read_bytes() * 42),
    "prose, 2 MB (.txt)": lambda: ("prose.txt", (ROOT / "seeds" / "russia-seeks-us-help-rebuild-syria.txt").read_bytes() * 420),
    "12 MB web page over a 200 MB reading budget (.html)": lambda: (
        "huge.html", b"<html><body>" + b"<p>The keeper lit the lamp.</p>" * 400_000 + b"</body></html>",
        {"read_memory_mb": 200}),
    "zip bomb, 1 GB document.xml (.docx)": lambda: ("bomb.docx", docx(" " * 1_000_000 for _ in range(1000))),
    "merged-cell chain, 3,000 rows (.docx)": lambda: ("merged.docx", docx(merged_chain(3000))),
    "10 MB text node (.docx)": lambda: ("node.docx", docx(["<w:p><w:r><w:t>", "word " * 2_000_000, "</w:t></w:r></w:p>"])),
    "billion laughs (.html)": lambda: ("laughs.html", (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + ']><html><body><p>&i;</p><p>The ferry leaves at nine.</p></body></html>').encode()),
    "deep nesting, 100,000 divs (.html)": lambda: ("deep.html", b"<html><body>" + b"<div>" * 100_000 + b"The ferry leaves at nine." + b"</div>" * 100_000 + b"</body></html>"),
    "3,000 blank pages (.pdf)": lambda: ("blank.pdf", blank_pdf(3000)),
    "NULs after 8 KB (.txt)": lambda: ("nul.txt", b"The ferry leaves at nine. " * 400 + b"\x00\x00 The keeper\x00 lit the lamp.\n"),
    "200 MB on one line (.txt)": lambda: ("oneline.txt", b"word " * 40_000_000),
    "not a zip (.docx)": lambda: ("fake.docx", b"this is not a zip file at all"),
    "MIME parts nested 3,000 deep (.eml)": lambda: ("deep.eml", nested_mail(3000)),
    "a zip bomb attached to a message (.eml)": lambda: ("bomb.eml", mail_with([("bomb.docx", docx(" " * 1_000_000 for _ in range(1000)))])),
    "20,000 attachments (.eml)": lambda: ("many.eml", mail_with((f"part{i}.bin", b"x" * 10) for i in range(20_000))),
    "a row repeated a million times, 16,384 cells wide (.ods)": lambda: ("edges.ods", ods_repeated()),
    "groups nested 200,000 deep (.rtf)": lambda: ("deep.rtf", b"{\\rtf1 " + b"{" * 200_000 + b"The ferry leaves at nine." + b"}" * 200_000 + b"}"),
    "a picture claiming 100 GB of binary (.rtf)": lambda: ("bin.rtf", b"{\\rtf1 The ferry leaves at nine.{\\pict\\bin99999999999 x}}"),
    "2 MB of paragraphs (.rtf)": lambda: ("long.rtf", b"{\\rtf1 " + b"The keeper lit the lamp.\\par " * 70_000 + b"}"),
    "a compound-file signature, then 10 MB of nothing (.ppt)": lambda: ("empty.ppt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(10_000_000)),
    "a compound-file signature, then 10 MB of nothing (.msg)": lambda: ("empty.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(10_000_000)),
    "2,000 notes in one archive (.zip)": lambda: ("notes.zip", zip_of((f"notes/{i}.txt", f"Note {i}: the ferry leaves at {i % 12 + 1}.\n".encode()) for i in range(2000))),
    "a member that inflates 1,000 times past 1 MB, beside a good one (.zip)": lambda: (
        "bomb.zip", zip_of([("bomb.txt", b" " * 50_000_000), ("note.txt", b"The ferry leaves at nine.\n")])),
    "a file that inflates 1,000 times its size (.txt.gz)": lambda: ("bomb.txt.gz", gzip.compress(b" " * 50_000_000)),
    "a tarball whose one member inflates 1,000 times (.tar.gz)": lambda: ("bomb.tar.gz", tarball([("spaces.txt", b" " * 100_000_000)])),
    "a tarball of 2,000 notes (.tar.gz)": lambda: ("notes.tar.gz", tarball(
        (f"notes/{i}.txt", f"Note {i}: the ferry leaves at {i % 12 + 1}.\n".encode()) for i in range(2000))),
    "a notebook nested 100,000 deep (.ipynb)": lambda: ("deep.ipynb", b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "a notebook of 50,000 cells (.ipynb)": lambda: ("cells.ipynb", json.dumps({"cells": [
        {"cell_type": "markdown", "source": f"Note {i}: the ferry leaves at {i % 12 + 1}."} for i in range(50_000)]}).encode()),
    "20 MB of random bytes past ASCII, no NUL (.txt)": lambda: ("noise.txt", bytes(b | 0x80 for b in random.Random(7).randbytes(20_000_000))),
    "a message's header of 100,000 fields, named as a Maildir names it": lambda: (
        "1039434711.M12P99.host:2,S", b"X-Spam: no\n" * 100_000 + b"From: Ann <ann@x.org>\nDate: Mon, 2 Dec 2002\n\nThe ferry leaves at nine.\n"),
}


def run_case(name: str) -> None:
    """In the child: make the file, ingest a folder holding it and one good file, print JSON."""
    import resource

    from rag import RAG

    filename, data, *more = CASES[name]()
    settings = more[0] if more else {}  # a case's own Settings (a smaller reading budget)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        (docs / filename).write_bytes(data)
        (docs / "good.txt").write_text("Ferry notes\n\nThe ferry to the island leaves at nine every morning.\n")
        del data
        engine = RAG(docs_dir=docs, index_dir=Path(tmp) / "index", reader=False, **settings)
        started = time.perf_counter()
        report = engine.ingest(show_progress=False)
        seconds = time.perf_counter() - started
        skipped = {s.source: s.reason for s in report.skipped}
        mine = {s: r for s, r in skipped.items() if s.startswith(filename + " › ")}  # an archive's members
        good = "good.txt" not in skipped and not engine.ask("When does the ferry leave?").abstained
        reader_peak_mb = _peak_mb(engine.index.file_reader)
    print(json.dumps({
        "case": name, "outcome": "refused" if filename in skipped else "read in part" if mine else "read",
        "reason": skipped.get(filename) or "; ".join(f"{source}: {reason}" for source, reason in mine.items())[:300],
        "rest_indexed": good, "seconds": round(seconds, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "reader_peak_mb": reader_peak_mb,
    }))


def _peak_mb(reader) -> int:
    """The reader process's peak resident memory (0 if none ran, or it was killed): its own
    high-water mark, as getrusage's for children counts the parent's pages it forked from."""
    process = reader._process
    if process is None or process.poll() is not None:
        return 0
    status = Path(f"/proc/{process.pid}/status").read_text()
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024)


def full_disk() -> dict:
    """An index on a 2 MB file system that fills up during the ingest."""
    mount = Path(tempfile.mkdtemp(prefix="rag-full-"))
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)]).returncode:
        return {"case": "full disk (2 MB tmpfs index)", "outcome": "skipped (needs root to mount a tmpfs)"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            docs = Path(tmp) / "docs"
            docs.mkdir()
            for i in range(40):
                (docs / f"n{i}.txt").write_text(f"Notes {i}\n\n" + "The ferry to the island leaves at nine every morning. " * 400)
            env = {**os.environ, "RAG_DOCS_DIR": str(docs), "RAG_INDEX_DIR": str(mount / "index"), "RAG_READER": "false"}
            started = time.perf_counter()
            ingest = subprocess.run([str(ROOT / ".venv/bin/rag"), "ingest"], env=env, capture_output=True, text=True, timeout=300)
            ask = subprocess.run([str(ROOT / ".venv/bin/rag"), "ask", "When does the ferry leave?"], env=env,
                                 capture_output=True, text=True, timeout=120)
            last = lambda p: (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or [""])[-1][:200]  # noqa: E731
            return {"case": "full disk (2 MB tmpfs index)", "outcome": f"ingest exit {ingest.returncode}, ask exit {ask.returncode}",
                    "reason": f"ingest: {last(ingest)} | ask: {last(ask)}",
                    "traceback": "Traceback" in ingest.stderr + ask.stderr, "seconds": round(time.perf_counter() - started, 2)}
    finally:
        subprocess.run(["umount", str(mount)])


def read_only_index() -> dict:
    """An index made, then its file system remounted read-only: what ingest, ask and serve say."""
    case = "read-only index (tmpfs remounted read-only)"
    mount = Path(tempfile.mkdtemp(prefix="rag-ro-"))
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)]).returncode:
        return {"case": case, "outcome": "skipped (needs root to mount a tmpfs)"}
    rag = str(ROOT / ".venv/bin/rag")
    env = {**os.environ, "RAG_DOCS_DIR": str(ROOT / "seeds"), "RAG_INDEX_DIR": str(mount / "index")}
    last = lambda p: (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or [""])[-1][:200]  # noqa: E731
    try:
        subprocess.run([rag, "ingest"], env=env, capture_output=True, timeout=300, check=True)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        runs = {name: subprocess.run([rag, *argv], env=env, capture_output=True, text=True, timeout=120)
                for name, argv in (("ingest", ["ingest"]), ("ask", ["ask", "Who sent the proposal?"]))}
        return {"case": case, "outcome": ", ".join(f"{n} exit {p.returncode}" for n, p in runs.items()),
                "reason": " | ".join(f"{n}: {last(p)}" for n, p in runs.items()),
                "traceback": any("Traceback" in p.stderr for p in runs.values())}
    finally:
        subprocess.run(["umount", str(mount)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.case:
        return run_case(args.case)
    rows = []
    for name in CASES:
        if args.only and args.only not in name:
            continue
        started = time.perf_counter()
        try:
            child = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True,
                                   timeout=args.timeout, cwd=ROOT)
            lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
            row = json.loads(lines[-1]) if lines else {"case": name, "outcome": f"crashed (exit {child.returncode})",
                                                         "reason": (child.stderr.strip().splitlines() or [""])[-1][:200]}
        except subprocess.TimeoutExpired:
            row = {"case": name, "outcome": f"timed out after {args.timeout:.0f} s"}
        row["wall_s"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    for name, case in (("disk", full_disk), ("read-only", read_only_index)):
        if not args.only or name in args.only:
            rows.append(case())
            print(json.dumps(rows[-1]), flush=True)
    out = ROOT / "bench-out" / "hostile.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
