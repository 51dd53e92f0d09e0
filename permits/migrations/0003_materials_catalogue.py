"""The materials catalogue (seed 001 Art. 9, seed 002): what each service asks for, per basis.

Editable in the admin afterwards; this migration only fills rows that are not there yet
(matched by service + basis + code), so an edited catalogue is never overwritten.
"""

from django.db import migrations

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

# (service, basis ("" = any), code, name_zh, name_en, (description_zh, description_en), required)
CATALOGUE = [
    # New permit (申领), seed 001 Art. 9: ID card, photo, proof of address, employment or study.
    ("new", "", "id_card", "居民身份证", "Resident ID card", ID_CARD, True),
    ("new", "", "photo", "本人近期照片", "Recent photo", PHOTO, True),
    ("new", "", "residence_proof", "居住地址证明", "Proof of residence address", RESIDENCE_PROOF, True),
    ("new", "employment", "employment_proof", "就业证明", "Proof of employment", EMPLOYMENT_PROOF, True),
    ("new", "study", "study_proof", "就读证明", "Proof of study", STUDY_PROOF, True),
    # Renewal (续签/签注), seed 002 一.2: the permit, the ID card, proof of one of the conditions.
    ("renewal", "", "residence_permit", "居住证", "Residence permit", OLD_PERMIT, True),
    ("renewal", "", "id_card", "居民身份证", "Resident ID card", ID_CARD, True),
    ("renewal", "residence", "residence_proof", "合法稳定住所证明", "Proof of stable residence", RESIDENCE_PROOF, True),
    ("renewal", "employment", "employment_proof", "合法稳定就业证明", "Proof of stable employment", EMPLOYMENT_PROOF, True),
    ("renewal", "study", "study_proof", "连续就读证明", "Proof of continuous study", STUDY_PROOF, True),
    # Change of details (登记信息变更), seed 002 二.2: proof of the change.
    (
        "change",
        "",
        "change_proof",
        "信息变更证明材料",
        "Proof of the change",
        (
            "证明新的居住地址、工作单位或就读学校的材料，例如新的租赁合同、劳动合同或在读证明。",
            "Material proving the new address, employer or school, e.g. the new lease, labour "
            "contract or school certificate.",
        ),
        True,
    ),
    # Replacement (丢失补领/损坏换领), seed 002 三: only personal details are confirmed.
    (
        "replacement",
        "",
        "damaged_card",
        "损坏的居住证照片",
        "Photo of the damaged card",
        (
            "损坏换领时上传损坏证件的照片；原证件在领证时交回。丢失补领无需上传。",
            "For a damaged card, a photo of it (the card itself is handed in on collection). "
            "Not needed for a lost card.",
        ),
        False,
    ),
]


def load(apps, schema_editor):
    MaterialRequirement = apps.get_model("permits", "MaterialRequirement")
    for order, (service, basis, code, name_zh, name_en, desc, required) in enumerate(CATALOGUE):
        MaterialRequirement.objects.get_or_create(
            service=service,
            basis=basis,
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": desc[0],
                "description_en": desc[1],
                "required": required,
                "order": (order + 1) * 10,
            },
        )


def unload(apps, schema_editor):
    MaterialRequirement = apps.get_model("permits", "MaterialRequirement")
    for service, basis, code, *_rest in CATALOGUE:
        MaterialRequirement.objects.filter(service=service, basis=basis, code=code).delete()


class Migration(migrations.Migration):
    dependencies = [("permits", "0002_applications_permits")]

    operations = [migrations.RunPython(load, unload)]
