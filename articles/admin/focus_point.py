"""The focal point of a picture, set by clicking on it (``focus_point.js``).

The two numbers (across and down, 0 to 1) are ordinary form fields, so the
point can be typed as well; the picture beside them is a readonly line of the
form that the script wires to them. It shows a rendition, never the upload,
and a picture chosen but not yet saved is previewed from the file itself.
"""

from django import forms
from django.utils.html import format_html

from ..pictures import renditions

CSS = ["articles/admin/focus_point.css"]
JS = ["articles/admin/focus_point.js"]


class FocusField(forms.FloatField):
    """One coordinate of a focal point, in steps of a hundredth. Left empty (or
    not sent at all, by a form that does not show it) it is the middle."""

    widget = forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"})

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "required": False})

    def clean(self, value):
        value = super().clean(value)
        return 0.5 if value is None else value


# For ``formfield_overrides``: every FloatField of the fronts' and stories' forms is one.
FOCUS_FIELD = {"form_class": FocusField, "widget": FocusField.widget}
HELP = (
    "Click the picture on its subject: the 16:9 crops for the front page and the crops "
    "for sharing keep that point in view. The two numbers are the same point."
)


def picker(field_file):
    """The picture to click, with a mark on its focal point."""
    found = renditions.picture(field_file, "hero")[0] if field_file else None
    if found is None:
        return format_html(
            '<div class="focus-picker" data-focus-picker hidden>'
            '<div class="focus-picker__frame"><img class="focus-picker__image" alt="">'
            '<span class="focus-picker__mark"></span></div>'
            '<p class="focus-picker__help">{}</p></div>',
            HELP,
        )
    shown = next((r for r in found.fallback if r.width >= 480), found.largest)
    return format_html(
        '<div class="focus-picker" data-focus-picker>'
        '<div class="focus-picker__frame"><img class="focus-picker__image" src="{}" '
        'width="{}" height="{}" alt="">'
        '<span class="focus-picker__mark"></span></div>'
        '<p class="focus-picker__help">{}</p></div>',
        shown.url,
        shown.width,
        shown.height,
        HELP,
    )
