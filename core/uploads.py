"""Checked uploads, reusable by every app: images (ID cards, photos) and documents (proofs).

Public API (all raise ``django.core.exceptions.ValidationError`` with a message for the person):

- ``clean_image(file)`` -> ``ContentFile``: JPEG, PNG or WebP by content (never by the file
  name), at most ``settings.UPLOAD_MAX_BYTES``, verified and fully decoded by Pillow,
  decompression bombs refused, re-encoded without EXIF or other metadata, under a random name.
- ``clean_pdf(file)`` -> ``ContentFile``: a PDF by content (``%PDF-`` header), size-limited,
  parsed by pypdf; refused when it cannot be parsed, is password-protected, or carries scripts,
  launch actions or embedded files (``/JavaScript``, ``/JS``, ``/Launch``, ``/EmbeddedFile``),
  also when hidden behind ``#xx`` name escapes or inside compressed object streams.
- ``clean_document(file)`` -> ``ContentFile``: an image as above, or a PDF.
- ``validate_image_upload`` / ``validate_document_upload``: plain validators (no return value).
- ``ImageUploadField`` / ``DocumentUploadField``: form fields whose ``cleaned_data`` is the
  cleaned ``ContentFile``, ready to assign to a model ``FileField``/``ImageField``.
- ``protected_file_response(field_file)``: serve a stored upload from a permission-checking
  view (streamed, or sent by nginx with X-Accel-Redirect when it is in front; private caching,
  content type from the bytes, ``nosniff``, a sandboxing CSP; PDFs as
  attachments, never rendered inline by the browser).

Uploads are never reachable at a public URL: ``MEDIA_URL`` is not served, and on S3 the bucket
is private.

Request-size cap: ``UploadLimitHandler`` (first of ``FILE_UPLOAD_HANDLERS``) stops reading a
multipart body as soon as one file passes ``UPLOAD_MAX_BYTES`` (or at the first file when the
declared body passes ``UPLOAD_MAX_REQUEST_BYTES``) and hands the form or serializer an
``OversizeUpload`` in that file's place, so the person sees "The file is too large" on the field
(web form: the page again; API: 400 in the error shape) instead of a broken connection after
60 MB. Fields sent after the refused file are not read.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
import warnings
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Pillow format name -> (file extension, content type)
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
PDF_CONTENT_TYPE = "application/pdf"
# Every protected upload response: no script, no plugin, no same-origin access, even if a
# browser were to render the file as a page.
PROTECTED_FILE_CSP = "sandbox; default-src 'none'"
DEFAULT_MAX_PIXELS = 50_000_000  # a 48-megapixel phone camera passes; a bomb does not


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_image_pixels() -> int:
    return int(getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def random_name(extension: str) -> str:
    """A random file name; the storage path (``private_upload_to``) adds a random folder name
    again, so neither the person's file name nor anything personal ever reaches storage."""
    return f"{uuid.uuid4().hex}.{extension}"


def _read_limited(file, max_bytes: int) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file is too large. The limit is %(limit)s."),
        code="too_large",
        params={"limit": filesizeformat(max_bytes)},
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not a JPEG, PNG or WebP image (or it is damaged). Take a new photo."),
        code="not_image",
    )


