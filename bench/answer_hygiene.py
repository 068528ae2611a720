"""What a reader of real manuals would not want cited: headings, navigation links, lines of
code or data, footnote marks, sentences that end on a colon. Asks everyday questions of a real
corpus (Debian's *Administrator's Handbook* and its FAQ, seven LaTeX manuals as PDF, office files, e-mail, LibreOffice sheets and slides, Word, Excel and PowerPoint 97-2003 files, Outlook messages, RTF; fetched with apt) and counts the
answers that cite such a line, with each one listed.

    .venv/bin/python bench/answer_hygiene.py                     # the handbook, bench/handbook-questions.txt
    .venv/bin/python bench/answer_hygiene.py --corpus faq        # the FAQ, bench/faq-questions.txt
    .venv/bin/python bench/answer_hygiene.py --corpus latex      # seven LaTeX manuals (PDF), bench/latex-questions.txt
    .venv/bin/python bench/answer_hygiene.py --corpus office     # Word, OpenDocument, Excel, PowerPoint files, bench/office-questions.txt
    .venv/bin/python bench/answer_hygiene.py --corpus mail       # e-mail (.eml, .mbox), bench/mail-questions.txt
    .venv/bin/python bench/answer_hygiene.py --corpus opendocument  # LibreOffice sheets and slides (.ods, .odp)
    .venv/bin/python bench/answer_hygiene.py --corpus office97   # Word and Excel 97-2003 (.doc, .xls)
    .venv/bin/python bench/answer_hygiene.py --corpus powerpoint97  # PowerPoint 97-2003 (.ppt)
    .venv/bin/python bench/answer_hygiene.py --corpus outlook    # Outlook .msg (Apache POI's test messages)
    .venv/bin/python bench/answer_hygiene.py --corpus rtf        # RTF: GNUstep help, Lynkeos, SuperCollider help
    .venv/bin/python bench/answer_hygiene.py --corpus markdown   # Markdown docs and blog posts with front matter
    .venv/bin/python bench/answer_hygiene.py --engine /path/to/older/checkout   # an older engine, same checks
    .venv/bin/python bench/answer_hygiene.py --corpus latex --answers          # every answer printed too

The questions were written by hand for this bench, in a user's words, without looking for the
sentences that answer them. The checks that judge a citation are the engine's own
(``rag.text``), so the count says how often an answer shows such a line, not whether it answers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from common import ROOT
from debian_corpus import DATA, fetch

CORPORA = {  # package, folder of its English documents, the files asked (patterns), questions
    "handbook": ("debian-handbook", "usr/share/doc/debian-handbook/html/en-US", ("*.html",), "handbook-questions.txt"),
    "faq": ("debian-faq", "usr/share/doc/debian/FAQ", ("*.html",), "faq-questions.txt"),
    # Seven PDF manuals a LaTeX user would keep at hand.
    "latex": ("texlive-latex-base-doc", "usr/share/doc/texlive-doc/latex",
              ("base/usrguide.pdf", "base/clsguide.pdf", "base/fntguide.pdf", "graphics/grfguide.pdf",
               "amsmath/amsldoc.pdf", "geometry/geometry.pdf", "hyperref/hyperref-doc.pdf"), "latex-questions.txt"),
    # Office files: a Word manual, an OpenDocument manual, six workbooks, a slide deck.
    "office": (("previsat", "live-manual-odf", "r-cran-readxl", "r-cran-officer"), ".",
               ("usr/share/Astropedia/PreviSat/doc/PreviSat_en.docx", "usr/share/doc/live-manual/odt/live-manual.en.odt",
                "usr/lib/R/site-library/readxl/extdata/*.xlsx", "usr/lib/R/site-library/officer/doc_examples/example.pptx"),
               "office-questions.txt"),
    # E-mail: a permission letter, an example mailbox, a test message, and 193 messages of 2002's
    # mailing lists (SpamAssassin's public corpus of ham, as the jwz Go package's tests keep it).
    "mail": (("docbook-xsl-saxon", "python3-networkx", "gir1.2-gmime-3.0", "golang-github-gatherstars-com-jwz-dev"), ".",
             ("usr/share/doc/docbook-xsl-saxon/tdg_examples_permission.eml",
              "usr/share/doc/python3-networkx/examples/drawing/unix_email.mbox",
              "usr/share/doc/gir1.2-gmime-3.0/examples/example.eml",
              "usr/share/gocode/src/github.com/gatherstars-com/jwz/test/testdata/ham/0[01]*.eml"),
             "mail-questions.txt"),
    # LibreOffice's own spreadsheets and slides.
    "opendocument": (("libreoffice-dev-doc", "fet-data", "codec2-examples", "dpf-source", "aprx"), ".",
                     ("usr/lib/libreoffice/sdk/examples/**/*.od[sp]", "usr/share/doc/fet-data/examples/**/Preparation-sample.ods",
                      "usr/share/codec2/octave/*.ods", "usr/share/dpf/lac/*.odp", "usr/share/doc/aprx/*.odp"),
                     "opendocument-questions.txt"),
    # Word and Excel 97-2003: a student report (.doc, read by antiword: `make legacy-office`) and
    # readxl's example workbooks as .xls.
    "office97": (("metastudent", "r-cran-readxl"), ".",
                 ("usr/lib/python3/dist-packages/metastudentPkg/lib/groupC/Report.doc",
                  "usr/lib/R/site-library/readxl/extdata/*.xls"), "office97-questions.txt"),
    # Outlook's .msg files: not in Debian's packages; nine real messages of Apache POI's test data
    # (Apache-2.0), copied from a clone of github.com/apache/poi (test-data/hsmf) to the folder named.
    "outlook": (None, "bench-data/outlook-msg",
                ("53784_succeeds.msg", "53784_fails.msg", "message_1979.msg", "outlook_30_msg.msg",
                 "no_recipient_address.msg", "attachment_msg_inlineImg.msg", "message_normal_submission_chunk.msg",
                 "lots-of-recipients.msg", "bug66335.msg"), "outlook-questions.txt"),
    # RTF: GNUstep programs' help (each an .rtfd bundle's TXT.rtf), Lynkeos's credits and change log,
    # SuperCollider plugins' help files.
    "rtf": (("gworkspace-common", "lynkeos.app-common", "sc3-plugins-language"), ".",
            ("usr/share/GNUstep/GWorkspace.app/English.lproj/Help/*.rtfd/TXT.rtf",
             "usr/share/GNUstep/*.inspector/English.lproj/Help.rtfd/TXT.rtf",
             "usr/share/GNUstep/Lynkeos.app/en.lproj/*.rtf",
             "usr/share/SuperCollider/Extensions/SC3plugins/MCLDUGens/Help/*.rtf",
             "usr/share/SuperCollider/Extensions/SC3plugins/LoopBufUGens/help/*.rtf"), "rtf-questions.txt"),
    # Files compressed on their own, as Debian ships text documentation: LaTeX's gzipped notes
    # (the AMS licence notice and change history, amsmath's upgrade notes, the LPPL, hyperref's README).
    "compressed": ("texlive-latex-base-doc", "usr/share/doc/texlive-doc/latex",
                   ("amscls/00LICENSE.txt.gz", "amscls/diffs-c.txt.gz", "amsmath/diffs-m.txt.gz", "base/lppl.txt.gz",
                    "hyperref/README.md.gz"), "compressed-questions.txt"),
    # Jupyter notebooks: nine of statsmodels' examples, most gzipped as Debian ships them.
    "notebooks": ("python-statsmodels-doc", "usr/share/doc/python-statsmodels-doc/html/examples/notebooks/generated",
                  tuple(f"{name}.ipynb*" for name in ("lowess", "stl_decomposition", "stationarity_detrending_adf_kpss",
                                                      "statespace_sarimax_faq", "wls", "metaanalysis1", "theta-model",
                                                      "quantile_regression", "robust_models_0")), "notebooks-questions.txt"),
    # Markdown: RediSearch's and QCoro's documentation, staticsite's, and jekyll-paginate-v2's
    # example sites, whose posts (Wikipedia articles, book blurbs) open with front matter.
    "markdown": (("redis-redisearch-doc", "qcoro-doc", "staticsite", "ruby-jekyll-paginate-v2"), "usr/share/doc",
                 ("redis-redisearch/docs/**/*.md", "qcoro-doc/docs/**/*.md", "staticsite/**/*.md",
                  "ruby-jekyll-paginate-v2/examples/**/*.md"), "markdown-questions.txt"),
    # PowerPoint 97-2003: SystemC's TLM example decks and a talk from Nyquist's demos.
    "powerpoint97": (("libsystemc-doc", "nyquist"), ".",
                     ("usr/share/doc/libsystemc/examples/tlm/*/docs/*.ppt", "usr/share/nyquist/demos/allewis/*.ppt"),
                     "powerpoint97-questions.txt"),
}
_NAVIGATION = re.compile(r"^(?:Prev|Next|Up|Home)\b|\.\.\.$")
_FOOTNOTE = re.compile(r"^\[\d+\]")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}")  # "Overview . . . . . 3"


def _checks():
    """This checkout's rag/text.py, loaded on its own: the engine asked may be an older one
    (--engine), whose rag.text has fewer checks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("hygiene_checks", ROOT / "rag" / "text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKS = _checks()


def kinds_of(quote: str, section: str) -> list[str]:
    """What a cited line is, when it is not a statement a reader can take as an answer."""
    ends_statement, is_code_line, is_data_line, is_heading = (
        CHECKS.ends_statement, CHECKS.is_code_line, CHECKS.is_data_line, CHECKS.is_heading)
    text = quote.strip()
    if CHECKS.is_title_block(text):  # a title page's lines, read as one (who wrote it, when)
        return []
    own_heading = not ends_statement(text) and " ".join(section.split()).endswith(" ".join(text.split()))
    found = {"heading": is_heading(text) or bool(section and own_heading), "code": is_code_line(text),
             "data": is_data_line(text), "navigation": bool(_NAVIGATION.search(text)) and len(text.split()) < 14,
             "footnote mark": bool(_FOOTNOTE.match(text)), "ends on a colon": text.endswith(":"),
             "contents line": bool(_DOT_LEADER.search(text))}
    return [kind for kind, yes in found.items() if yes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="handbook")
    parser.add_argument("--engine", type=Path, help="a checkout whose engine is asked (default: this one)")
    parser.add_argument("--answers", action="store_true", help="print every answer too (to compare two engines)")
    args = parser.parse_args()
    if args.engine:
        sys.path.insert(0, str(args.engine.resolve()))
    from rag import RAG

    package, folder, patterns, questions_file = CORPORA[args.corpus]
    if package is None:  # files that no Debian package holds, copied by hand (see CORPORA)
        pages = ROOT / folder
        if not all((pages / pattern).exists() for pattern in patterns):
            sys.exit(f"{pages}: copy the files {CORPORA[args.corpus][2]} there first (see bench/answer_hygiene.py)")
    else:
        packages = package if isinstance(package, tuple) else (package,)
        pages = fetch(packages, DATA, extract_name="extract-hygiene") / folder
    questions = [line.strip() for line in (ROOT / "bench" / questions_file).read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for page in sorted(page for pattern in patterns for page in pages.glob(pattern)):
            # A bundle's files share a name (GNUstep's Help.rtfd/TXT.rtf): named after their folder too.
            name = next("-".join(page.parts[-k:]) for k in range(1, len(page.parts) + 1) if not (docs / "-".join(page.parts[-k:])).exists())
            shutil.copy(page, docs / name)
        engine = RAG(docs_dir=docs, index_dir=Path(tmp) / "index")
        engine.ingest(show_progress=False)
        answered, showing, counts = 0, 0, Counter()
        for question in questions:
            answer = engine.ask(question)
            answered += not answer.abstained
            if args.answers:
                print(f"Q: {question}\nA: {' '.join(answer.text.split())[:400]}")
            found = [(kind, c.quote) for c in answer.citations for kind in kinds_of(c.quote, c.section)]
            showing += bool(found)
            for kind, quote in found:
                counts[kind] += 1
                print(f"  {kind}: {question} | {' '.join(quote.split())[:100]}")
    print(f"{args.corpus}: {len(questions)} questions, {answered} answered, {showing} answers cite such a line "
          f"({sum(counts.values())} citations: {dict(counts) or 'none'})")


if __name__ == "__main__":
    main()
