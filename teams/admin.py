"""Admin for teams, memberships, invitations and provider accounts; secrets stay sealed."""

from django import forms
from django.contrib import admin
from django.db.models import Count

from teams.forms import check_base_url, moved_without_key
from teams.models import BalancePoint, Invitation, Membership, ProviderAccount, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj):
        return obj._members

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships"))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["team", "role", "email", "created_by", "created_at", "expires_at", "state"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    list_select_related = ["team", "created_by"]
    readonly_fields = ["accepted_by", "accepted_at", "created_by"]
    fields = [
        "team",
        "role",
        "email",
        "expires_at",
        "revoked_at",
        "created_by",
        "accepted_by",
        "accepted_at",
    ]

    def has_add_permission(self, request):
        # A link is only useful to whoever sees its token; admins make them in the app.
        return False


class ProviderAccountAdminForm(forms.ModelForm):
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave empty to keep the stored secret.",
    )
    base_url = forms.URLField(max_length=300, assume_scheme="https")

    class Meta:
        model = ProviderAccount
        fields = ["team", "provider", "base_url", "options"]

    def clean_base_url(self):
        value = self.cleaned_data["base_url"].rstrip("/")
        check_base_url(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", "A new account needs its secret.")
        if moved_without_key(self.instance, cleaned):
            self.add_error("secret", "The base URL moved to another host: enter the secret again.")
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            account.set_secret(self.cleaned_data["secret"])
        if commit:
            account.save()
        return account


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    form = ProviderAccountAdminForm
    list_display = [
        "team",
        "provider",
        "base_url",
        "masked_secret",
        "last_check_ok",
        "last_checked_at",
    ]
    list_filter = ["provider", "last_check_ok"]
    search_fields = ["team__name", "team__slug", "base_url"]
    list_select_related = ["team"]
    readonly_fields = [
        "masked_secret",
        "secret_source",
        "last_checked_at",
        "last_check_ok",
        "last_check_message",
        "credits",
    ]
    autocomplete_fields = ["team"]


@admin.register(BalancePoint)
class BalancePointAdmin(admin.ModelAdmin):
    """The balance history the Usage page charts; written by credits checks only."""

    list_display = ["account", "unit", "amount", "read_at"]
    list_filter = ["unit", "account__provider"]
    search_fields = ["team__name", "team__slug"]
    list_select_related = ["account", "account__team"]
    readonly_fields = ["team", "account", "unit", "amount", "read_at"]
    date_hierarchy = "read_at"

    def has_add_permission(self, request):
        return False


class SyncRunAdmin(admin.ModelAdmin):
    """The admin of every run of a mirror (teams.runs.SyncRun); each app registers its own."""

    list_display = [
        "account",
        "status",
        "fetched",
        "created",
        "updated",
        "gone",
        "deleted",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "account__provider"]
    list_select_related = ["account", "account__team"]
    search_fields = ["account__team__name", "message"]
    readonly_fields = ["team", "account", "requested_by"]
