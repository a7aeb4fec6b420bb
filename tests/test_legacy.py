"""Vietnamese legacy encodings (TCVN3, VNI, Windows-1258) and tone-mark style, on seed text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vnplan.ingest import IngestError, load
from vnplan.ingest.legacy import (
    Legacy,
    decode_bytes,
    detect,
    from_unicode,
    is_syllable,
    repair,
    score,
    to_unicode,
    unify_tone_marks,
)
from vnplan.ingest.text import decode_text
from vnplan.models import Document, Paragraph
from vnplan.pipeline import process_file
from vnplan.textutil import fold

from conftest import SAMPLES
from expected import assert_agrees

DATA = Path(__file__).resolve().parent.parent / "src" / "ingest" / "data"
LEGACY_SAMPLE = SAMPLES / "legacy" / "003_3a026ceb35acf91e.tcvn3.txt"

# Seed sentences, capitals, quotes and dashes included.
SENTENCES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",  # 003:3
    "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
    "Ban hành Quyết định về liên thông TTHC Khai tử - Xóa đăng ký thường trú – Chế độ Bảo hiểm"
    " – Mai táng phí",  # 003:338, an en dash between words
    "đảm bảo nguyên tắc “một đầu mối - một việc xuyên suốt”.",  # 003, curly quotes
    "Đề án quy định mức khoán kinh phí hoạt động đối với Ủy ban Mặt trận Tổ quốc",  # 003:355
    "Xây dựng Kế hoạch Úng dụng công nghệ thông tin trong hoạt động cơ quan nhà nước",  # 003:362
    "Ứng dụng khoa học công nghệ trong công tác quản trị, điều hành",  # 000:312
]


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("encoding", [Legacy.TCVN3, Legacy.VNI, Legacy.CP1258])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_round_trip_of_seed_sentences(sentence: str, encoding: Legacy) -> None:
    data = from_unicode(sentence, encoding)
    assert data != sentence.encode("utf-8")
    if encoding is not Legacy.CP1258:  # Windows-1258 is a Python codec, no table here
        assert to_unicode(data.decode("latin-1"), encoding) == sentence


@pytest.mark.parametrize("encoding", [Legacy.TCVN3, Legacy.VNI, Legacy.CP1258])
def test_whole_seed_round_trips_through_bytes(encoding: Legacy) -> None:
    text = (SAMPLES / "001_d1ea71c28f9b4230.txt").read_text("utf-8")
    decoded = decode_bytes(from_unicode(text, encoding))
    assert decoded is not None
    assert decoded == (text, encoding)


def test_known_legacy_strings() -> None:
    # The masthead as it reads when a ".VnTime" document is opened without the font.
    assert to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam", Legacy.TCVN3) == (
        "Cộng hoà xã hội chủ nghĩa Việt Nam"
    )
    assert to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", Legacy.VNI) == (
        "Cộng hòa xã hội chủ nghĩa Việt Nam"
    )
    assert to_unicode("Xin chaøo caùc baïn", Legacy.VNI) == "Xin chào các bạn"


def test_tcvn3_table_is_tcvn_5712() -> None:
    """Every row of data/tcvn3.tsv is what glibc's TCVN5712-1 converter says of that byte."""
    if shutil.which("iconv") is None:
        pytest.skip("iconv not installed")
    rows = [
        line.split("\t")
        for line in (DATA / "tcvn3.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ][1:]
    assert len(rows) == 138
    for row in rows:
        byte, code = bytes([int(row[0], 16)]), chr(int(row[1][2:], 16))
        out = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
            input=byte,
            check=False,
            capture_output=True,
        )
        if out.returncode != 0:
            pytest.skip("this iconv has no TCVN5712-1")
        assert out.stdout.decode("utf-8") == code, row


def test_vni_table_has_every_vietnamese_letter() -> None:
    rows = [
        line.split("\t")
        for line in (DATA / "vni.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ][1:]
    letters = {row[0] for row in rows}
    assert len(letters) == len(rows) == 134  # 67 letters with diacritics, both cases
    assert all(fold(c) in "aeiouyd" for c in letters)


# --------------------------------------------------------------------------- detection


def test_syllables() -> None:
    for word in ("nghiêng", "Ủy", "khuya", "quyết", "giữ", "hoạch", "thuở", "Đường", "ương"):
        assert is_syllable(word), word
    for word in ("héi", "hoµ", "chñ", "ViÖt", "Grüße", "cáà"):
        assert not is_syllable(word), word


def test_seeds_are_unicode_already() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text("utf-8")
        assert score(text).share > 0.97
        assert detect(text).encoding is None
        assert repair(text) == (text, None)


@pytest.mark.parametrize("encoding", [Legacy.TCVN3, Legacy.VNI])
def test_gibberish_from_word_is_detected_and_converted(encoding: Legacy) -> None:
    """What python-docx/pdf text layers give for ".Vn"/"VNI-" fonts: Windows-1252 characters."""
    text = "\n".join(SENTENCES[2:])
    shown = from_unicode(text, encoding).decode("cp1252", errors="replace")
    verdict = detect(shown)
    assert verdict.encoding is encoding
    assert verdict.before.share < 0.5 and verdict.after.share == 1.0
    assert repair(shown) == (text, encoding)


def test_en_dash_and_quotes_stay_punctuation_in_tcvn3() -> None:
    # 0x96 is both '–' (Windows-1252) and 'Ọ' (VN1); 0x93/0x94 both '“ ”' and 'Ỏ Õ'.
    text = "trú – Chế độ “một đầu mối”; ỌC ỌC"
    assert to_unicode(from_unicode(text, Legacy.TCVN3).decode("cp1252"), Legacy.TCVN3) == text


def test_short_or_foreign_text_is_left_alone() -> None:
    assert detect("Café").encoding is None  # too little evidence
    assert decode_bytes("Grüße aus Köln, ça va très bien".encode("latin-1") * 3) is None


# --------------------------------------------------------------------------- text files


def test_legacy_sample_gives_the_text_versions_tasks(seed_docs: dict[str, Document]) -> None:
    doc = process_file(str(LEGACY_SAMPLE))
    assert any("TCVN3" in w for w in doc.warnings)
    assert_agrees(seed_docs["003_3a026ceb35acf91e"], doc)


@pytest.mark.parametrize("encoding", [Legacy.VNI, Legacy.CP1258])
def test_text_files_in_vni_and_windows_1258_are_read(tmp_path: Path, encoding: Legacy) -> None:
    seed = SAMPLES / "003_3a026ceb35acf91e.txt"
    path = tmp_path / f"plan.{encoding.value}.txt"
    path.write_bytes(from_unicode(seed.read_text("utf-8"), encoding))
    raw = load(path)
    assert raw.warnings == [f"not UTF-8: decoded as {encoding} (legacy Vietnamese encoding)"]
    assert raw.blocks == load(seed).blocks


def test_utf8_text_pasted_from_a_vn_font_document_is_converted() -> None:
    text = "\n".join(SENTENCES)
    pasted = from_unicode(text, Legacy.TCVN3).decode("cp1252", errors="replace")
    decoded, note = decode_text("pasted.txt", pasted.encode("utf-8"))
    assert note == "text typed in TCVN3 fonts: converted to Unicode"
    assert decoded.splitlines()[2:] == text.splitlines()[2:]  # 0x8F (Ĩ) is lost by cp1252


def test_binary_is_still_rejected(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(1, 256)) * 8)
    with pytest.raises(IngestError, match="binary content"):
        load(path)


def test_tcvn3_capitals_on_control_codes_are_not_binary(tmp_path: Path) -> None:
    text = "Ý KIẾN; ỨNG DỤNG; ỰC; ỲA; ỸA; ỶA; ỴA; ÚA; ỤA; ỪA; ỬA; ỮA " * 3  # 0x01–0x17 in VN1
    path = tmp_path / "caps.txt"
    path.write_bytes(from_unicode(text, Legacy.TCVN3))
    [para] = load(path).blocks
    assert isinstance(para, Paragraph) and para.text == text.strip()


# --------------------------------------------------------------------------- tone style


@pytest.mark.parametrize(
    ("printed", "unified"),
    [
        ("hoá", "hóa"),
        ("uỷ", "ủy"),
        ("thuỷ", "thủy"),
        ("Uỷ ban", "Ủy ban"),
        ("UỶ BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN"),  # src/parse/data/document.toml's old form
        ("Sở Văn hoá và Thể thao", "Sở Văn hóa và Thể thao"),  # agencies.csv alias
        ("Nghị quyết Trung ương 6 khoá XII", "Nghị quyết Trung ương 6 khóa XII"),  # seed 003
        ("Chi cục Thuỷ lợi", "Chi cục Thủy lợi"),  # seed 000
        ("khoẻ, hoà, luỹ, tuỳ", "khỏe, hòa, lũy, tùy"),
        # the same in both styles: final consonant, "qu", already first-vowel, no tone
        ("kế hoạch, hoàn thành, soát, buýt, quý, Quý IV, quỹ", None),
        ("hóa, ủy, thủy, hoa, thuy, khuya", None),
    ],
)
def test_tone_marks_are_unified_to_the_seed_style(printed: str, unified: str | None) -> None:
    want = printed if unified is None else unified
    assert unify_tone_marks(printed) == want
    assert unify_tone_marks(want) == want  # idempotent
    assert fold(unify_tone_marks(printed)) == fold(printed)  # folding never cared
