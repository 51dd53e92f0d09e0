"""Files a person already chose on a form that was refused for another field: kept as that
user's pending uploads so the next try need not choose them again (issue 15, point 9).

Each accepted file (it passed its own field's checks) is stored under ``pending/<user>/`` and
named in the session, per form. Before the form is bound again, a file field left empty gets
its pending file back, and is checked again like any upload. Done or abandoned: ``clear``.
Domain-free: the views name their form and its file fields.
"""

from __future__ import annotations

import mimetypes
import posixpath
import uuid

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

SESSION_KEY = "pending_uploads"


def _all(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def kept(request, form_key: str) -> dict[str, str]:
    """``{field name: the file's name as chosen}`` of the files kept for this form."""
    return {name: item["filename"] for name, item in _all(request).get(form_key, {}).items()}


def keep(request, form_key: str, form, field_names) -> dict[str, str]:
    """After ``form`` was refused: store each file of ``field_names`` that passed its own
    field's checks (a file replaces the one kept before). Returns ``kept()``."""
    everything = _all(request)
    pending = dict(everything.get(form_key, {}))
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for name in field_names:
        value = cleaned.get(name)
        chosen = form.files.get(form.add_prefix(name))
        if name in form.errors or value is None or not hasattr(value, "read") or not chosen:
            continue
        if getattr(chosen, "_pending_path", None):  # brought back from pending: already kept
            continue
        value.seek(0)
        extension = posixpath.splitext(chosen.name or "")[1].lower()[:8]
        path = default_storage.save(
            f"pending/{request.user.pk}/{uuid.uuid4().hex}{extension}", value
        )
        if name in pending:
            default_storage.delete(pending[name]["path"])
        pending[name] = {"path": path, "filename": posixpath.basename(chosen.name or name)[:100]}
    everything[form_key] = pending
    request.session[SESSION_KEY] = everything
    return kept(request, form_key)


def restore(request, form_key: str, files: MultiValueDict) -> MultiValueDict:
    """The posted files, with each empty file field given its pending file back."""
    pending = _all(request).get(form_key, {})
    if not pending:
        return files
    files = files.copy()
    for name, item in pending.items():
        if files.get(name):
            continue  # a new choice replaces the kept one
        try:
            with default_storage.open(item["path"], "rb") as stored:
                content = stored.read()
        except OSError:
            continue  # gone (cleaned up): the field asks again
        content_type = mimetypes.guess_type(item["filename"])[0] or "application/octet-stream"
        upload = SimpleUploadedFile(item["filename"], content, content_type=content_type)
        upload._pending_path = item["path"]
        files[name] = upload
    return files


def clear(request, form_key: str) -> None:
    """The form was accepted (or abandoned): delete its pending files."""
    everything = _all(request)
    for item in everything.pop(form_key, {}).values():
        default_storage.delete(item["path"])
    request.session[SESSION_KEY] = everything


def mark_kept(form, kept_files: dict[str, str]) -> None:
    """Show each kept file on its field ("Uploaded: front.jpg") and stop asking for it."""
    from django.utils.translation import gettext_lazy as _

    for name, filename in kept_files.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.required = False
        field.help_text = _("Uploaded: %(name)s (choose another file only to replace it).") % {
            "name": filename
        }
        form._bound_fields_cache.pop(name, None)  # a bound field copies its help text