def _bomb(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (more than %(limit)s million). Use a smaller photo."),
        code="too_many_pixels",
        params={"limit": max_pixels // 1_000_000},
    )


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    format: str
    extension: str
    content_type: str
    width: int
    height: int


def check_image(file, *, max_bytes: int | None = None, max_pixels: int | None = None):
    """Validate an uploaded image and return a ``CheckedImage`` re-encoded without metadata."""
    max_bytes = max_bytes or max_upload_bytes()
    max_pixels = max_pixels or max_image_pixels()
    data = _read_limited(file, max_bytes)
    # A library may switch Pillow to accepting truncated files for the whole process (WeasyPrint
    # does, on import): an upload is always decoded strictly.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both refused.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in IMAGE_FORMATS:
                    raise _not_an_image()
                width, height = probe.size
                if width * height > max_pixels:
                    raise _bomb(max_pixels)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decode every pixel: a truncated or corrupt file fails here
                cleaned = _strip_metadata(image)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(max_pixels) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _not_an_image() from exc
        except Exception as exc:  # any other decoder failure: still not an image we accept
            raise _not_an_image() from exc
    extension, content_type = IMAGE_FORMATS[fmt]
    buffer = io.BytesIO()
    save_kwargs = {"format": fmt}
    if fmt == "JPEG":
        if cleaned.mode not in ("RGB", "L", "CMYK"):
            cleaned = cleaned.convert("RGB")
        save_kwargs.update(quality=90, optimize=True)
    elif fmt == "WEBP":
        save_kwargs.update(quality=90)
    cleaned.save(buffer, **save_kwargs)
    return CheckedImage(
        content=buffer.getvalue(),
        format=fmt,
        extension=extension,
        content_type=content_type,
        width=cleaned.width,
        height=cleaned.height,
    )


def _strip_metadata(image: Image.Image) -> Image.Image:
    """The pixels only, turned upright by the EXIF orientation, with no EXIF/XMP/text/ICC."""
    upright = ImageOps.exif_transpose(image) or image
    if getattr(upright, "n_frames", 1) > 1:
        upright.seek(0)
    clean = upright.copy()
    clean.info = {}
    if hasattr(clean, "encoderinfo"):
        del clean.encoderinfo
    return clean


def clean_image(file, **limits) -> ContentFile:
    checked = check_image(file, **limits)
    return ContentFile(checked.content, name=random_name(checked.extension))


# Names that make a PDF run something or carry another file: scripts (``/JavaScript``,
# ``/JS``), launch actions (``/Launch``) and embedded files (``/EmbeddedFile(s)``, ``/EF``).
PDF_ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF"}
)
# The same names in the raw bytes, once ``#xx`` escapes are decoded; a name ends at white
# space, a delimiter or the end of the file.
_PDF_ACTIVE_RAW = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?)(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# More PDF objects than any real scan or certificate has: refused rather than walked for long.
PDF_MAX_OBJECTS = 200_000

logger = logging.getLogger(__name__)


def _pdf_damaged() -> ValidationError:
    return ValidationError(
        _("This PDF document is incomplete or damaged. Save it again and retry."),
        code="pdf_damaged",
    )


def _pdf_active() -> ValidationError:
    return ValidationError(
        _(
            "This PDF contains scripts or embedded files, which are not accepted. "
            "Save it again as a plain PDF or upload a photo."
        ),
        code="pdf_active_content",
    )


def _pdf_encrypted() -> ValidationError:
    return ValidationError(
        _(
            "This PDF is protected by a password. Save it again without a password "
            "or upload a photo."
        ),
        code="pdf_encrypted",
    )


def _pdf_has_active_names(reader: PdfReader) -> bool:
    """Walk every object the file holds (from the trailer, and every entry of the
    cross-reference table, object streams included) and look at each dictionary key and
    name value. pypdf decodes ``#xx`` escapes in names, so ``/J#61vaScript`` is ``/JavaScript``."""
    stack: list = [reader.trailer]
    for generation, entries in reader.xref.items():
        stack.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    stack.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        visited += 1
        if visited > PDF_MAX_OBJECTS * 10:
            raise _pdf_damaged()
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > PDF_MAX_OBJECTS:
                raise _pdf_damaged()
            item = item.get_object()
        if isinstance(item, NameObject):
            if item in PDF_ACTIVE_NAMES:
                return True
        elif isinstance(item, DictionaryObject):  # stream dictionaries too
            for name, value in item.items():
                if name in PDF_ACTIVE_NAMES:
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def check_pdf(file, *, max_bytes: int | None = None) -> bytes:
    """A PDF by content, complete, parseable, not password-protected, with no script, launch
    action or embedded file. Returns its bytes, unchanged."""
    data = _read_limited(file, max_bytes or max_upload_bytes())
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("This file is not a PDF document."), code="not_pdf")
    if b"%%EOF" not in data[-2048:]:
        raise _pdf_damaged()
    # A cheap first pass over the bytes, with ``#xx`` name escapes decoded.
    unescaped = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if _PDF_ACTIVE_RAW.search(unescaped):
        raise _pdf_active()
    # Then the parsed document: names inside compressed object streams, the catalogue's
    # /Names, /OpenAction and /AA, every annotation and form field.
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _pdf_encrypted()
        active = _pdf_has_active_names(reader)
    except ValidationError:
        raise
    except Exception as exc:  # any parser failure: a PDF we cannot inspect is not accepted
        logger.info("PDF upload refused, not parseable: %r", exc)
        raise _pdf_damaged() from exc
    if active:
        raise _pdf_active()
    return data


