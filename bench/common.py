"""Helpers shared by the benchmarks: SQuAD articles as documents, percentiles, peak memory."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATASET = ROOT.parent / "shared" / "bench" / "squad-dev-tune.json"


def write_articles(dataset: Path, folder: Path) -> list:
    """One document per article, as `rag eval` writes them; returns the dataset's questions."""
    from rag.eval.squad import Dataset, document_name

    data = Dataset.load(dataset)
    folder.mkdir(parents=True, exist_ok=True)
    for title, text in data.articles.items():
        (folder / document_name(title)).write_text(text, encoding="utf-8")
    return data.questions


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def peak_rss_mb() -> float:
    """This process's peak resident memory. Read from /proc (VmHWM) where it exists:
    getrusage's ru_maxrss survives exec, so a child started by a large parent would report
    the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
