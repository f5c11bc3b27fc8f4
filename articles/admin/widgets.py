"""Admin widgets that name their boxes for assistive technology."""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.html import format_html


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a ``<label>``: Django's own
    template prints "Date:" and "Time:" as bare text, which names neither box
    (the field's label, on a widget of two boxes, points at neither)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        boxes = context["widget"]["subwidgets"]
        for key, box in zip(("date_label", "time_label"), boxes, strict=True):
            context[key] = format_html(
                '<label for="{}">{}</label>', box["attrs"]["id"], context[key]
            )
        return context
