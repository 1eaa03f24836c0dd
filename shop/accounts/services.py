"""Customer accounts: registration. Other apps react to `customer_registered` (welcome mail)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

User = get_user_model()

# Sent inside the registration transaction; receivers schedule work with on_commit.
customer_registered = Signal()


@transaction.atomic
def customer_register(*, username: str, email: str, password: str, first_name: str = "") -> User:
    username = username.strip()
    email = User.objects.normalize_email(email.strip()).lower()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email exists already."]
    candidate = User(username=username, email=email, first_name=first_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(username=username, email=email, password=password, first_name=first_name)
    customer_registered.send(sender=User, user=user)
    return user
