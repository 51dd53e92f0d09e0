"""The proofs several services ask for, in the words of seed 001 Art. 9 (the materials catalogue's
descriptions, shared by the service modules)."""

from __future__ import annotations

from .base import MaterialSpec

RESIDENCE_PROOF = (
    "房屋租赁合同、房屋产权证明、房屋购买合同，或者房屋出租人、用人单位、就读学校出具的住宿证明。",
    "A house lease contract, a property ownership certificate, a house purchase contract, or an "
    "accommodation certificate issued by the lessor, the employer or the school.",
)
EMPLOYMENT_PROOF = (
    "工商营业执照、劳动合同、用人单位出具的劳动关系证明或者其他能够证明有合法稳定就业的材料。",
    "A business license, a labour contract, a certificate of labour relations issued by the "
    "employer, or other material proving legally stable employment.",
)
STUDY_PROOF = (
    "学生证、学校出具的其他能够证明连续就读的材料。",
    "A student card, or other material issued by the school proving continuous enrolment.",
)
ID_CARD = ("居民身份证正反面照片。", "Photos of both sides of the resident ID card.")
PHOTO = (
    "本人近期免冠正面证件照（白色背景）。",
    "A recent full-face ID photo of the person, bareheaded, on a white background.",
)
OLD_PERMIT = ("现持有的居住证照片。", "A photo of the residence permit currently held.")


def material(
    code,
    name_zh,
    name_en,
    description,
    *,
    order,
    basis="",
    required=True,
    certificate_photo=False,
):
    return MaterialSpec(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        description_zh=description[0],
        description_en=description[1],
        basis=basis,
        required=required,
        order=order,
        certificate_photo=certificate_photo,
    )
