"""Which prose task restates which appendix row: blocked candidates, then rapidfuzz scoring.

Scoring every prose task against every row grew with the square of the tasks (540 × 1,530
pairs at 510 pages: 5.8 s). Here only pairs that *can* reach the threshold are scored, so the
links are the ones the exhaustive scoring gives. `fuzz.token_set_ratio(a, b)` (token sets A, B;
sect = A ∩ B; ab = A − B; ba = B − A; lengths of the space-joined strings) is the largest of

- 100 when sect is not empty and ab or ba is (one text's words are all in the other);
- r2 = 1 − (1 + |ab|) / (2|sect| + 1 + |ab|), r3 the same with ba: high only when the shared
  words carry most of one text. With token weights len + 1 (T = total weight), r2 ≥ 85 needs
  the shared weight above 0.739·T_A, so a row must hold one of A's rarest tokens that carry
  more than the rest (prefix filtering); r3 likewise for the row's own rarest tokens;
- r1 = 1 − Indel(ab, ba) / (len A + len B): the differing words spelt alike (an OCR typo).
  Indel distance is at least the difference of the two texts' character counts (the counts of
  ab − ba equal those of A − B), so r1 ≥ 85 needs that difference within 15% of the lengths:
  one vectorized integer pass over the pairs whose lengths are that close.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np
from rapidfuzz import fuzz

__all__ = ["DUPLICATE_SCORE", "best_matches", "candidates"]

DUPLICATE_SCORE = 85  # token-set similarity (0–100) above which a prose task restates a row
# r2/r3 reach 85 only when the shared weight exceeds 0.739 of a text's (see the docstring);
# 0.73 leaves a margin for rounding (a lower floor only adds candidates, never drops one).
SHARED_FLOOR = 0.73
# r1 reaches 85 only when the character-count difference is at most 15% of the two lengths;
# the +1 is the same kind of margin.
EDIT_SHARE = 0.15
CHUNK = 256  # prose texts per vectorized pass (bounds the pairs' matrix: CHUNK × rows)


class _Ordered:
    """A text's distinct tokens, rarest first, with the weight (len + 1) from each one on."""

    def __init__(self, text: str, frequency: Counter[str]) -> None:
        self.set = frozenset(text.split())
        self.tokens = sorted(self.set, key=lambda t: (frequency[t], t))
        self.rest = [0] * (len(self.tokens) + 1)  # rest[k]: weight of tokens[k:]
        for k in range(len(self.tokens) - 1, -1, -1):
            self.rest[k] = self.rest[k + 1] + len(self.tokens[k]) + 1
        self.floor = SHARED_FLOOR * self.rest[0]
        # the prefix: the rarest tokens whose weight the rest cannot make up, so that a text
        # sharing `floor` of this one's weight must share one of them
        self.prefix = (
            next(k + 1 for k in range(len(self.tokens)) if self.rest[k + 1] < self.floor)
            if self.tokens
            else 0
        )


def _shared_weight(a: _Ordered, b: _Ordered) -> int:
    shared = a.set & b.set
    return len("".join(shared)) + len(shared)  # the weights len + 1, summed in C


def _char_counts(texts: Sequence[str], alphabet: dict[str, int]) -> np.ndarray:
    counts = np.zeros((len(texts), len(alphabet)), dtype=np.int32)
    for row, text in enumerate(texts):
        for char, count in Counter(text).items():
            counts[row, alphabet[char]] = count
    return counts


