"""Encryption at rest for credentials: MultiFernet over the keys in VOXBOARD_ENCRYPTION_KEYS."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

__all__ = ["EncryptedTextField", "InvalidToken", "decrypt", "encrypt", "rotate"]


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.VOXBOARD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _forget_keys(setting, **_kwargs):
    if setting == "VOXBOARD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt under the first key; a token already under it still gets a new one."""
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Holds a Fernet token. Deliberately no transparent decryption: code that needs the
    plaintext asks for it, so a form, the admin or a serializer never shows it by accident.
    rotate_encryption_keys finds every field of this type."""