def clean_pdf(file, **limits) -> ContentFile:
    return ContentFile(check_pdf(file, **limits), name=random_name("pdf"))


def clean_document(file, **limits) -> ContentFile:
    """An image (cleaned as by ``clean_image``) or a PDF, decided by the content."""
    data = _read_limited(file, limits.get("max_bytes") or max_upload_bytes())
    if data.startswith(b"%PDF-"):
        return clean_pdf(io.BytesIO(data), **limits)
    try:
        return clean_image(io.BytesIO(data), **limits)
    except ValidationError as exc:
        if exc.code == "not_image":
            raise ValidationError(
                _("This file is not a PDF document or a JPEG, PNG or WebP image."),
                code="not_document",
            ) from exc
        raise


def validate_image_upload(file) -> None:
    check_image(file)
    file.seek(0)


def validate_document_upload(file) -> None:
    clean_document(file)
    file.seek(0)


def _with_limit(template):
    """A help text translated when shown (not at import), with the size limit filled in."""
    return lazy(lambda: str(template) % {"limit": filesizeformat(max_upload_bytes())}, str)()


def _size_check_attrs() -> dict:
    """For static/js/portal.js: a file over the limit is refused in the page, before the
    upload, where the browser allows (the server refuses it anyway)."""
    return {
        "data-max-bytes": str(max_upload_bytes()),
        "data-too-large": _with_limit(
            _("This file is larger than %(limit)s: choose a smaller one.")
        ),
    }


class ImageUploadField(forms.FileField):
    """A form field for photos: ``cleaned_data`` holds the cleaned ``ContentFile``."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_size_check_attrs()}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("help_text", _with_limit(_("JPEG, PNG or WebP, at most %(limit)s.")))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "read"):
            return clean_image(value)
        return value


class DocumentUploadField(forms.FileField):
    """A form field for proofs: an image or a PDF; ``cleaned_data`` is the cleaned file."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_size_check_attrs()}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        kwargs.setdefault(
            "help_text", _with_limit(_("A photo (JPEG, PNG, WebP) or a PDF, at most %(limit)s."))
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "read"):
            return clean_document(value)
        return value


