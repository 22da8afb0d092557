"""Base forms shared by the apps."""

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# A date picker where the browser has one; ISO dates, whatever the language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _attributes(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html, in Python."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's select, written out in Python: the same markup as its templates
    (a test holds them equal), without rendering a template for every option. A
    list of the world's countries took tens of milliseconds a page that way."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"',
            _attributes(widget["attrs"]),
            ">",
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    pass


_QUICK = {forms.Select: QuickSelect, forms.SelectMultiple: QuickSelectMultiple}


def _quicken(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        quick = _QUICK.get(type(field.widget))
        if quick is not None:
            field.widget.__class__ = quick  # the same widget, written out faster


class DeskForm(forms.Form):
    """Labels without a trailing colon: screen readers read the colon aloud."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _quicken(self)


class DeskModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _quicken(self)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one input (possibly none); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        # Empty files are refused by the upload policy, which names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []
