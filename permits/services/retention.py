"""Deleting personal files once their retention period is over (the daily job
``permits.delete_expired_files``; what is due: ``permits.selectors.retention``).

The file is deleted from the storage backend (local disk or S3, through the field's storage),
then the row is kept as a tombstone: its file field emptied, everything else (the case, its
history) left as it was. Works in batches of ``RETENTION_BATCH_SIZE`` rows (one query to find a
batch, one UPDATE to empty it, no per-row query); files first, then the rows, so a failure
midway leaves rows that the next run finishes (deleting a missing file is a no-op). Running it
twice deletes nothing more: emptied rows are no longer due. A kind's fields may be text (the
lessor's phone and name on a lessor's confirmation): those are only emptied.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile

from core import page_cache
from core.db_router import replica_reads

from ..selectors.retention import DUE

logger = logging.getLogger("permits.retention")


def _delete_stored(field_file) -> bool:
    if not isinstance(field_file, FieldFile) or not field_file:
        return False  # empty, or a text field (the lessor's phone and name) only emptied
    try:
        field_file.storage.delete(field_file.name)
    except FileNotFoundError:
        return False
    return True


def delete_expired_files(
    *, now: dt.datetime | None = None, batch_size: int | None = None
) -> dict[str, dict[str, int]]:
    """Delete every due file; returns ``{kind: {"rows": n, "files": n}}`` (also logged)."""
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    totals: dict[str, dict[str, int]] = {}
    for kind, (due, fields) in DUE.items():
        rows = files = 0
        last_pk = 0
        while True:
            # Found on the replica when there is one (checked again on the primary below).
            with replica_reads(after_write=True):
                batch = list(due(now=now).filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            # Checked again just before deleting: never a row whose case reopened meanwhile.
            still_due = set(
                due(now=now).filter(pk__in=[r.pk for r in batch]).values_list("pk", flat=True)
            )
            batch = [row for row in batch if row.pk in still_due]
            for row in batch:
                for field in fields:
                    files += _delete_stored(getattr(row, field))
            model = due(now=now).model
            emptied = model.objects.filter(pk__in=[row.pk for row in batch])
            with transaction.atomic():
                rows += emptied.update(**dict.fromkeys(fields, ""))
                page_cache.bump_rows(emptied)  # their accounts' pages no longer offer the files
        totals[kind] = {"rows": rows, "files": files}
        logger.info("event=retention_deleted kind=%s rows=%d files=%d", kind, rows, files)
    return totals
