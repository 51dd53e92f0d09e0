"""Shared steps for the document tests (issue 16): read a PDF's text and its QR code."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader


def cn_date(day) -> str:
    """A date as Chinese papers print it: 2026年12月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def first_page_png(data: bytes, *, dpi: int = 150) -> bytes:
    """The first page as a PNG, rendered by poppler's ``pdftoppm`` (installed by .ci/run)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile",
             str(source), str(Path(folder) / "page")],
            check=True,
            timeout=60,
        )  # fmt: skip
        return (Path(folder) / "page.png").read_bytes()


def qr_texts(data: bytes) -> list[str]:
    """Every QR code zxing-cpp finds on the first page."""
    import zxingcpp

    image = Image.open(io.BytesIO(first_page_png(data)))
    return [result.text for result in zxingcpp.read_barcodes(image)]
