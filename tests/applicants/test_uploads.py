import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from core.uploads import (
    check_image,
    clean_document,
    clean_image,
    clean_pdf,
    protected_file_response,
    sniff_content_type,
)
from tests.applicants.helpers import exif_with_gps, image_bytes, pdf_bytes, png_bomb, upload


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepts_jpeg_png_webp_by_content(fmt):
    # The extension lies on purpose: the content decides.
    cleaned = clean_image(upload("whatever.txt", image_bytes(fmt)))
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    assert cleaned.name.endswith(f".{ext}")
    assert "whatever" not in cleaned.name
    assert Image.open(io.BytesIO(cleaned.read())).format == fmt


def test_random_names_differ():
    assert clean_image(upload()).name != clean_image(upload()).name


@pytest.mark.parametrize(
    "content",
    [b"GIF89a" + b"\x00" * 100, b"this is not an image at all", b"\x89PNG\r\n\x1a\nbroken"],
)
def test_fake_or_other_formats_refused(content):
    with pytest.raises(ValidationError) as err:
        clean_image(upload("photo.jpg", content, "image/jpeg"))
    assert err.value.code == "not_image"
    assert "JPEG, PNG or WebP" in str(err.value.messages[0])


def test_gif_refused_even_if_real_image():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as err:
        clean_image(upload("a.png", buffer.getvalue()))
    assert err.value.code == "not_image"


def test_truncated_image_refused():
    data = image_bytes("JPEG", size=(200, 200))
    with pytest.raises(ValidationError) as err:
        clean_image(upload("a.jpg", data[: len(data) // 2]))
    assert err.value.code == "not_image"


def test_oversized_file_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buffer, format="PNG")
    big = buffer.getvalue()
    assert len(big) > 1000
    with pytest.raises(ValidationError) as err:
        clean_image(upload("big.png", big))
    assert err.value.code == "too_large"
    assert "1000" in err.value.messages[0] or "KB" in err.value.messages[0]


def test_decompression_bomb_refused():
    with pytest.raises(ValidationError) as err:
        clean_image(upload("bomb.png", png_bomb()))
    assert err.value.code == "too_many_pixels"


def test_pixel_limit_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 100
    with pytest.raises(ValidationError) as err:
        check_image(upload("a.png", image_bytes(size=(20, 20))))
    assert err.value.code == "too_many_pixels"


def test_pillow_bomb_warning_zone_refused(monkeypatch):
    # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns: refused as well.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)
    with pytest.raises(ValidationError) as err:
        check_image(upload("a.png", image_bytes(size=(20, 20))))
    assert err.value.code == "too_many_pixels"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_exif_stripped(fmt):
    data = image_bytes(fmt, exif=exif_with_gps())
    assert b"SecretPhoneMaker" in data
    cleaned = clean_image(upload("a", data)).read()
    assert b"SecretPhoneMaker" not in cleaned
    assert b"TrackingSoftware" not in cleaned
    assert not Image.open(io.BytesIO(cleaned)).getexif()


def test_exif_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90
    data = image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())
    checked = check_image(upload("a.jpg", data))
    assert (checked.width, checked.height) == (20, 40)


def test_pdf_by_content():
    pdf = pdf_bytes()
    cleaned = clean_pdf(upload("x.png", pdf, "image/png"))
    assert cleaned.name.endswith(".pdf")
    assert clean_document(upload("x", pdf)).name.endswith(".pdf")
    with pytest.raises(ValidationError) as err:
        clean_pdf(upload("x.pdf", b"<html>not a pdf</html>", "application/pdf"))
    assert err.value.code == "not_pdf"


def test_pdf_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 50
    with pytest.raises(ValidationError) as err:
        clean_pdf(upload("x.pdf", b"%PDF-1.4\n" + b"0" * 100 + b"%%EOF"))
    assert err.value.code == "too_large"


def test_document_refuses_other_content():
    with pytest.raises(ValidationError) as err:
        clean_document(upload("x.pdf", b"MZ\x90\x00 executable"))
    assert err.value.code == "not_document"


def test_sniff_and_response(tmp_path):
    from django.core.files.storage import default_storage

    name = default_storage.save("private/test/a.png", clean_image(upload()))
    field_file = type(
        "F", (), {"storage": default_storage, "name": name, "__bool__": lambda s: True}
    )()
    response = protected_file_response(field_file, download_name="front")
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert sniff_content_type(b"%PDF-1.7") == "application/pdf"


def test_truncated_image_refused_after_weasyprint_was_imported():
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import (a web node rendering a paper
    imports it); the upload check stays strict anyway."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    data = image_bytes("JPEG", size=(200, 200))
    with pytest.raises(ValidationError) as err:
        clean_image(upload("a.jpg", data[: len(data) // 2]))
    assert err.value.code == "not_image"
