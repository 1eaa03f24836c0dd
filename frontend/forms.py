"""Forms of the shop's own pages (login uses Django's AuthenticationForm as it is)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from shop.accounts.services import customer_register


class RegistrationForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        help_text="3 or more letters, digits or . @ + - _",
        error_messages={"invalid": "Use 3 or more letters, digits or . @ + - _ (no spaces)."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    password = forms.CharField(
        min_length=8,
        max_length=128,
        help_text="At least 8 characters, not only digits, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def register(self):
        """Create the account through the accounts service; field errors land on the form."""
        try:
            return customer_register(**self.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return None
