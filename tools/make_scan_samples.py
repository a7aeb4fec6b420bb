"""Build samples/scan/<seed>.pdf: each seed's PDF as a scanner would return it, image only.

The source is samples/pdf/<seed>.pdf (tools/make_pdf_samples.py); when it does not exist yet,
samples/docx/<seed>.docx is printed to PDF with LibreOffice in a temporary folder. Each page is
rendered at 300 dpi, turned by a small angle (under 1°, different on every page, as pages
come off a feeder), given mild scanner noise (grain and dust specks) and thresholded to black
and white, the way office scanners file documents. The pages are stored as CCITT Group 4
images, which Pillow's PDF writer emits for 1-bit images: ~30 KB a page, where a grayscale
JPEG at quality 60 takes 250–500 KB for the same page (the text's edges are what JPEG spends
its bytes on), which would make the seeds' appendices 20–40 MB each.

A file that would exceed ~1.5 MB keeps only the appendix pages: from the first page with a
ruled table to the end (the task tables the tests compare); the front matter is dropped and
the tool says so.

`--mixed SEED` also writes samples/scan/<seed>-mixed.pdf: the seed's PDF with its text layer,
one appendix page of which is replaced by a scan of itself (grayscale JPEG, quality 60) — the
file the PDF extractor must read page by page, text where there is text, OCR where there is not.

Output is byte-stable: the noise comes from a generator seeded with the seed's name, and the
PDF dates are fixed.

    .venv/bin/python tools/make_scan_samples.py [SEED …] [--mixed SEED]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import regex as re
from PIL import Image

from vnplan.ingest.ocr import find_tables, ink_mask, ruling_lines

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = SAMPLES / "scan"
DPI = 300
MAX_BYTES = 1_500_000
MAX_TILT = 0.8  # degrees; the brief allows up to 1°
JPEG_QUALITY = 60
MIXED_DPI = 200
FIXED_DATE = time.strptime("2024-01-01", "%Y-%m-%d")  # Pillow's PDF writer takes a struct_time


def source_pdf(stem: str, workdir: Path) -> Path:
    """The seed's PDF: the committed sample, else its DOCX printed by LibreOffice."""
    committed = SAMPLES / "pdf" / f"{stem}.pdf"
    if committed.exists():
        return committed
    docx = SAMPLES / "docx" / f"{stem}.docx"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit(f"{committed} does not exist and LibreOffice (soffice) is not installed")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(workdir), str(docx)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return workdir / f"{stem}.pdf"


def _render(page: pdfium.PdfPage) -> Image.Image:
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        image: Image.Image = bitmap.to_pil().convert("L")
        return image
    finally:
        bitmap.close()


