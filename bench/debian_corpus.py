"""A real corpus no one here wrote: manuals from Debian's packages, fetched with apt.

    .venv/bin/python bench/debian_corpus.py [--out bench-data/corpus]

Downloads the packages with ``apt-get download`` (no root needed, nothing installed on the
system), unpacks them with ``dpkg-deb -x`` and copies their documents into one folder:

- python3.11-doc: the Python 3.11 documentation as HTML (about 540 pages, 10.5 MB of text);
- texlive-latex-base-doc: LaTeX package manuals as PDF (269 files), plus a few Markdown
  and text files.

Other benches import ``prepare()``; the download is cached under ``bench-data/``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from common import ROOT

PACKAGES = ("python3.11-doc", "texlive-latex-base-doc")
DATA = ROOT / "bench-data"
# Generated index and search pages of the Python docs are lists of links, not prose.
SKIP_NAMES = {"genindex.html", "search.html", "py-modindex.html"}
SKIP_DIRS = {"_sources", "_static", "_images", "_downloads"}


def fetch(packages=PACKAGES, data: Path = DATA, extract_name: str = "extract") -> Path:
    """Unpacked package trees under ``data/<extract_name>`` (downloaded once)."""
    debs, extract = data / "debs", data / extract_name
    debs.mkdir(parents=True, exist_ok=True)
    for package in packages:
        if not list(debs.glob(f"{package}_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
    extract.mkdir(parents=True, exist_ok=True)
    for package in packages:
        unpacked = extract / f".{package}.unpacked"  # each package once, whichever came first
        if not unpacked.exists():
            for deb in sorted(debs.glob(f"{package}_*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(extract)], check=True)
            unpacked.touch()
    return extract


def documents(extract: Path, max_pdfs: int) -> list[Path]:
    """The files worth asking about: HTML pages, PDF manuals (the first ``max_pdfs`` by path), notes."""
    found, pdfs = [], []
    for path in sorted(extract.rglob("*")):
        if not path.is_file() or SKIP_DIRS.intersection(path.parts) or path.name in SKIP_NAMES:
            continue
        if path.name.startswith("genindex-"):
            continue
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            pdfs.append(path)
        elif suffix in (".html", ".md", ".txt"):
            found.append(path)
    return found + pdfs[:max_pdfs]


def prepare(out: Path, max_pdfs: int = 269) -> Path:
    """Copy the corpus into ``out`` (folders kept, so names stay readable); returns ``out``."""
    extract = fetch()
    if not out.exists():
        _copy_documents(extract, max_pdfs, out)
    return out


# For the 100,000-passage measurements: PostgreSQL 15's HTML manual (1,201 pages) and the
# PDF manuals of texlive-latex-extra-doc (2,935 of them, 593 MB to download).
LARGE_PACKAGES = ("postgresql-doc-15", "texlive-latex-extra-doc")


def prepare_large(out: Path, max_pdfs: int, extra_pdfs: int) -> Path:
    """prepare()'s corpus (same relative paths, so its index can be reused) plus the large
    packages' HTML pages and their first ``extra_pdfs`` PDF manuals by path."""
    if not out.exists():
        base = prepare(DATA / f"corpus-{max_pdfs}pdf", max_pdfs)
        _copy_documents(fetch(LARGE_PACKAGES, DATA, "extract-large"), extra_pdfs, out, start_from=base)
    return out


def _copy_documents(extract: Path, max_pdfs: int, out: Path, start_from: Path | None = None) -> None:
    """Into a staging folder renamed to ``out`` at the end, so a killed copy leaves no corpus."""
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    if start_from is not None:
        shutil.copytree(start_from, staging)
    root = extract / "usr" / "share" / "doc"
    for path in documents(extract, max_pdfs):
        target = staging / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    staging.rename(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DATA / "corpus")
    parser.add_argument("--max-pdfs", type=int, default=269)
    args = parser.parse_args()
    folder = prepare(args.out, args.max_pdfs)
    files = [p for p in folder.rglob("*") if p.is_file()]
    print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {folder}")


if __name__ == "__main__":
    main()
