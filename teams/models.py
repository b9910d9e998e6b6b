"""Teams, who belongs to them and with which role, invitations, and provider accounts."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from providers import guard
from teams import crypto


class Team(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("home", kwargs={"team": self.slug})

    @classmethod
    def unique_slug(cls, name: str) -> str:
        base = slugify(name)[:50] or "team"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class TeamQuerySet(models.QuerySet):
    """Rows of one team. Every team-owned model's queryset is one, so the scoping rule
    (teams.scoping.get_for_team, every list) is stated once."""

    def for_team(self, team):
        return self.filter(team=team)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]
        ordering = ["team", "user__username"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    # What a page may offer, asked by templates instead of comparing role strings.
    @property
    def can_change(self) -> bool:
        """Create and run work (member and above); a viewer only reads."""
        return self.has_role(Role.MEMBER)

    @property
    def can_manage(self) -> bool:
        """Provider accounts, webhooks, members and invitations (admin and above)."""
        return self.has_role(Role.ADMIN)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_last_owner(self) -> bool:
        return (
            self.role == Role.OWNER
            and not Membership.objects.filter(team=self.team, role=Role.OWNER)
            .exclude(pk=self.pk)
            .exists()
        )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(TeamQuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def by_token(self, token: str):
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """A single-use link into a team. Only the token's hash is stored: the link is shown
    once to the admin who made it, like a password."""

    DEFAULT_LIFETIME = timedelta(days=7)

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(blank=True, help_text="Who it is for; only a reminder.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation to {self.team} as {self.role}"

    @classmethod
    def create(cls, *, team, role, created_by, email="", lifetime=None):
        """Return (invitation, token); the token exists nowhere else after this call."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            team=team,
            role=role,
            email=email,
            created_by=created_by,
            token_hash=_hash_token(token),
            expires_at=timezone.now() + (lifetime or cls.DEFAULT_LIFETIME),
        )
        return invitation, token

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def accept(self, user) -> Membership | None:
        """Claim the invitation for `user`. Returns None when it was already used, revoked
        or expired; the conditional update makes two simultaneous accepts yield one."""
        now = timezone.now()
        claimed = (
            Invitation.objects.filter(pk=self.pk)
            .pending()
            .update(accepted_at=now, accepted_by=user)
        )
        if not claimed:
            return None
        membership, created = Membership.objects.get_or_create(
            team=self.team, user=user, defaults={"role": self.role}
        )
        if not created and ROLE_RANK[self.role] > ROLE_RANK[membership.role]:
            membership.role = self.role
            membership.save(update_fields=["role"])
        return membership


class Provider(models.TextChoices):
    A2E = "a2e", "A2E"
    RESPEECHER = "respeecher", "Respeecher"
    BURKI = "burki", "Burki"


SECRET_LABELS = {
    Provider.A2E: "API token",
    Provider.RESPEECHER: "API key",
    Provider.BURKI: "API key",
}


class SecretSource(models.TextChoices):
    """How an account's stored key came to Voxboard."""

    ENTERED = "entered", "Entered by hand"
    LOGIN = "login", "Made by Voxboard when connecting with email and password"


def url_origin(url: str) -> str:
    """scheme://host:port of a URL, lower-case, with the scheme's port spelled out; ""
    for one that is not a usable http(s) URL (so it never matches a stored origin)."""
    try:
        host, port = guard.host_port(url or "")
    except guard.UnsafeTarget:
        return ""
    return f"{urlsplit(url).scheme.lower()}://{host}:{port}"


class ProviderAccountQuerySet(TeamQuerySet):
    def of(self, provider: str) -> "ProviderAccount | None":
        """The team's account at `provider` (a team has at most one), or None."""
        return self.filter(provider=provider).first()


class ProviderAccount(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="provider_accounts")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    base_url = models.URLField(max_length=300)
    secret_encrypted = crypto.EncryptedTextField(editable=False)
    secret_last4 = models.CharField(max_length=4, editable=False)
    # The scheme://host:port the key was entered for: it is never sent anywhere else.
    secret_origin = models.CharField(max_length=300, blank=True, editable=False)
    # Whether a person entered the key or Voxboard made it at sign-in: a key made here is
    # used by nothing else, so disconnecting offers to delete it at the provider too.
    secret_source = models.CharField(
        max_length=10, choices=SecretSource.choices, default=SecretSource.ENTERED, editable=False
    )
    # Provider-specific choices, e.g. {"assistants": [1, 2]} for the Burki assistants followed.
    options = models.JSONField(default=dict, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True)
    last_check_message = models.CharField(max_length=500, blank=True)
    credits = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderAccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "provider"], name="one_account_per_provider")
        ]
        ordering = ["team", "provider"]

    def __str__(self):
        return f"{self.get_provider_display()} for {self.team}"

    def get_absolute_url(self):
        return reverse("providers", kwargs={"team": self.team.slug})

    def set_secret(self, plaintext: str, source: str = SecretSource.ENTERED) -> None:
        """Store the key for the base URL the account has now (set that first)."""
        self.secret_encrypted = crypto.encrypt(plaintext)
        self.secret_last4 = plaintext[-4:]
        self.secret_origin = url_origin(self.base_url)
        self.secret_source = source

    @property
    def key_made_here(self) -> bool:
        """Voxboard made the key when someone connected with their email and password."""
        return self.secret_source == SecretSource.LOGIN

    @property
    def key_fits_base_url(self) -> bool:
        """Whether the stored key was entered for this base URL's host: a key is never
        sent to a host it was not entered for, so a changed URL needs the key again."""
        return bool(self.secret_origin) and self.secret_origin == url_origin(self.base_url)

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @property
    def masked_secret(self) -> str:
        return f"••••{self.secret_last4}"

    @property
    def secret_name(self) -> str:
        """What the provider calls the credential."""
        return "Token" if self.provider == Provider.A2E else "API key"

    @property
    def follows_assistants(self) -> bool:
        """Burki keys reach assistants, and the team picks which ones it follows."""
        return self.provider == Provider.BURKI

    @property
    def narrows_voices(self) -> bool:
        """Burki's list of cloned voices narrows itself to a status and a host."""
        return self.provider == Provider.BURKI

    @property
    def followed_assistants(self) -> list[int]:
        return [int(a) for a in self.options.get("assistants", [])]


class BalanceUnit(models.TextChoices):
    """What a provider counts an account's balance in (the keys of ProviderAccount.credits)."""

    COINS = "coins", "coins"
    DIAMONDS = "diamonds", "diamonds"
    CREDITS = "credits", "credits"


class BalancePointQuerySet(TeamQuerySet):
    def older_than(self, when):
        return self.filter(read_at__lt=when)


class BalancePoint(models.Model):
    """One figure of an account's balance as one credits check read it. A check writes a
    point for each figure it read, even one equal to the last: the points are the
    history. Kept for BALANCE_HISTORY_DAYS (teams.connection prunes as it writes)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        ProviderAccount, on_delete=models.CASCADE, related_name="balance_points"
    )
    unit = models.CharField(max_length=20, choices=BalanceUnit.choices)
    amount = models.FloatField()
    read_at = models.DateTimeField(default=timezone.now)

    objects = BalancePointQuerySet.as_manager()

    class Meta:
        ordering = ["account", "unit", "-read_at"]
        indexes = [models.Index(fields=["account", "unit", "-read_at"], name="balance_by_account")]

    def __str__(self):
        return f"{self.amount} {self.unit} of {self.account_id} at {self.read_at:%Y-%m-%d %H:%M}"
