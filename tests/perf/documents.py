"""``make bench`` (issue 16): the time to render each kind of paper a station signs, median of 20
renders after one warm-up (the first render loads the CJK font). Unsaved documents with a full,
realistic content: WeasyPrint and the templates are measured, not the database."""

from __future__ import annotations

import statistics
import time

RUNS = 20


def sample_document(kind: str, language: str = "zh-hans"):
    from django.utils import timezone

    from permits.models import Document, Station

    station = Station(
        name="龙华派出所", code="lh", address="海口市龙华区滨海大道 1 号", phone="0898-66500000"
    )
    payload = {
        "station_name": station.name,
        "station_address": station.address,
        "station_phone": station.phone,
        "authority": "海口市公安局",
        "reference": "HK2026-000123",
        "service": "new",
        "name": "张三丰",
        "id_number_masked": "110101********1234",
        "submitted_on": "2026-12-01",
        "accepted_on": "2026-12-02",
        "decision_days": 15,
        "day_mode": "working",
        "deadline": "2026-12-23",
        "items": [
            {
                "code": "photo",
                "name_zh": "证件照片",
                "name_en": "Photo",
                "reason": "unclear",
                "note": "照片模糊，请重新拍摄",
            },
            {
                "code": "residence_proof",
                "name_zh": "居住证明材料",
                "name_en": "Proof of residence",
                "reason": "expired",
                "note": "租赁合同已过期",
            },
        ],  # fmt: skip
        "officer_note": "请一并补充",
        "requested_on": "2026-12-02",
        "supply_by": "2026-12-23",
        "supply_days": 15,
        "stage": "not_approved",
        "reason": "other",
        "reason_note": "房屋地址与登记不符",
        "decided_on": "2026-12-02",
        "reconsideration_days": 60,
        "reconsider_by": "2027-01-31",
        "lawsuit_months": 6,
        "sue_by": "2027-06-02",
        "method": "mail",
        "completed_on": "2026-12-05",
        "mailed_on": "2026-12-03",
        "tracking_number": "SF1234567890",
        "recipient_name": "张三",
        "mail_address": "海口市龙华区滨海大道 1 号",
        "by_agent": False,
        "permit_number": "HK2026P0000001",
        "card_serial": "HKC0000000001",
        "valid_until": "2027-12-05",
        "address": "海口市龙华区滨海大道 1 号 2 单元 301",
        "permit_valid_until": "2027-06-01",
        "continuous_since": "2024-09-01",
        "years": 2,
        "months": 3,
        "issued_on": "2026-12-02",
    }
    return Document(
        kind=kind,
        station=station,
        number="LH-2026-000001",
        code="RG5JB2KRAVG5",
        issued_at=timezone.now(),
        language=language,
        payload=payload,
    )


def report(write, runs: int = RUNS) -> dict[str, float]:
    from permits import papers
    from permits.services.rendering import render_pdf

    write("")
    write(f"Rendering a paper (WeasyPrint, A4, median of {runs} after one warm-up)")
    header = f"{'kind':<40} {'ms':>8} {'bytes':>8}"
    write(header)
    write("-" * len(header))
    results = {}
    for kind in [paper.code for paper in papers.all()]:
        document = sample_document(kind)
        size = len(render_pdf(document))  # warm-up: fonts, templates
        samples = []
        for _run in range(runs):
            started = time.perf_counter()
            render_pdf(document)
            samples.append(time.perf_counter() - started)
        results[kind] = statistics.median(samples) * 1000
        write(f"{kind:<40} {results[kind]:>8.1f} {size:>8,}")
    return results


if __name__ == "__main__":  # python -m tests.perf.documents: only this part of the bench
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    report(print)
