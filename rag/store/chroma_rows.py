"""Reading a Chroma collection's rows a page at a time (a leaf: it imports nothing of rag)."""

from __future__ import annotations

from typing import Any, Iterator


def pages(collection: Any, include: list[str], page: int = 5000) -> Iterator[dict[str, Any]]:
    """A collection's rows, a page at a time (each a Chroma ``get`` result; none if empty):
    one unpaged ``get`` on a large collection fails in Chroma's SQLite layer ("too many SQL
    variables"), and a million rows with their vectors need not be in memory at once."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        if len(got["ids"]):
            yield got
        if len(got["ids"]) < page:
            return
        offset += page


def get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list]:
    """Every row of a collection, fetched a page at a time (see ``pages``)."""
    rows: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    for got in pages(collection, include, page):
        rows["ids"] += got["ids"]
        for key in include:
            rows[key] += list(got[key])
    return rows
