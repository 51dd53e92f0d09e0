"""Path converters of the API: ``<id:pk>`` is 1-18 digits, so no lookup overflows an integer."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
