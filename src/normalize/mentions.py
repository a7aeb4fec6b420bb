"""Agency mentions in running text (prose tasks, task descriptions) with a spaCy pipeline.

Generic Vietnamese NER does not know provincial agencies (it tags "Quý IV" as a place), so the
pipeline is a blank Vietnamese model (`use_pyvi=false`: no word segmenter to install) whose
entity ruler is built from the registry. Tokens carry their folded form (no diacritics, lower
case) in `NORM`, and the ruler matches on it, so "So Noi vu" and "Sở Nội vụ" are one name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex as re

from vnplan.models import AgencyMention, AgencyRole
from vnplan.normalize.agencies import expand_abbreviations, registry
from vnplan.textutil import fold

if TYPE_CHECKING:  # spaCy is imported when the pipeline is first built, not with the module:
    # every `vnplan` command (query, report, an unchanged rerun) starts about 0.6 s sooner
    from spacy.language import Language
    from spacy.tokens import Doc

TOKEN = re.compile(r"[\p{L}\p{M}\d]+|[^\s\p{L}\p{M}\d]")
LABEL = "AGENCY"


class _Tokenizer:
    """Words and punctuation apart ("chính." → "chính", "."), which the blank 'vi' tokenizer
    without pyvi does not do."""

    def __init__(self, nlp: Language) -> None:
        self.vocab = nlp.vocab

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        for match in TOKEN.finditer(text):
            words.append(match.group(0))
            spaces.append(match.end() < len(text) and text[match.end()].isspace())
        return Doc(self.vocab, words=words, spaces=spaces)


def _fold_norm(doc: Doc) -> Doc:
    for token in doc:
        token.norm_ = fold(token.text)
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    import spacy
    from spacy.language import Language

    if "vnplan_fold_norm" not in Language.factories:
        Language.component("vnplan_fold_norm", func=_fold_norm)
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = _Tokenizer(nlp)
    nlp.add_pipe("vnplan_fold_norm")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    patterns = []
    for key, agency in registry().agencies.items():
        patterns.append({"label": LABEL, "pattern": key, "id": agency.canonical})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


def find_mentions(text: str | None, role: AgencyRole = AgencyRole.MENTIONED) -> list[AgencyMention]:
    """Registry agencies named anywhere in `text`, in order (longest match wins)."""
    if not text or not text.strip():
        return []
    reg = registry()
    doc = pipeline()(expand_abbreviations(text))
    out = []
    for ent in doc.ents:
        agency = next(a for a in reg.entries if a.canonical == ent.ent_id_)
        out.append(
            AgencyMention(
                raw=ent.text,
                canonical=agency.canonical,
                kind=agency.kind,
                score=1.0,
                role=role,
                resolved=True,
                level=agency.level,
            )
        )
    return out
