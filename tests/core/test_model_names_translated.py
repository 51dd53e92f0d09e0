"""Every user-facing string is translatable, Simplified Chinese first: the names the admin and
the pages show for the project's models and their fields (``verbose_name``) have a zh-hans
translation (a name added without one showed in English to the officers: "page generation",
"photo")."""

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

PROJECT_APPS = {"applicants", "permits", "notifications", "wechat", "review", "core", "kiosk"}
# Names written the same in Chinese: a file format, WeChat's own term.
SAME_IN_CHINESE = {"PDF", "openid"}


def _names(model):
    meta = model._meta
    yield meta.verbose_name
    yield meta.verbose_name_plural
    for field in meta.get_fields():
        name = getattr(field, "verbose_name", None)
        if name is not None:
            yield name


@pytest.mark.parametrize("app_label", sorted(PROJECT_APPS))
def test_every_model_and_field_name_has_a_chinese_translation(app_label):
    untranslated = set()
    for model in apps.get_app_config(app_label).get_models():
        for name in _names(model):
            if not isinstance(name, Promise):  # a name derived from the field's own name
                continue
            with translation.override("en"):
                english = str(name)
            with translation.override("zh-hans"):
                chinese = str(name)
            if chinese == english and english not in SAME_IN_CHINESE:
                untranslated.add(f"{model._meta.label}: {english}")
    assert not untranslated, "\n".join(sorted(untranslated))
