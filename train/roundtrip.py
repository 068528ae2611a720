"""Machine-translated restatements for the support check: a sentence translated into Catalan
or Spanish and back by Apertium, Debian's rule-based machine translator.

The seed story's second article is a machine translation of the first; a faithful translated
sentence differs from its original in many words at once ("received a cold reception" for
"has received an icy reception"), which the rule-made restatements of train/support_data.py
(one edit each) never show, and the Bible's two translations show only in 1611 English. A
round trip through a real translator makes restatements of exactly the seed's kind from any
English sentence:

    Two days later, the FBI ordered the Alien Property Custodian to seize Tesla's belongings.
    Two days later, the FBI ordered the Property of Foreigner Custodian to seize the belongings of Tesla.

A round trip that loses or changes a number or a name ("Wolf Heintz" -> "Llop Heintz") is not a
restatement and is dropped (``faithful``); the rest are labelled supported.

Apertium (GPL-2+) and its English-Catalan and English-Spanish data are Debian packages:
``scripts/install-apertium.sh`` installs them (training only; the engine never needs them).

    >>> faithful("He was born in 1856 in Smiljan.", "He was born at 1856 in Smiljan.")
    True
    >>> faithful("He was born in 1856 in Smiljan.", "He was born at 1865 in Smiljan.")
    False
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from typing import Sequence

from data import DATA

CACHE = DATA / "roundtrip"
LANGUAGES = ("cat", "spa")  # round trips English -> language -> English
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w'’-]+")


class ApertiumMissing(RuntimeError):
    pass


def _values(text: str) -> tuple[set[str], set[str]]:
    """(numbers, capitalised words after the first), the facts a round trip must keep."""
    words = _NAME.findall(text)[1:] if text[:1].isupper() else _NAME.findall(text)
    return {n.replace(",", "") for n in _NUMBER.findall(text)}, {re.sub(r"['’]s$", "", w).lower() for w in words}


def faithful(original: str, translated: str) -> bool:
    """Whether the round trip kept every number and name and changed some wording."""
    if " ".join(original.split()) == " ".join(translated.split()) or "#" in translated:
        return False  # unchanged teaches nothing; '#' is Apertium's mark of a failed generation
    numbers, names = _values(original)
    words = set(re.findall(r"[\w'’-]+", translated.lower()))
    return numbers == _values(translated)[0] and all(set(name.split()) <= words for name in names)


def round_trip(sentences: Sequence[str], language: str = "cat") -> list[str]:
    """Each sentence translated English -> ``language`` -> English, one line each; cached in
    bench-data/roundtrip/ by the sentences' hash (Apertium's output is deterministic)."""
    if not sentences:
        return []
    lines = [" ".join(s.split()) for s in sentences]
    key = hashlib.sha1(("\n".join(lines) + language).encode()).hexdigest()[:16]
    cache = CACHE / f"{language}-{key}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    if not shutil.which("apertium"):
        raise ApertiumMissing("Apertium is not installed: run scripts/install-apertium.sh (Debian's apertium, apertium-eng-cat, apertium-eng-spa)")
    # -u: unknown words pass through unmarked (names, code); one sentence a line in and out.
    there = subprocess.run(["apertium", "-u", f"eng-{language}"], input="\n".join(lines) + "\n",
                           capture_output=True, text=True, check=True).stdout
    back = subprocess.run(["apertium", "-u", f"{language}-eng"], input=there,
                          capture_output=True, text=True, check=True).stdout.split("\n")
    out = [" ".join(b.split()) for b in back[: len(lines)]]
    if len(out) != len(lines):
        raise RuntimeError(f"Apertium returned {len(out)} lines for {len(lines)}")
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


if __name__ == "__main__":
    import sys

    text = [line for line in sys.stdin.read().splitlines() if line.strip()]
    for language in LANGUAGES:
        for original, back in zip(text, round_trip(text, language)):
            print(f"{language}\t{'kept' if faithful(original, back) else 'dropped'}\t{back}")
