"""Keyword search over the catalog: titles, 概要 (summary), めざす姿 (vision) and the yearly plans.

Japanese has no spaces, so a word tokenizer would need a dictionary (and still split 防災士 from
防災). With 90 measures plain substring search is both exact and fast: a two-letter word like
防災 or 収納 is found wherever it stands. When no measure holds every word, character bigrams
give a ranked fallback for a phrase typed slightly differently (防災士の育成 vs 防災士を育成).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

# Where a word is found says how much it is about the measure.
WEIGHTS: Mapping[str, float] = {"title": 3.0, "summary": 2.0, "vision": 1.0, "plans": 0.5}
BIGRAM_THRESHOLD = 0.6  # share of the query's bigrams a field must hold in the fallback


def fold(text: str) -> str:
    """The form searched in: NFKC (full-width → half-width), lower-case ASCII, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@dataclass(frozen=True)
class Document:
    no: int
    fields: Mapping[str, str]  # field -> folded text

    @cached_property
    def grams(self) -> Mapping[str, frozenset[str]]:
        """Each field's character bigrams, for the fallback only: made when it first needs them
        (most questions never do, and they are half the cost of building the index)."""
        return {name: bigrams(text) for name, text in self.fields.items()}


@dataclass(frozen=True)
class Hit:
    no: int
    score: float
    in_title: bool


class SearchIndex:
    """The folded texts of every measure, built once per catalog snapshot."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = tuple(sorted(documents, key=lambda d: d.no))

    @classmethod
    def build(cls, texts: Mapping[int, Mapping[str, str | None]]) -> SearchIndex:
        """`texts`: No. -> field name (title, summary, vision, plans) -> text."""
        docs = []
        for no, fields in texts.items():
            folded = {name: fold(value or "") for name, value in fields.items() if name in WEIGHTS}
            docs.append(Document(no, folded))
        return cls(docs)

    def search(self, keyword: str) -> list[Hit]:
        """Measures holding every word of `keyword` (split on spaces), best first.

        Falls back to bigram similarity when no measure holds them all.
        """
        terms = [fold(t) for t in keyword.split() if fold(t)]
        if not terms:
            return []
        hits = [h for d in self.documents if (h := _exact(d, terms)) is not None]
        if not hits:
            hits = [h for d in self.documents if (h := _similar(d, terms)) is not None]
        hits.sort(key=lambda h: (-h.score, not h.in_title, h.no))
        return hits

    def exact(self, keyword: str) -> bool:
        """Whether some measure holds every word of `keyword` (no similarity fallback)."""
        terms = [fold(t) for t in keyword.split() if fold(t)]
        return bool(terms) and any(_exact(d, terms) is not None for d in self.documents)


def _exact(doc: Document, terms: list[str]) -> Hit | None:
    score = 0.0
    for term in terms:
        found = [name for name, text in doc.fields.items() if term in text]
        if not found:
            return None
        score += sum(WEIGHTS[name] for name in found)
    return Hit(doc.no, score, all(term in doc.fields.get("title", "") for term in terms))


def _similar(doc: Document, terms: list[str]) -> Hit | None:
    query = frozenset().union(*(bigrams(t) for t in terms))
    if not query:
        return None
    score = 0.0
    in_title = False
    for name, grams in doc.grams.items():
        share = len(query & grams) / len(query)
        if share >= BIGRAM_THRESHOLD:
            score += WEIGHTS[name] * share
            in_title = in_title or name == "title"
    return Hit(doc.no, score, in_title) if score > 0 else None
