"""Base forms shared by the apps."""

from typing import Any

from django import forms


class DeskForm(forms.Form):
    """Labels without a trailing colon: screen readers read the colon aloud."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DeskModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
