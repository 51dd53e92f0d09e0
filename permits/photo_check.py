"""The certificate photo checked before an officer sees it (issue 31, point 4): one face, facing
the camera, upright and in the middle, the head's size and height within the proportions of the
standard (``permits.rules.photo``), a light plain background, and the photo's size and shape.

``check_photo(data)`` takes the image's bytes (already cleaned by ``core.uploads``) and returns a
``PhotoVerdict``: the problems found (codes, each with a message in plain words for the person),
and what was measured (kept with the upload for the officer). Reads only; the upload service
(``permits.services.applications.upload_material``) decides what to do with the verdict.

The face detector is OpenCV's Haar cascade for frontal faces, shipped inside the
``opencv-python-headless`` package (``cv2.data.haarcascades``): nothing is downloaded. A turned
head is told from a missing face by the profile cascade; the eyes (eye cascade, inside the face)
tell a tilted head. Figures measured on a set of test photos: ``tests/permits/photo_bench.py``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from django.utils.translation import gettext_lazy as _

from permits.rules import photo as spec

# the photo is analysed at this height at most (a 48-megapixel phone photo would be slow)
ANALYSIS_HEIGHT = 640
# a second face counts when at least this fraction of the main face's width
SECOND_FACE_MIN = 0.3
# a background strip is "plain" below this spread of lightness and this share of edge pixels
BACKGROUND_MAX_SPREAD = 28.0
BACKGROUND_MAX_EDGES = 0.05
# the eyes' line may lean this much (degrees); their middle may stray this far from the face's
MAX_EYE_TILT = 8.0
MAX_EYE_OFFSET = 0.12

MESSAGES = {
    "too_small": _(
        "The photo is too small (%(width)s × %(height)s pixels). It must be at least "
        "%(min_width)s × %(min_height)s pixels: take it with the camera at full resolution."
    ),
    "wrong_shape": _(
        "The photo must be upright and taller than wide, like an ID photo (26 mm wide, 32 mm "
        "high). Crop it to that shape."
    ),
    "no_face": _(
        "No face can be seen. Look straight at the camera, with your whole face visible and "
        "well lit."
    ),
    "not_frontal": _(
        "Your face is turned or tilted. Look straight at the camera and keep your head upright."
    ),
    "several_faces": _("More than one face can be seen. Only you may be in the photo."),
    "off_centre": _("Your head is not in the middle of the photo. Crop the photo so it is."),
    "head_too_small": _(
        "Your head is too small in the photo. Come closer to the camera or crop the photo "
        "closer: head and top of the shoulders should fill it."
    ),
    "head_too_large": _(
        "Your head is too large in the photo. Step back from the camera: the whole head, with "
        "a little space above it, and the top of the shoulders must be in the photo."
    ),
    "head_too_low": _(
        "Your head is too low in the photo. Leave only a little space above the head."
    ),
    "head_too_high": _(
        "Your head is too close to the top edge. Leave a little space above the head."
    ),
    "background_dark": _(
        "The background is too dark. Stand in front of a white or very light plain wall."
    ),
    "background_busy": _(
        "The background is not plain. Stand in front of a white or very light wall with "
        "nothing on it."
    ),
}
# the order the person reads them in: what to fix first
ORDER = tuple(MESSAGES)


@dataclass(frozen=True)
class PhotoVerdict:
    problems: tuple[str, ...]
    measures: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        params = {
            "width": self.measures.get("width", ""),
            "height": self.measures.get("height", ""),
            # the minimum is the rules' (GA 461-2004), as the check reads it
            "min_width": spec.PHOTO_MIN_WIDTH_PX,
            "min_height": spec.PHOTO_MIN_HEIGHT_PX,
        }
        return [str(MESSAGES[code]) % params for code in self.problems]

    def as_json(self) -> dict:
        return {"ok": self.ok, "problems": list(self.problems), "measures": self.measures}


def verdict_problems(stored: dict | None) -> list[tuple[str, str]]:
    """``(code, message)`` of each problem of a verdict kept with an upload (``as_json``)."""
    if not stored:
        return []
    verdict = PhotoVerdict(
        problems=tuple(c for c in stored.get("problems", ()) if c in MESSAGES),
        measures=stored.get("measures", {}),
    )
    return list(zip(verdict.problems, verdict.messages(), strict=True))


def verdict_messages(stored: dict | None) -> list[str]:
    """The messages of a verdict kept with an upload."""
    return [message for _code, message in verdict_problems(stored)]


@functools.cache
def _cascade(name: str):
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if classifier.empty():  # the package's data is missing: a broken install, not a bad photo
        raise RuntimeError(f"OpenCV cascade {name} not found in {cv2.data.haarcascades}")
    return classifier


def _faces(gray, min_size: int):
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=6, minSize=(min_size, min_size)
    )
    return sorted((tuple(int(v) for v in f) for f in found), key=lambda f: -f[2] * f[3])


def _profile(gray, min_size: int) -> bool:
    profile = _cascade("haarcascade_profileface.xml")
    for image in (gray, cv2.flip(gray, 1)):
        found = profile.detectMultiScale(
            image, scaleFactor=1.1, minNeighbors=6, minSize=(min_size, min_size)
        )
        if len(found):
            return True
    return False


def _eyes(gray, face):
    """The two eyes inside the upper half of the face, left to right, or None."""
    x, y, w, h = face
    upper = gray[y : y + h // 2 + h // 10, x : x + w]
    found = _cascade("haarcascade_eye.xml").detectMultiScale(
        upper, scaleFactor=1.1, minNeighbors=5, minSize=(max(8, w // 10), max(8, w // 10))
    )
    eyes = sorted((tuple(int(v) for v in e) for e in found), key=lambda e: -e[2] * e[3])[:2]
    if len(eyes) < 2:
        return None
    centres = sorted((x + ex + ew / 2, y + ey + eh / 2) for ex, ey, ew, eh in eyes)
    (lx, ly), (rx, ry) = centres
    if rx - lx < w * 0.2:  # one eye found twice
        return None
    return centres


def _background(gray, face) -> dict | None:
    """Lightness, spread and edges of the strips beside the head, above the shoulders."""
    height, width = gray.shape
    x, y, w, h = face
    margin = int(w * 0.45)  # hair and ears
    bottom = min(height, y + h // 2)
    strips = []
    left = x - margin
    right = x + w + margin
    if left >= 4:
        strips.append(gray[0:bottom, 0:left])
    if width - right >= 4:
        strips.append(gray[0:bottom, right:width])
    top = y - int(h * 0.6)  # above the hair
    if top >= 4:
        strips.append(gray[0:top, :])
    strips = [s for s in strips if s.size]
    if not strips:
        return None
    pixels = np.concatenate([s.ravel() for s in strips])
    edges = sum(int(np.count_nonzero(cv2.Canny(s, 60, 160))) for s in strips)
    return {
        "lightness": round(float(pixels.mean()), 1),
        "spread": round(float(pixels.std()), 1),
        "edges": round(edges / pixels.size, 4),
    }


def check_photo(data: bytes) -> PhotoVerdict:
    """Check a certificate photo's bytes (JPEG, PNG or WebP) against the specification."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        return PhotoVerdict(problems=("no_face",), measures={"decoded": False})
    height, width = image.shape
    measures: dict = {"width": width, "height": height}
    problems: set[str] = set()
    if width < spec.PHOTO_MIN_WIDTH_PX or height < spec.PHOTO_MIN_HEIGHT_PX:
        problems.add("too_small")
    aspect = width / height
    measures["aspect"] = round(aspect, 3)
    if abs(aspect - spec.PHOTO_ASPECT) > spec.PHOTO_ASPECT * spec.PHOTO_ASPECT_TOLERANCE:
        problems.add("wrong_shape")

    if height > ANALYSIS_HEIGHT:
        scale = ANALYSIS_HEIGHT / height
        image = cv2.resize(image, (max(1, round(width * scale)), ANALYSIS_HEIGHT), cv2.INTER_AREA)
    gray = image
    height, width = gray.shape
    equalised = cv2.equalizeHist(gray)
    min_size = max(24, int(min(width, height) * 0.12))
    faces = _faces(equalised, min_size)
    measures["faces"] = len(faces)
    if not faces:
        problems.add("not_frontal" if _profile(equalised, min_size) else "no_face")
        return _verdict(problems, measures)
    face = faces[0]
    x, y, w, h = face
    others = [f for f in faces[1:] if f[2] >= w * SECOND_FACE_MIN and not _inside(f, face)]
    measures["faces"] = 1 + len(others)
    if others:
        problems.add("several_faces")

    centre = (x + w / 2) / width
    face_share = w / width
    top = y / height
    measures.update(
        centre=round(centre, 3), face_width=round(face_share, 3), face_top=round(top, 3)
    )
    if abs(centre - 0.5) > spec.PHOTO_CENTRE_TOLERANCE:
        problems.add("off_centre")
    low, high = spec.photo_face_width_range()
    if face_share < low:
        problems.add("head_too_small")
    elif face_share > high:
        problems.add("head_too_large")
    # the head's top is above the face by about a third of the face's height (the forehead and
    # hair); the eyes are about 40 % down the face
    head_top = (y - h * 0.35) / height
    eyes_from_bottom = 1 - (y + h * 0.4) / height
    measures.update(head_top=round(head_top, 3), eyes_from_bottom=round(eyes_from_bottom, 3))
    too_low = head_top > spec.PHOTO_HEAD_TOP_MARGIN[1] + 0.1 and "head_too_small" not in problems
    if eyes_from_bottom < spec.PHOTO_EYES_FROM_BOTTOM_MIN - 0.06 or too_low:
        problems.add("head_too_low")
    elif head_top < spec.PHOTO_HEAD_TOP_MARGIN[0] - 0.08:
        problems.add("head_too_high")

    eyes = _eyes(equalised, face)
    if eyes is not None:
        (lx, ly), (rx, ry) = eyes
        tilt = math.degrees(math.atan2(ry - ly, rx - lx))
        offset = ((lx + rx) / 2 - (x + w / 2)) / w
        measures.update(eye_tilt=round(tilt, 1), eye_offset=round(offset, 3))
        if abs(tilt) > MAX_EYE_TILT or abs(offset) > MAX_EYE_OFFSET:
            problems.add("not_frontal")

    background = _background(gray, face)
    if background is not None:
        measures["background"] = background
        if background["lightness"] < spec.PHOTO_BACKGROUND_MIN_LIGHTNESS:
            problems.add("background_dark")
        elif (
            background["spread"] > BACKGROUND_MAX_SPREAD
            or background["edges"] > BACKGROUND_MAX_EDGES
        ):
            problems.add("background_busy")
    return _verdict(problems, measures)


def _inside(inner, outer) -> bool:
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    cx, cy = ix + iw / 2, iy + ih / 2
    return ox <= cx <= ox + ow and oy <= cy <= oy + oh


def _verdict(problems: set[str], measures: dict) -> PhotoVerdict:
    return PhotoVerdict(problems=tuple(c for c in ORDER if c in problems), measures=measures)
