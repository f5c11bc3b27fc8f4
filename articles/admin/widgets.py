"""Admin widgets that name their boxes for assistive technology."""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.html import format_html


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a ``<label>``: Django's own
    template prints "Date:" and "Time:" as bare text, which names neither box
    (the field's label, on a widget of two boxes, points at neither)."""

    labels = {}  # the boxes' own words, instead of Django's "Date:" and "Time:"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context.update(self.labels)
        boxes = context["widget"]["subwidgets"]
        for key, box in zip(("date_label", "time_label"), boxes, strict=True):
            context[key] = format_html(
                '<label for="{}">{}</label>', box["attrs"]["id"], context[key]
            )
        return context


class ReleaseSplitDateTime(LabelledSplitDateTime):
    """The embargo's boxes, named "Release date" and "Release time": beside the
    publication time's own "Date" and "Time", a screen reader tells them apart."""

    labels = {"date_label": "Release date:", "time_label": "Release time:"}
