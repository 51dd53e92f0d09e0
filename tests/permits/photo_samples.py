"""Test photos for the certificate photo check, made from images that scikit-image ships inside
its package (nothing is downloaded): ``data.astronaut()`` (a studio portrait of Eileen Collins,
NASA, public domain) cut out of its backdrop with OpenCV's GrabCut and composed onto backgrounds,
at sizes, positions and angles that the specification allows or refuses; ``data.lfw_subset()``
(100 faces and 100 non-faces of 25 x 25 pixels from Labeled Faces in the Wild), enlarged.

``samples()`` yields ``(kind, expected problem or None, JPEG bytes)`` (an expected problem
that ends early, "background", stands for any of the problems it begins); ``KINDS`` describes each
kind. Used by ``tests/permits/test_photo_check.py`` and ``tests/permits/photo_bench.py``.
"""

from __future__ import annotations

import functools
import itertools

import cv2
import numpy as np

W, H = 358, 441  # GA 461-2004
# the astronaut's head in data.astronaut() (measured on the GrabCut mask): top, width, middle
HEAD_TOP, HEAD_WIDTH, HEAD_CENTRE_X = 16, 146, 227

KINDS = {
    # correct photos
    "good_white": (None, "white background, head 0.55-0.60 of the width, small shifts, 3 sizes"),
    "good_light": (None, "light grey, off-white with noise, light blue; slight tilt 2°"),
    "good_lfw": (None, "other people: LFW faces (25 px) enlarged, on white"),
    # incorrect photos, each with the problem the check should name
    "dark_background": ("background_dark", "grey, dark blue or black background"),
    "busy_background": ("background_busy", "light brick, grass, gravel, rocket textures"),
    "room_behind": ("background", "the original photo: a flag, a rocket, a mottled backdrop"),
    "two_faces": ("several_faces", "a second person beside"),
    "off_centre": ("off_centre", "head shifted 18-25 % of the width"),
    "head_too_small": ("head_too_small", "head 0.25-0.35 of the width"),
    "head_too_large": ("head_too_large", "head 0.85-1.0 of the width"),
    "rotated": (None, "turned 25°, 90° or upside down: no face or not frontal"),
    "too_small": ("too_small", "179 x 220 pixels"),
    "wrong_shape": ("wrong_shape", "landscape 600 x 400"),
    "no_face": ("no_face", "a cat, coffee, a page of text, LFW non-faces"),
}


@functools.cache
def _person():
    from skimage import data

    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    mask = np.zeros(image.shape[:2], np.uint8)
    models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(image, mask, (25, 8, 340, 503), *models, 6, cv2.GC_INIT_WITH_RECT)
    alpha = np.where((mask == 1) | (mask == 3), 255, 0).astype(np.uint8)
    return image, cv2.GaussianBlur(alpha, (5, 5), 0)


def _texture(name: str, size) -> np.ndarray:
    from skimage import data

    picture = getattr(data, name)()
    if picture.dtype == bool:
        picture = picture.astype(np.uint8) * 255
    if picture.ndim == 2:
        picture = cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR)
    else:
        picture = cv2.cvtColor(picture, cv2.COLOR_RGB2BGR)
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


def plain(colour, size=(W, H), noise=0.0, seed=0) -> np.ndarray:
    width, height = size
    canvas = np.full((height, width, 3), colour, np.float32)
    if noise:
        canvas += np.random.default_rng(seed).normal(0, noise, canvas.shape)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def compose(
    background: np.ndarray,
    *,
    head=0.578,
    dx=0.0,
    top=0.035,
    angle=0.0,
    second: float | None = None,
) -> np.ndarray:
    """The astronaut on ``background``: head width ``head`` of the photo's width, its middle
    ``dx`` of the width off centre, its top ``top`` of the height below the edge, turned
    ``angle`` degrees; ``second``: another person's head middle at that fraction of the width."""
    height, width = background.shape[:2]
    image, alpha = _person()
    out = background.astype(np.float32)
    for centre, share in ((0.5 + dx, head), *(((second, head),) if second is not None else ())):
        scale = share * width / HEAD_WIDTH
        matrix = cv2.getRotationMatrix2D((HEAD_CENTRE_X, HEAD_TOP + 70), angle, scale)
        matrix[0, 2] += centre * width - HEAD_CENTRE_X
        matrix[1, 2] += top * height + 70 * scale - (HEAD_TOP + 70)
        size = (width, height)
        person = cv2.warpAffine(image, matrix, size, flags=cv2.INTER_AREA)
        mask = cv2.warpAffine(alpha, matrix, size, flags=cv2.INTER_LINEAR)[..., None] / 255.0
        out = out * (1 - mask) + person.astype(np.float32) * mask
    return np.clip(out, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality=90) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