def sniff_content_type(head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return PDF_CONTENT_TYPE
    return "application/octet-stream"


def protected_file_response(
    field_file, *, download_name: str = "", inline: bool = False
) -> FileResponse:
    """Send a stored upload to a caller who has already been checked. 404 when missing.

    Streamed from the storage by this process, or, with nginx in front
    (``PROTECTED_FILES_ACCEL_PREFIX``), handed to nginx to send (``X-Accel-Redirect``).

    ``inline``: show a PDF in the browser rather than download it (the station kiosk prints the
    portal's own papers and must leave no file behind); only for files the portal made itself."""
    if not field_file:
        raise Http404
    if getattr(settings, "PROTECTED_FILES_ACCEL_PREFIX", ""):
        response = _accel_redirect(field_file, inline_pdf=inline)
        content_type = response["Content-Type"]
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        head = handle.read(16)
        handle.seek(0)
        content_type = sniff_content_type(head)
        response = FileResponse(handle, content_type=content_type)
    extension = {v[1]: v[0] for v in IMAGE_FORMATS.values()}.get(content_type, "pdf")
    name = f"{download_name or 'document'}.{extension}"
    # Only images are shown in the browser; a PDF (or anything else) is downloaded.
    shown = content_type.startswith("image/") or (inline and content_type == "application/pdf")
    disposition = "inline" if shown else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # A sandboxed page cannot open the browser's PDF viewer: our own PDFs shown to print get
    # the policy without the sandbox (still no script, style or connection of their own).
    response["Content-Security-Policy"] = (
        "default-src 'none'" if shown and content_type == "application/pdf" else PROTECTED_FILE_CSP
    )
    return response


# A stored name's extension was chosen from its content when it was saved (random_name).
_CONTENT_TYPE_BY_EXTENSION = {
    **dict(IMAGE_FORMATS.values()),
    "pdf": PDF_CONTENT_TYPE,
}


def _accel_redirect(field_file, *, inline_pdf: bool) -> HttpResponse:
    """nginx in front (deploy/nginx): an empty answer telling nginx to send the file itself from
    its internal location (``X-Accel-Redirect``), after this view checked the caller. A bucket's
    file goes by a pre-signed URL (path and query: nginx proxies it to the storage endpoint, the
    signature valid for ``querystring_expire`` seconds); a file on disk by its name (nginx's
    ``alias`` to MEDIA_ROOT). The location is ``internal``: a client asking for it gets 404."""
    extension = field_file.name.rsplit(".", 1)[-1].lower()
    content_type = _CONTENT_TYPE_BY_EXTENSION.get(extension, "application/octet-stream")
    prefix = settings.PROTECTED_FILES_ACCEL_PREFIX.rstrip("/") + "/"
    if inline_pdf and content_type == PDF_CONTENT_TYPE:
        prefix += "inline/"  # nginx's location without the sandbox (see protected_file_response)
    storage = field_file.storage
    if getattr(storage, "bucket_name", None):  # S3-compatible (django-storages)
        signed = urlsplit(storage.url(field_file.name))
        target = f"{prefix}{signed.path.lstrip('/')}?{signed.query}"
    else:
        target = prefix + quote(field_file.name)
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = target
    response["X-Accel-Buffering"] = "no"
    return response


def private_upload_to(instance, filename: str) -> str:
    """A random name under a folder per model; the original name is never kept."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    folder = instance._meta.model_name
    return f"private/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


# --- request-size cap --------------------------------------------------------------------------


def max_request_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_REQUEST_BYTES", 4 * max_upload_bytes() + 1_048_576))


class OversizeUpload(UploadedFile):
    """Stands in for a file refused while it was being received: no content, only the size
    seen so far (more than the limit), so every upload check refuses it as too large."""

    def __init__(self, *, name: str, size: int, content_type: str = ""):
        super().__init__(io.BytesIO(b""), name=name or "file", content_type=content_type, size=size)


class _UploadLimiter(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the parse past the limit."""

    def __init__(self, request, *, max_bytes: int, refuse_files: bool):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.refuse_files = refuse_files  # the declared body is already too large
        self.refused = None  # (field name, file name, content type, bytes seen)

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if self.refuse_files or (content_length or 0) > self.max_bytes:
            self._refuse(max(content_length or 0, self.max_bytes + 1))

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self._refuse(start + len(raw_data))
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self, seen: int):
        self.refused = (self.field_name, self.file_name, self.content_type, seen)
        raise StopUpload(connection_reset=True)


class UploadLimitHandler(FileUploadHandler):
    """The first upload handler: runs the multipart parse with a byte counter in front of the
    other handlers (memory, temporary file). When a file passes ``UPLOAD_MAX_BYTES`` (or the
    declared body passes ``UPLOAD_MAX_REQUEST_BYTES``) the rest of the body is never read, and
    an ``OversizeUpload`` takes the file's place so the field's check says "too large"."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        others = [h for h in self.request.upload_handlers if h is not self]
        limiter = _UploadLimiter(
            self.request,
            max_bytes=max_upload_bytes(),
            refuse_files=content_length > max_request_bytes(),
        )
        post, files = MultiPartParser(META, input_data, [limiter, *others], encoding).parse()
        if limiter.refused:
            field_name, file_name, content_type, seen = limiter.refused
            files.setlist(
                field_name,
                [OversizeUpload(name=file_name, size=seen, content_type=content_type)],
            )
            self.request.upload_refused = field_name
            logger.info(
                "upload refused: field=%s over %s bytes, body %s bytes",
                field_name,
                max_upload_bytes(),
                content_length,
            )
        return post, files

    def receive_data_chunk(self, raw_data, start):  # never reached: the parse above does it
        return raw_data

    def file_complete(self, file_size):
        return None
