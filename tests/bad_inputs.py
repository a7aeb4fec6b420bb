"""A corpus of hostile and broken inputs, built into a folder at test time (never committed).

`build(folder, outside, canary)` writes every bad input into `folder` and returns
{name: what it is}. Bombs are made once per session (`_deflated_zeros`, `_zip_bomb`: about a
second each) and cached; they are small on disk (about 1 MB) and inflate to ≥ 1 GiB.

`outside` is a folder beside the input folder holding a secret a symlink points at; `canary`
is an http:// URL of a listener that counts connections: every reference to the network in
the corpus (XML entities, DOCX relationships, HTML resources, PDF links) points at it.

Faults of the filesystem are in it too: a FIFO, a character device (where mknod is allowed),
a file and a folder with no permissions (root reads them all the same: see ROOT), and two
files the run itself must change under the batch (tests/hostile_driver.py): VANISHES is
removed after the folder is listed, CHANGES is rewritten after its worker read it.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import stat
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import docx

from vnplan.ingest.legacy import Legacy, from_unicode

ROOT = os.geteuid() == 0  # permissions do not stop root: chmod 000 only bites without it
VANISHES = "vanished.txt"
CHANGES = "changed.txt"
GIB = 1 << 30
CHUNK = 1 << 24
SECRET = "TOP-SECRET-outside-the-input-folder"
XXE_MARK = "Nội dung sau thực thể ngoài"  # text beside the entity: the document is read


# --------------------------------------------------------------------------- PDF


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def _one_page(content: bytes, extra: bytes = b"", canary: str = "") -> list[bytes]:
    link = (
        b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100]"
        b" /A << /S /URI /URI (%s) >> >>]" % canary.encode()
        if canary
        else b""
    )
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >>%s >>" % link,
        _stream(content, extra),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def text_pdf(canary: str = "") -> bytes:
    return _pdf(_one_page(b"BT /F1 12 Tf 72 760 Td (KE HOACH so 1/KH-UBND) Tj ET", canary=canary))


@lru_cache(maxsize=1)
def _deflated_zeros() -> bytes:
    """zlib of 1 GiB of zeros: about 1 MB."""
    packer = zlib.compressobj(9)
    zeros = bytes(CHUNK)
    parts = [packer.compress(zeros) for _ in range(GIB // CHUNK)]
    return b"".join(parts) + packer.flush()


def bomb_pdf() -> bytes:
    """One page whose FlateDecode content stream inflates to 1 GiB (NULs: PDF whitespace)."""
    return _pdf(_one_page(_deflated_zeros(), b"/Filter /FlateDecode "))


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def encrypted_pdf(password: bytes = b"secret") -> bytes:
    """The standard security handler, revision 2 (RC4, 40 bits), with a user password."""
    padded = (password + PAD)[:32]
    owner = _rc4(hashlib.md5(padded).digest()[:5], padded)
    permissions, file_id = -44, hashlib.md5(b"vnplan hostile").digest()
    key = hashlib.md5(padded + owner + struct.pack("<i", permissions) + file_id).digest()[:5]
    user = _rc4(key, PAD)
    objects = _one_page(b"BT /F1 12 Tf 72 760 Td (secret) Tj ET")
    objects.append(
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner.hex().encode(), user.hex().encode(), permissions)
    )
    trailer = b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode())
    return _pdf(objects, trailer)


def malformed_pdf() -> bytes:
    """A PDF signature, then 64 KB of garbage, then an end-of-file marker."""
    return b"%PDF-1.7\n" + random.Random(8).randbytes(65536) + b"\n%%EOF\n"


# --------------------------------------------------------------------------- DOCX


def _docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _rewrite(package: bytes, changes: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, changes.get(info.filename, source.read(info)))
    return buffer.getvalue()


def xxe_docx(canary: str) -> bytes:
    """document.xml declares external entities (a local file, a URL) and uses them; the
    relationships name external targets (a hyperlink, an image, a template) at the canary."""
    package = _docx_bytes("PLACEHOLDER")
    source = zipfile.ZipFile(io.BytesIO(package))
    body = source.read("word/document.xml").decode("utf-8")
    declaration, _, rest = body.partition("?>")
    doctype = (
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        f'<!ENTITY web SYSTEM "{canary}/entity">]>'
    )
    rest = rest.replace("PLACEHOLDER", f"&xxe;&web; {XXE_MARK}")
    rest = rest.replace(
        "</w:body>",
        '<w:p><w:hyperlink r:id="rIdCanary"><w:r><w:t>liên kết</w:t></w:r></w:hyperlink></w:p>'
        "</w:body>",
    )
    rels = source.read("word/_rels/document.xml.rels").decode("utf-8")
    external = "".join(
        f'<Relationship Id="{rid}" TargetMode="External" Target="{canary}/{rid}" '
        f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"/>'
        for rid, kind in (
            ("rIdCanary", "hyperlink"),
            ("rIdImage", "image"),
            ("rIdTemplate", "attachedTemplate"),
        )
    )
    rels = rels.replace("</Relationships>", external + "</Relationships>")
    return _rewrite(
        package,
        {
            "word/document.xml": (declaration + "?>" + doctype + rest).encode("utf-8"),
            "word/_rels/document.xml.rels": rels.encode("utf-8"),
        },
    )


def unknown_method_docx() -> bytes:
    """A DOCX whose entries all claim compression method 97 (WinZip AES), which zipfile lacks."""
    package = bytearray(_docx_bytes("phương thức nén lạ"))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = package.find(signature)
        while at >= 0:
            package[at + offset : at + offset + 2] = (97).to_bytes(2, "little")
            at = package.find(signature, at + 4)
    return bytes(package)


@lru_cache(maxsize=1)
def _zip_bomb() -> bytes:
    """A DOCX whose word/document.xml inflates to 1 GiB (a paragraph of spaces)."""
    package = _docx_bytes("bom")
    source = zipfile.ZipFile(io.BytesIO(package))
    head, _, tail = source.read("word/document.xml").partition(b"bom")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("word/document.xml", "w", force_zip64=True) as entry:
            entry.write(head)
            spaces = b" " * CHUNK
            for _ in range(GIB // CHUNK):
                entry.write(spaces)
            entry.write(tail)
    return buffer.getvalue()


# --------------------------------------------------------------------------- text and HTML


def hostile_html(canary: str) -> bytes:
    script = f"<script>document.write('KỊCH BẢN ĐỘC');fetch('{canary}/js')</script>"
    huge = "x" * (10 * 1024 * 1024)
    return (
        "<!DOCTYPE html><html><head>"
        f'<link rel="stylesheet" href="{canary}/css"><script src="{canary}/script.js"></script>'
        "</head><body>"
        f"{script}<p>KẾ HOẠCH Tổ chức hội nghị</p>"
        f'<div data-huge="{huge}"><img src="{canary}/img.png">Nội dung sau thuộc tính lớn</div>'
        f"<iframe src='{canary}/frame'></iframe>{script}"
        "</body></html>"
    ).encode()


def fields_rtf(canary: str) -> bytes:
    """An RTF (read through LibreOffice) whose fields include a picture and a text by URL."""
    return (
        "{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}}\\f0 KE HOACH to chuc hoi nghi\\par "
        f'{{\\field{{\\*\\fldinst INCLUDEPICTURE "{canary}/pic.png" \\\\d}}{{\\fldrslt }}}}\\par '
        f'{{\\field{{\\*\\fldinst INCLUDETEXT "{canary}/text.txt"}}{{\\fldrslt }}}}\\par}}'
    ).encode()


TABLE_HEADER = "STT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"


def long_table(rows: int = 10_000) -> bytes:
    lines = [
        f"{n}\tTriển khai nhiệm vụ số {n} về chuyển đổi số\tSở Nội vụ\tSở Tài chính\tQuý "
        f"{'I' * (1 + n % 3)}/2024\n"
        for n in range(1, rows + 1)
    ]
    return ("KẾ HOẠCH\nThực hiện nhiệm vụ năm 2024\n" + TABLE_HEADER + "".join(lines)).encode()


def long_line(size: int = 20 * 1024 * 1024) -> bytes:
    words = "Sở Nội vụ chủ trì triển khai nhiệm vụ trước ngày 30/6/2024; "
    return (words * (size // len(words.encode()) + 1)).encode()[:size].rsplit(b" ", 1)[0]


def encodings() -> dict[str, bytes]:
    utf8 = "Sở Nội vụ chủ trì, phối hợp với Sở Tài chính triển khai kế hoạch.\n".encode()
    cp1258 = from_unicode("Sở Nội vụ chủ trì triển khai kế hoạch.\n", Legacy.CP1258)
    return {
        "mixed-utf8-cp1258.txt": utf8 * 20 + cp1258 * 20,
        "invalid-utf8.txt": utf8 * 100 + b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" + utf8,
        "garbled-utf8.txt": b"".join(utf8[: 10 + n % 40] + b"\xff\xfe\xc0" for n in range(50)),
        "utf16-no-bom.txt": "Kế hoạch số 1/KH-UBND về chuyển đổi số\n".encode("utf-16-le") * 50,
        "binary.txt": random.Random(3).randbytes(4096),
        "lone-surrogates-utf16.txt": b"\xff\xfe" + b"\x00\xd8\x41\x00" * 100,
    }


# --------------------------------------------------------------------------- the corpus


def build(folder: Path, outside: Path, canary: str) -> dict[str, str]:
    """Write the bad inputs into `folder` (and a secret into `outside`); {name: what it is}."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text(f"Kế hoạch {SECRET}\n", "utf-8")
    whole = text_pdf(canary)
    files: dict[str, tuple[bytes, str]] = {
        "truncated.pdf": (whole[: len(whole) * 2 // 3], "a PDF cut before its end"),
        "encrypted.pdf": (encrypted_pdf(), "a PDF with a user password (RC4)"),
        "malformed.pdf": (malformed_pdf(), "'%PDF-' then garbage"),
        "bomb.pdf": (bomb_pdf(), "a FlateDecode content stream inflating to 1 GiB"),
        "zip-bomb.docx": (_zip_bomb(), "a DOCX whose document.xml inflates to 1 GiB"),
        "xxe.docx": (xxe_docx(canary), "a DOCX with XXE entities and external relationships"),
        "zip-method.docx": (unknown_method_docx(), "a DOCX compressed by an unknown method"),
        "hostile.html": (hostile_html(canary), "scripts, remote resources, a 10 MB attribute"),
        "fields.rtf": (fields_rtf(canary), "RTF fields that include a picture and text by URL"),
        "empty.txt": (b"", "a 0-byte file"),
        "long-line.txt": (long_line(), "a 20 MB single line"),
        "long-table.txt": (long_table(), "a table of 10,000 rows"),
    }
    for name, data in encodings().items():
        files[name] = (data, "mixed or invalid encoding")
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    (folder / "plan.pdf").mkdir()
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink(secret, folder / "secret-link.txt")
    described = {name: what for name, (_, what) in files.items()}
    described["plan.pdf"] = "a directory named like a file"
    described["passwd.txt"] = "a symlink to /etc/passwd"
    described["secret-link.txt"] = "a symlink to a file in another folder"
    return described | filesystem_faults(folder)


PLAN = f"KẾ HOẠCH\nThực hiện nhiệm vụ năm 2024\n{TABLE_HEADER}1\tTriển khai\tSở Nội vụ\t\t2024\n"


def make_device(path: Path) -> bool:
    """A character device like /dev/null at `path`; False where mknod is not allowed."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError):
        return False
    return True


def filesystem_faults(folder: Path) -> dict[str, str]:
    """Entries that are not files, or not readable, or not there for long; {name: what}."""
    os.mkfifo(folder / "fifo.txt")
    described = {"fifo.txt": "a FIFO (named pipe): reading it would wait for a writer"}
    if make_device(folder / "device.txt"):
        described["device.txt"] = "a character device (as /dev/null)"
    unreadable = folder / "unreadable.txt"
    unreadable.write_text(PLAN, "utf-8")
    unreadable.chmod(0)
    described["unreadable.txt"] = "a file without read permission"
    locked = folder / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(PLAN, "utf-8")
    locked.chmod(0)
    described["locked"] = "a folder without permissions"
    (folder / VANISHES).write_text(PLAN, "utf-8")
    described[VANISHES] = "removed after the folder was listed"
    (folder / CHANGES).write_text(PLAN, "utf-8")
    described[CHANGES] = "rewritten after it was read, before the batch stored it"
    return described
