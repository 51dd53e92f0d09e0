import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt="PNG", size=(32, 24), exif=None, color=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"format": fmt}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, **kwargs)
    return buffer.getvalue()


def upload(name="photo.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content if content is not None else image_bytes(), content_type)


def pdf_bytes(*, catalog_extra: bytes = b"", extra_objects=(), header=b"%PDF-1.4") -> bytes:
    """A small, well-formed one-page PDF with a correct cross-reference table. Objects 1-3
    are the catalogue, the page tree and the page; ``extra_objects`` are numbered from 4 and
    ``catalog_extra`` is added inside the catalogue dictionary."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
        *extra_objects,
    ]
    out = bytearray(header + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0131] = "TrackingSoftware"  # Software
    return exif.tobytes()


def sms_code(phone: str) -> str:
    """The code from the newest SMS to ``phone`` (what the console backend prints)."""
    import re

    from notifications.models import SmsMessage

    message = SmsMessage.objects.filter(recipient_phone=phone).order_by("-pk").first()
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", message.body)  # Chinese text has no \\b here
    return match.group(1)
