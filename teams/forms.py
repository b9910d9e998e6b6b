"""Forms for teams, members, invitations and provider accounts."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from providers import guard
from providers.config import is_private_origin, parse_hosts
from teams.models import (
    SECRET_LABELS,
    Invitation,
    Provider,
    ProviderAccount,
    Role,
    Team,
    url_origin,
)

BASE_URLS = guard.Policy(
    purpose="provider base URLs must be public, unless their origin is listed in "
    "PROVIDER_PRIVATE_HOSTS (a self-hosted one)"
)


def check_base_url(value: str) -> None:
    """Refuse a base URL on a loopback, private or link-local address unless its origin
    is listed in PROVIDER_PRIVATE_HOSTS. A name that cannot be resolved now is let through:
    every connection is checked again when it is made (providers/guard.py)."""
    try:
        host, port = guard.host_port(value)
        if is_private_origin(value, parse_hosts(settings.PROVIDER_PRIVATE_HOSTS)):
            return
        try:
            addresses = guard.resolve(host, port)
        except (OSError, UnicodeError):
            return
        BASE_URLS.check_addresses(host, port, addresses)
    except guard.UnsafeTarget as exc:
        raise forms.ValidationError(str(exc)) from None


def clean_base_url(value: str) -> str:
    """A server address a form may store: http(s), no query or fragment, and allowed
    by `check_base_url`."""
    value = value.rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise forms.ValidationError("Use an http:// or https:// address.")
    if parts.query or parts.fragment:
        raise forms.ValidationError("A base URL has no query string or fragment.")
    check_base_url(value)
    return value


def moved_without_key(account: ProviderAccount, cleaned: dict) -> bool:
    """An existing account's base URL now names another host, and no key came with it."""
    base_url = cleaned.get("base_url")
    return bool(
        account.pk
        and base_url
        and url_origin(base_url) != account.secret_origin
        and not cleaned.get("secret")
    )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["role", "email"]

    def __init__(self, *args, inviter_role: str = Role.ADMIN, **kwargs):
        super().__init__(*args, **kwargs)
        # Nobody hands out a role above their own; only owners make owners.
        if inviter_role != Role.OWNER:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]


class ProviderAccountForm(forms.ModelForm):
    """Connect or update one provider. The secret is write-only: leave it empty on an
    existing account to keep the stored one."""

    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        required=False,
        strip=True,
        max_length=500,
    )
    base_url = forms.URLField(max_length=300, assume_scheme="https", label="Server address")

    class Meta:
        model = ProviderAccount
        fields = ["base_url"]

    def __init__(self, *args, provider: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["secret"].label = SECRET_LABELS[provider]
        if not self.instance.pk:
            self.fields["secret"].required = True
            self.initial["base_url"] = settings.PROVIDER_DEFAULT_BASE_URLS[provider]
        else:
            self.fields[
                "secret"
            ].help_text = f"Stored: {self.instance.masked_secret}. Leave empty to keep it."

    def clean_base_url(self):
        return clean_base_url(self.cleaned_data["base_url"])

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if secret and any(ch.isspace() for ch in secret):
            raise forms.ValidationError("A key has no spaces in it; check what was pasted.")
        if secret and len(secret) < 8:
            raise forms.ValidationError("That is too short to be a key from this provider.")
        return secret

    def clean(self):
        cleaned = super().clean()
        if moved_without_key(self.instance, cleaned):
            self.add_error(
                "secret",
                "The base URL moved to another host: enter the key again. "
                "A stored key is only ever sent to the host it was entered for.",
            )
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        account.provider = self.provider
        if self.cleaned_data["secret"]:
            account.set_secret(self.cleaned_data["secret"])
            # A new key means the old check result says nothing about it.
            account.last_check_ok = None
            account.last_check_message = ""
            account.last_checked_at = None
        if commit:
            account.save()
        return account


class RespeecherLoginForm(forms.Form):
    """Connect Respeecher with the email and password of a Respeecher login: Voxboard
    signs in once to make an API key (teams.connecting). The password is never stored."""

    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
        help_text="The email you sign in to Respeecher with.",
    )
    password = forms.CharField(
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "current-password"}),
        help_text="Sent to Respeecher once, to sign in; Voxboard does not keep it.",
    )
    base_url = forms.URLField(max_length=300, assume_scheme="https", label="Server address")

    def __init__(self, *args, account: ProviderAccount | None = None, **kwargs):
        # Its own ids: it is drawn beside the key form, which has a base_url too.
        kwargs.setdefault("auto_id", "login_%s")
        super().__init__(*args, **kwargs)
        self.initial["base_url"] = (
            account.base_url
            if account
            else settings.PROVIDER_DEFAULT_BASE_URLS[Provider.RESPEECHER]
        )

    def clean_base_url(self):
        return clean_base_url(self.cleaned_data["base_url"])


class FollowAssistantsForm(forms.Form):
    assistants = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistants"].choices = choices
