"""QR codes, drawn with segno: one place for the sizes and error correction the portal uses."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, *, scale: int = 4, border: int = 2, standalone: bool = False) -> str:
    """An SVG QR code of ``data``: inline in a page, or a standalone file (with XML declaration)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", xmldecl=standalone, svgns=True, scale=scale, border=border
    )
    return buffer.getvalue().decode()


def qr_png(data: str, *, scale: int = 8, border: int = 4) -> bytes:
    """A PNG QR code of ``data`` (for a code shown at the window)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
