"""One act table per machine drives the admin's act URLs and the staff API's act endpoints,
and the desk never imports the admin modules that use it."""

import ast
from pathlib import Path

from django.contrib import admin
from django.urls import resolve, reverse

from applicants.models import Identity
from permits.models import PermitApplication, ResidenceRegistration
from review.desks.admin import DeskAdminMixin
from review.desks.applications import APPLICATION_DESK
from review.desks.identities import IDENTITY_DESK
from review.desks.registrations import REGISTRATION_DESK

DESKS = {
    Identity: IDENTITY_DESK,
    ResidenceRegistration: REGISTRATION_DESK,
    PermitApplication: APPLICATION_DESK,
}


class Row:
    pk = 7


def test_each_machines_admin_serves_every_act_of_its_table():
    for model, desk in DESKS.items():
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, DeskAdminMixin)
        assert model_admin.desk is desk
        for act in desk.acts.values():
            url = model_admin.desk_act_url(Row, act)
            opts = model._meta
            assert url.startswith(f"/admin/{opts.app_label}/{opts.model_name}/7/"), url
            match = resolve(url)
            assert match.kwargs["object_id"] == "7"
            assert match.kwargs.get("act_name", act.name) == act.name
            assert match.url_name in (
                f"{opts.app_label}_{opts.model_name}_{act.name}",
                model_admin.desk_act_url_name,
            )


def test_the_staff_api_offers_the_acts_the_table_marks():
    offered = {act.api.path: act for act in APPLICATION_DESK.api_acts()}
    assert set(offered) == {
        "produced",
        "old-card-received",
        "mailed",
        "delivered",
        "collected",
        "card-returned",
        "cancellation-completed",
    }
    for part, act in offered.items():
        match = resolve(reverse(f"api:staff-{part}", kwargs={"pk": 7}))
        assert match.func.view_class.act is act


def test_the_desk_does_not_import_the_admin_modules():
    for source in Path("review/desks").glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                assert not module.startswith(("review.admin", "..admin")), (source, module)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("review.admin") for a in node.names), source