def _spelt_alike(prose: Sequence[str], rows: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Pairs whose lengths and character counts leave r1 able to reach the threshold."""
    alphabet = {c: i for i, c in enumerate(sorted(set("".join(prose) + "".join(rows))))}
    prose_counts, row_counts = _char_counts(prose, alphabet), _char_counts(rows, alphabet)
    prose_len = np.array([len(t) for t in prose], dtype=np.int64)
    order = np.argsort([len(t) for t in rows], kind="stable")
    row_len = np.array([len(rows[j]) for j in order], dtype=np.int64)
    row_counts = row_counts[order]
    by_length = np.argsort(prose_len, kind="stable")
    for start in range(0, len(prose), CHUNK):
        chunk = by_length[start : start + CHUNK]
        shortest, longest = prose_len[chunk].min(), prose_len[chunk].max()
        # |a − b| ≤ 0.15 (a + b) + 1 bounds b to this range for the chunk's lengths
        low = np.searchsorted(row_len, (shortest * 0.85 - 1) / 1.15, side="left")
        high = np.searchsorted(row_len, (longest * 1.15 + 1) / 0.85, side="right")
        if low >= high:
            continue
        differ = np.zeros((len(chunk), high - low), dtype=np.int32)
        for char in range(len(alphabet)):
            differ += np.abs(prose_counts[chunk, char, None] - row_counts[None, low:high, char])
        limit = EDIT_SHARE * (prose_len[chunk, None] + row_len[None, low:high]) + 1
        for i, j in zip(*np.nonzero(differ <= limit), strict=True):
            yield int(chunk[i]), int(order[low + j])


def candidates(prose: Sequence[str], rows: Sequence[str]) -> list[set[int]]:
    """For each prose text, the rows it could score DUPLICATE_SCORE or more against."""
    frequency = Counter(token for text in (*prose, *rows) for token in set(text.split()))
    prose_sets = [_Ordered(t, frequency) for t in prose]
    row_sets = [_Ordered(t, frequency) for t in rows]
    # token → (row, position of the token in the row's order); all tokens, and prefixes only
    everywhere: dict[str, list[tuple[int, int]]] = {}
    in_prefix: dict[str, list[tuple[int, int]]] = {}
    for j, row in enumerate(row_sets):
        for q, token in enumerate(row.tokens):
            everywhere.setdefault(token, []).append((j, q))
            if q < row.prefix:
                in_prefix.setdefault(token, []).append((j, q))
    found: list[set[int]] = [set() for _ in prose]
    for i, text in enumerate(prose_sets):
        seen: set[int] = set()
        for p, token in enumerate(text.tokens):
            # Within the prose's prefix every row holding the token is looked at (r2); after
            # it, only rows whose own prefix holds it (r3). The first token a pair shares is
            # the rarest they share: what they share weighs at most the rest of each from it.
            for j, q in (everywhere if p < text.prefix else in_prefix).get(token, ()):
                if j in seen:
                    continue
                seen.add(j)
                row = row_sets[j]
                bound = min(text.rest[p], row.rest[q])
                if not (
                    (p < text.prefix and bound >= text.floor)
                    or (q < row.prefix and bound >= row.floor)
                ):
                    continue
                shared = _shared_weight(text, row)
                if shared >= text.floor or shared >= row.floor:
                    found[i].add(j)
    # r1 compares the texts as token sets joined by single spaces
    joined = [" ".join(sorted(set(t.split()))) for t in prose]
    for i, j in _spelt_alike(joined, [" ".join(sorted(set(t.split()))) for t in rows]):
        found[i].add(j)
    return found


def best_matches(prose: Sequence[str], rows: Sequence[str], ids: Sequence[str]) -> list[str | None]:
    """Each prose text's best row id at DUPLICATE_SCORE or more (ties: greatest id), or None.

    Texts repeated word for word are scored once: a row printed twice scores the same, so of
    its copies only the greatest id can win a tie.
    """
    unique_rows: dict[str, str] = {}
    for text, task_id in zip(rows, ids, strict=True):
        unique_rows[text] = max(unique_rows.get(text, task_id), task_id)
    row_texts, row_ids = list(unique_rows), list(unique_rows.values())
    prose_texts = list(dict.fromkeys(prose))
    best: dict[str, str | None] = {}
    for text, found in zip(prose_texts, candidates(prose_texts, row_texts), strict=True):
        scored = [(fuzz.token_set_ratio(text, row_texts[j]), row_ids[j]) for j in found]
        top = max(scored, default=(0.0, ""))
        best[text] = top[1] if top[0] >= DUPLICATE_SCORE else None
    return [best[text] for text in prose]