def good_photo(size=(W, H)) -> bytes:
    """One photo that meets the specification (for the upload tests)."""
    return jpeg(compose(plain(255, size)))


def bad_photo() -> bytes:
    """One photo that does not: the head far off centre on a dark background."""
    return jpeg(compose(plain(70), dx=0.22))


def _lfw(index: int, background=255) -> np.ndarray:
    from skimage import data

    face = (data.lfw_subset()[index] * 255).astype(np.uint8)
    size = int(W * 0.56)
    big = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((H, W), background, np.uint8)
    x, y = (W - size) // 2, int(H * 0.1)
    canvas[y : y + size, x : x + size] = big
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)


def samples():
    """Every test photo: ``(kind, expected problem or None, JPEG bytes)``."""
    sizes = [(W, H), (2 * W, 2 * H), (3 * W, 3 * H)]
    for share, dx, size in itertools.product((0.55, 0.578, 0.6), (-0.02, 0.0, 0.02), sizes):
        yield "good_white", None, jpeg(compose(plain(255, size), head=share, dx=dx))
    for top in (0.02, 0.05):
        yield "good_white", None, jpeg(compose(plain(255), top=top))
    backgrounds = [
        plain(235),
        plain(245, noise=4),
        plain((250, 235, 215)),  # light blue (BGR)
        plain((240, 245, 250)),  # warm off-white
    ]
    for background, angle in itertools.product(backgrounds, (-2.0, 0.0, 2.0)):
        yield "good_light", None, jpeg(compose(background, angle=angle), quality=80)
    for index in range(0, 100, 5):
        yield "good_lfw", None, jpeg(_lfw(index))
    for colour in (90, (110, 40, 20), 20, (60, 60, 120)):
        for share in (0.55, 0.6):
            yield "dark_background", "background_dark", jpeg(compose(plain(colour), head=share))
    for name in ("brick", "grass", "gravel", "rocket"):
        for share in (0.55, 0.6):
            texture = _texture(name, (W, H)).astype(np.float32)
            background = (0.4 * texture + 0.6 * 255).astype(np.uint8)  # light, not plain
            yield "busy_background", "background_busy", jpeg(compose(background, head=share))
    room, _mask = _person()
    room = cv2.resize(room[0:360, 50:342], (W, H), interpolation=cv2.INTER_AREA)
    yield "room_behind", "background", jpeg(room)
    for a, b in ((0.3, 0.75), (0.25, 0.8), (0.35, 0.72)):
        two = compose(plain(255), head=0.38, dx=a - 0.5, second=b)
        yield "two_faces", "several_faces", jpeg(two)
    for dx in (-0.25, -0.18, 0.18, 0.25):
        yield "off_centre", "off_centre", jpeg(compose(plain(255), dx=dx))
    for share in (0.25, 0.3, 0.35):
        yield "head_too_small", "head_too_small", jpeg(compose(plain(255), head=share, top=0.2))
    for share in (0.85, 0.92, 1.0):
        yield "head_too_large", "head_too_large", jpeg(compose(plain(255), head=share, top=0.0))
    upright = compose(plain(255))
    for angle in (25.0, -25.0):
        yield "rotated", None, jpeg(compose(plain(255), angle=angle))
    yield "rotated", None, jpeg(cv2.rotate(upright, cv2.ROTATE_90_CLOCKWISE)[:H, :W])
    yield "rotated", None, jpeg(cv2.rotate(upright, cv2.ROTATE_180))
    for share in (0.55, 0.6):
        small = cv2.resize(compose(plain(255), head=share), (W // 2, H // 2))
        yield "too_small", "too_small", jpeg(small)
    for dx in (0.0, 0.02):
        yield "wrong_shape", "wrong_shape", jpeg(compose(plain(255, (600, 400)), head=0.3, dx=dx))
    for name in ("chelsea", "coffee", "page", "horse"):
        yield "no_face", "no_face", jpeg(_texture(name, (W, H)))
    for index in range(100, 200, 10):
        yield "no_face", "no_face", jpeg(_lfw(index))
