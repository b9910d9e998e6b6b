"""The endpoint form: where to send, which events, and the SSRF check at save time."""

from urllib.parse import urlsplit

from django import forms

from webhooks.models import SUBSCRIBABLE, Endpoint
from webhooks.ssrf import UnsafeTarget, check_url


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where Voxboard POSTs events. It must be a public http(s) address.",
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one event to send."},
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_types", "enabled"]
        help_texts = {"enabled": "Disabled endpoints receive nothing."}

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise forms.ValidationError(
                "Leave credentials out of the URL; receivers check the signature instead."
            )
        try:
            check_url(url)
        except UnsafeTarget as exc:
            raise forms.ValidationError(str(exc)) from None
        return url

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        if endpoint.enabled:
            endpoint.disabled_reason = ""
        if commit:
            endpoint.save()
        return endpoint
