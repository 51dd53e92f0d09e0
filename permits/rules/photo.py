"""The certificate photo (证件照) of a residence permit: its size and the head's proportions.

Source: the seeds only say a photo is part of the material (seed 001, Regulations Art. 9) and the
catalogue asks for "a recent full-face ID photo, bareheaded, on a white background". The
residence permit card is made like the resident ID card, whose digital photo is specified by the
public security standard GA 461-2004 (居民身份证制证用数字相片技术要求): 358 x 441 pixels
(26 mm x 32 mm at 350 dpi), a head 207 +/- 14 pixels wide, the top of the head 7 to 21 pixels
below the photo's top edge, the line of the eyes at least 207 pixels above the bottom edge,
facing the camera, on a plain light background. The figures below are those of that standard as
it is commonly published; **they are not in the seeds** (a bureau that has the text may correct
them here, in this one place).

A photo taken with a phone is larger: it is measured in proportions of its own size, so a photo
of any resolution at or above the standard's passes when its proportions are right.

The detector sees the face (brows to chin, cheek to cheek), not the head with its hair and ears:
``PHOTO_FACE_TO_HEAD`` turns one into the other, with the range seen across people (an estimate
of the portal, documented in ``permits/photo_check.py``; not a statutory figure).
"""

from __future__ import annotations

__all__ = [
    "PHOTO_ASPECT_TOLERANCE",
    "PHOTO_BACKGROUND_MIN_LIGHTNESS",
    "PHOTO_CENTRE_TOLERANCE",
    "PHOTO_EYES_FROM_BOTTOM_MIN",
    "PHOTO_FACE_TO_HEAD",
    "PHOTO_HEAD_TOP_MARGIN",
    "PHOTO_HEAD_WIDTH",
    "PHOTO_MIN_HEIGHT_PX",
    "PHOTO_MIN_WIDTH_PX",
    "PHOTO_ASPECT",
    "photo_face_width_range",
]

# GA 461-2004: 358 x 441 pixels (26 mm x 32 mm, 350 dpi)
PHOTO_MIN_WIDTH_PX = 358
PHOTO_MIN_HEIGHT_PX = 441
PHOTO_ASPECT = PHOTO_MIN_WIDTH_PX / PHOTO_MIN_HEIGHT_PX  # width / height, about 0.81
# a phone crop is not exact: the shape may differ by this fraction of the aspect ratio
PHOTO_ASPECT_TOLERANCE = 0.08

# GA 461-2004: the head 207 +/- 14 pixels wide of 358, as a fraction of the photo's width
PHOTO_HEAD_WIDTH = (
    (207 - 14) / PHOTO_MIN_WIDTH_PX,
    (207 + 14) / PHOTO_MIN_WIDTH_PX,
)  # 0.539 .. 0.617
# the top of the head 7 to 21 pixels below the top edge, of 441
PHOTO_HEAD_TOP_MARGIN = (7 / PHOTO_MIN_HEIGHT_PX, 21 / PHOTO_MIN_HEIGHT_PX)
# the eyes at least 207 pixels above the bottom edge, of 441
PHOTO_EYES_FROM_BOTTOM_MIN = 207 / PHOTO_MIN_HEIGHT_PX

# "centred, left and right symmetric": the face's middle within this fraction of the width
PHOTO_CENTRE_TOLERANCE = 0.06

# "a white background": a light background (0 black .. 255 white, mean of the strips beside the
# head); a light grey or light blue studio backdrop passes, a room does not
PHOTO_BACKGROUND_MIN_LIGHTNESS = 185

# head width / detected face width, across people (hair, ears): the portal's estimate
PHOTO_FACE_TO_HEAD = (1.15, 1.6)


def photo_face_width_range() -> tuple[float, float]:
    """The detected face's width, as a fraction of the photo's, for a head within
    ``PHOTO_HEAD_WIDTH`` (GA 461-2004, 207 +/- 14 of 358 pixels; Issue 31): the head's range
    divided by the face-to-head range."""
    return PHOTO_HEAD_WIDTH[0] / PHOTO_FACE_TO_HEAD[1], PHOTO_HEAD_WIDTH[1] / PHOTO_FACE_TO_HEAD[0]
