"""Build src/ingest/data/syllables.txt and words.txt, the lexicon OCR readings are checked with.

- syllables.txt: the Vietnamese syllables of Tesseract's own `vie` model (its LSTM word list,
  unpacked with `combine_tessdata -u` and `dawg2wordlist`, both in Debian's tesseract-ocr),
  lowercased. tessdata is Apache-2.0. A word the model itself does not know ("sẳn", "nầng",
  "đữ") is a misread far more often than a rare word.
- words.txt: the multi-syllable words of pyvi's dictionary (pyvi/models/words.txt, MIT licence,
  © 2016 Viet-Trung Tran), lowercased. A pair of syllables that is not a word, but has the
  letters of one with other marks ("quần lý" for "quản lý", "cần cứ" for "căn cứ"), is a
  likely misread of a tone or vowel mark.

Run: python tools/make_lexicon.py PYVI_WHEEL (from `pip download --no-deps pyvi==0.1.1`).
Entries can also be added by hand, one per line; lines starting with '#' are comments.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "ingest" / "data"
TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata")

SYLLABLE_HEADER = """\
# Vietnamese syllables, lowercase, one per line: the OCR check treats a word outside this list
# as a likely misread (src/ingest/lexicon.py). Built by tools/make_lexicon.py from the word list
# of Tesseract's `vie` model (tessdata, Apache-2.0). Add a syllable by hand on its own line.
"""

WORD_HEADER = """\
# Vietnamese words of two or more syllables, lowercase, one per line: a syllable pair that is
# not a word here but has the letters of one ("quần lý" / "quản lý") is a likely misread of a
# mark (src/ingest/lexicon.py). Built by tools/make_lexicon.py from pyvi's dictionary
# (pyvi/models/words.txt, MIT licence, Copyright (c) 2016 Viet-Trung Tran). Add a word by hand.
"""


def _clean(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).lower().split())


def tesseract_syllables() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "vie."
        subprocess.run(
            ["combine_tessdata", "-u", str(TESSDATA), str(prefix)], check=True, capture_output=True
        )
        out = Path(tmp) / "words.txt"
        subprocess.run(
            ["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", str(out)],
            check=True,
            capture_output=True,
        )
        words = {_clean(w) for w in out.read_text("utf-8").splitlines()}
    return sorted(w for w in words if w and " " not in w)


def pyvi_words(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("pyvi/models/words.txt").decode("utf-8")
    words = {_clean(w) for w in text.splitlines()}
    return sorted(w for w in words if " " in w and all(p.isalpha() for p in w.split()))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    syllables = tesseract_syllables()
    words = pyvi_words(Path(sys.argv[1]))
    (DATA / "syllables.txt").write_text(SYLLABLE_HEADER + "\n".join(syllables) + "\n", "utf-8")
    (DATA / "words.txt").write_text(WORD_HEADER + "\n".join(words) + "\n", "utf-8")
    print(f"{len(syllables)} syllables, {len(words)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