def scan(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A clean page image → what a feeder scanner makes of it: tilted, grainy, black and white."""
    tilt = float(rng.uniform(0.2, MAX_TILT)) * (1 if rng.random() < 0.5 else -1)
    turned = image.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    clean = np.asarray(turned, dtype=np.float32)
    pixels = clean + rng.normal(0.0, 22.0, clean.shape)  # sensor grain: ragged letter edges
    h, w = pixels.shape
    for _ in range(int(h * w / 400_000)):  # dust: a few specks per page
        y, x = int(rng.integers(0, h - 3)), int(rng.integers(0, w - 3))
        pixels[y : y + int(rng.integers(1, 4)), x : x + int(rng.integers(1, 4))] = 0
    gray = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return gray.point(lambda v: 255 if v > 150 else 0).convert("1")


def _has_table(image: Image.Image) -> bool:
    gray = np.asarray(image, dtype=np.uint8)
    return bool(find_tables(ruling_lines(ink_mask(gray)))[0])


def _encoded_size(image: Image.Image) -> int:
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=DPI)
    return len(buffer.getvalue())


def make_scan(stem: str, pdf_path: Path) -> tuple[Path, str]:
    rng = np.random.default_rng(int(hashlib.sha256(stem.encode()).hexdigest()[:8], 16))
    pdf = pdfium.PdfDocument(pdf_path)
    pages: list[Image.Image] = []
    first_table: int | None = None
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                clean = _render(page)
            finally:
                page.close()
            if first_table is None and _has_table(clean):
                first_table = index
            pages.append(scan(clean, rng))
    finally:
        pdf.close()
    note = f"all {len(pages)} pages"
    if sum(_encoded_size(p) for p in pages) > MAX_BYTES and first_table:
        note = (
            f"pages {first_table + 1}–{len(pages)} of {len(pages)} (the appendix; "
            "the whole file would exceed 1.5 MB)"
        )
        pages = pages[first_table:]
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"{stem}.pdf"
    pages[0].save(
        target,
        "PDF",
        resolution=DPI,
        save_all=True,
        append_images=pages[1:],
        # Pillow stamps the current time otherwise; a fixed date keeps reruns byte-identical.
        creationDate=FIXED_DATE,
        modDate=FIXED_DATE,
    )
    return target, note


def make_mixed(stem: str, pdf_path: Path) -> tuple[Path, str]:
    """The text PDF with its first appendix page swapped for a grayscale JPEG scan of it."""
    rng = np.random.default_rng(int(hashlib.sha256(f"mixed:{stem}".encode()).hexdigest()[:8], 16))
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        index = next(i for i in range(len(pdf)) if _has_table(_render(pdf[i])))
        page = pdf[index]
        width, height = page.get_size()
        # 200 dpi: a grayscale JPEG of a 300-dpi page is ~500 KB, of a 200-dpi page ~250 KB.
        bitmap = page.render(scale=MIXED_DPI / 72, grayscale=True)
        clean = bitmap.to_pil().convert("L")
        bitmap.close()
        page.close()
        tilted = clean.rotate(0.5, resample=Image.Resampling.BICUBIC, fillcolor=255)
        noisy = np.asarray(tilted, dtype=np.float32) + rng.normal(0.0, 3.0, clean.size[::-1])
        buffer = io.BytesIO()
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(
            buffer, "JPEG", quality=JPEG_QUALITY
        )
        pdf.del_page(index)
        scanned = pdf.new_page(width, height, index=index)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(buffer.getvalue()), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        scanned.insert_obj(image)
        scanned.gen_content()
        scanned.close()
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / f"{stem}-mixed.pdf"
        pdf.save(target)
    finally:
        pdf.close()
    _stable_id(target)
    return target, f"page {index + 1} of {len(pdfium.PdfDocument(target))} scanned"


_SECOND_ID = re.compile(rb"(/ID\s*\[\s*<[0-9A-Fa-f]+>\s*<)([0-9A-Fa-f]+)(>)")


def _stable_id(path: Path) -> None:
    """pdfium writes a random second file ID on every save: make it a hash of the content,
    same length, so the cross-reference offsets stay valid and reruns are byte-identical."""
    data = path.read_bytes()
    match = _SECOND_ID.search(data)
    if match is None:
        return
    digest = hashlib.md5(data[: match.start(2)]).hexdigest().upper().encode()
    path.write_bytes(data[: match.start(2)] + digest[: len(match.group(2))] + data[match.end(2) :])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seeds", nargs="*", help="seed stems (default: every samples/*.txt)")
    parser.add_argument("--mixed", action="append", default=[], help="also write SEED-mixed.pdf")
    args = parser.parse_args(argv)
    stems = args.seeds or sorted(p.stem for p in SAMPLES.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="vnplan-scan-") as tmp:
        for stem in stems:
            target, note = make_scan(stem, source_pdf(stem, Path(tmp)))
            print(f"{target.relative_to(ROOT)}: {note}, {target.stat().st_size // 1024} KB")
        for stem in args.mixed:
            target, note = make_mixed(stem, source_pdf(stem, Path(tmp)))
            print(f"{target.relative_to(ROOT)}: {note}, {target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
