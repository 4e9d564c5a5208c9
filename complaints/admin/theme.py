"""Plain Django forms in the console's theme: its widgets and classes on every field.

The console's own pages (actions, assignment, the escalation decision, the dashboard's forms)
use ordinary forms; the theme styles only its own widgets, so each widget is swapped for the
theme's equivalent or given its classes.
"""

from __future__ import annotations

from django import forms
from django.forms.widgets import ChoiceWidget
from unfold import widgets as theme

CLASSES = [
    ((forms.CheckboxInput,), theme.CHECKBOX_CLASSES),
    ((forms.Textarea,), theme.TEXTAREA_CLASSES),
    ((forms.Select, forms.SelectMultiple), theme.SELECT_CLASSES),
    ((forms.ClearableFileInput, forms.FileInput), theme.FILE_CLASSES),
    ((forms.widgets.Input,), theme.INPUT_CLASSES),
]


def themed(form: forms.BaseForm) -> forms.BaseForm:
    """Return `form` with each of its widgets drawn in the theme's look."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.SplitDateTimeWidget):
            field.widget = theme.UnfoldAdminSplitDateTimeWidget(attrs=widget.attrs)
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            field.widget = _swap(widget, theme.UnfoldAdminCheckboxSelectMultipleWidget)
        elif isinstance(widget, forms.RadioSelect):
            field.widget = _swap(widget, theme.UnfoldAdminRadioSelectWidget)
        else:
            for kinds, classes in CLASSES:
                if isinstance(widget, kinds) and not isinstance(widget, forms.HiddenInput):
                    extra = widget.attrs.get("class", "")
                    widget.attrs["class"] = " ".join([*classes, extra]).strip()
                    break
    return form


def _swap(widget: ChoiceWidget, kind: type[ChoiceWidget]) -> ChoiceWidget:
    swapped = kind(attrs=widget.attrs)
    swapped.choices = widget.choices
    return swapped
