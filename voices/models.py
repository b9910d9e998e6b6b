"""The voice catalog: one row per voice a team can reach at any provider, mirrored from it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from core.paging import rows_after
from teams import runs
from teams.models import Provider, TeamQuerySet
from voices.search import SEPARATORS, page_rows, search_names


class Kind(models.TextChoices):
    PUBLIC = "public", "Public"
    CLONE = "clone", "Clone"


class QualityBand(models.TextChoices):
    """Burki's documented bands of a cloned voice's quality score (0.0 to 1.0), said as
    people read a score: in per cent."""

    EXCELLENT = "excellent", "Excellent (90% and over)"
    GOOD = "good", "Good (80-89%)"
    FAIR = "fair", "Fair (70-79%)"
    POOR = "poor", "Poor (under 70%)"


# The words for the providers' own codes of a voice's traits, for filters and pages;
# a code not listed here reads as itself with a capital letter (voice_word).
GENDERS = {"female": "Female", "male": "Male", "neutral": "Neutral"}
AGE_GROUPS = {"child": "Child", "young": "Young", "adult": "Adult", "senior": "Senior"}
PITCH_GROUPS = {"low": "Low", "mid": "Middle", "high": "High"}
# Where Burki hosts a cloned voice.
HOSTS = {"elevenlabs": "ElevenLabs", "resemble": "Resemble AI", "inworld": "Inworld"}
# A Burki cloned voice's `status` codes (docs/upstream/burki.md), in the catalog's words;
# the codes are also what Burki's list takes to narrow itself.
BURKI_STATUSES = {
    "ready": "Ready",
    "processing": "Training",
    "failed": "Failed",
    "archived": "Archived",
}
# A Burki voice sample's `status` codes (docs/upstream/burki.md), in people's words.
BURKI_SAMPLE_STATUSES = {
    "uploaded": "Uploaded",
    "processing": "Being cloned",
    "ready": "Cloned",
    "failed": "Failed",
}


def voice_word(table: dict[str, str], code: str) -> str:
    """A provider's code for a trait in people's words: "female" reads "Female"."""
    code = (code or "").strip()
    return table.get(code.lower()) or code[:1].upper() + code[1:]


def quality_band(score: float | None) -> str:
    if score is None:
        return ""
    if score >= 0.9:
        return QualityBand.EXCELLENT
    if score >= 0.8:
        return QualityBand.GOOD
    if score >= 0.7:
        return QualityBand.FAIR
    return QualityBand.POOR


# Sort keys people can choose; each ends with the primary key so keyset pages are exact.
# Names are ordered by sort_key: without case (A to Z; any letter on PostgreSQL) and
# without the punctuation they start with, by code point (voices/search.py).
SORTS = {
    "name": ("sort_key", "pk"),
    "-name": ("-sort_key", "-pk"),
    "provider": ("provider", "sort_key", "pk"),
    "newest": ("-first_seen_at", "-pk"),
}


UNUSED_AFTER = timedelta(days=30)
# The word Burki and A2E use for a voice that could not be made (`status` keeps the
# provider's own words).
PROVIDER_FAILED = "failed"
BURKI_READY = "ready"
# What voices.sync writes for a Respeecher voice its marketplace marks not available.
RESPEECHER_UNAVAILABLE = "unavailable"
# A voice's `status` (the provider's own word, or sync's) as the pages say it.
STATUS_LABELS = {
    "available": "Ready",
    "completed": "Ready",
    BURKI_READY: "Ready",
    "sent": "Training",
    "processing": "Training",
    PROVIDER_FAILED: "Failed",
    "archived": "Archived",
    RESPEECHER_UNAVAILABLE: "Not available",
}


class BurkiQuerySetMixin:
    def needs_attention(self, now=None):
        """Burki voices someone should look at: failed, poor, never or long unused."""
        now = now or timezone.now()
        ready = Q(status=BURKI_READY)
        return self.filter(provider=Provider.BURKI).filter(
            Q(status=PROVIDER_FAILED)
            | Q(quality_band=QualityBand.POOR)
            | ready & Q(last_used_at__isnull=True)
            | ready & Q(last_used_at__lt=now - UNUSED_AFTER)
        )

    def by_host(self):
        """How many voices each Burki host has, their average quality and total use."""
        return (
            self.filter(provider=Provider.BURKI)
            .values("host")
            .annotate(
                voices=models.Count("id"),
                average_quality=models.Avg("quality_score"),
                syntheses=models.Sum("synthesis_count"),
            )
            .order_by("host")
        )


# The one rule for which voices Voxboard's text-to-speech page can use: ready ones of A2E
# (public TTS voices and clones) and Respeecher's voices with a narration style; not
# Respeecher's v1 text-to-speech voices, and not Burki's clones (Burki speaks them only
# in calls).
SPEAKS_HERE = Q(can_speak=True) & (
    Q(provider=Provider.A2E) | Q(provider=Provider.RESPEECHER, tts_list=False)
)

# The pill colour each of the status words is shown in.
STATUS_TONES = {"Ready": "completed", "Failed": "failed"}


class VoiceQuerySet(BurkiQuerySetMixin, TeamQuerySet):
    # The words of a search (search()), kept through further filters for keyset_rows().
    _name_words: tuple[str, ...] = ()

    def _clone(self):
        clone = super()._clone()
        clone._name_words = self._name_words
        return clone

    def keyset_rows(self, ordering, after, limit):
        """A page for core.paging.keyset_page: a search's through its index
        (voices/search.py), any other as the queryset reads it."""
        if self._name_words:
            return page_rows(self, ordering, after, limit)
        return rows_after(self, after, limit)

    def listed(self):
        """Voices the provider still lists: the catalog hides the ones gone upstream."""
        return self.filter(gone_at__isnull=True)

    def speakable(self):
        """The ones Voxboard's text-to-speech page can use (SPEAKS_HERE)."""
        return self.filter(SPEAKS_HERE)

    def with_speech(self):
        """Each voice marked `speaks` by the same rule as speakable(), so a page offers
        "Speak" for exactly the voices the speech form lists."""
        return self.annotate(speaks=ExpressionWrapper(SPEAKS_HERE, output_field=BooleanField()))

    def convertible(self):
        """Respeecher's marketplace voices that originals can be converted into now (its
        text-to-speech voices only speak text; an unavailable voice takes no orders)."""
        return self.filter(provider=Provider.RESPEECHER, tts_list=False).exclude(
            status=RESPEECHER_UNAVAILABLE
        )

    def search(self, q: str):
        """The voices whose names hold every word of `q` at the start of one of their
        words, through the name index (voices/search.py); blank `q` narrows nothing."""
        return search_names(self, q)

    def filtered(self, params) -> "VoiceQuerySet":
        """Apply the catalog's filters from a GET mapping; unknown values match nothing."""
        qs = self.search(params.get("q", ""))
        for field in ("provider", "kind", "language", "gender", "status", "age_group", "host"):
            value = params.get(field, "")
            if value:
                qs = qs.filter(**{field: value})
        if params.get("pitch_group"):
            qs = qs.filter(pitch_group=params["pitch_group"])
        if params.get("quality"):
            qs = qs.filter(quality_band=params["quality"])
        if params.get("favorites"):
            qs = qs.filter(favorite=True)
        return qs


class CodePointCharField(models.CharField):
    """Text compared by code point on both databases: SQLite's BINARY, and "C" on
    PostgreSQL, whatever collation the database was made with. voices/search.py reads
    the names beginning with a word as one range of them, and merges ranges in Python."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class Voice(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="voices")
    account = models.ForeignKey(
        "teams.ProviderAccount", on_delete=models.CASCADE, related_name="voices"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    # The provider's id, unique within its list (tts_list says which of two).
    remote_id = models.CharField(max_length=120)
    # From the provider's own list of text-to-speech voices (A2E's public voices,
    # Respeecher's v1 ones), whose ids are a space apart from its other voices'.
    tts_list = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # What the catalog orders names by and finds their beginnings in (voices/search.py).
    sort_key = models.GeneratedField(
        expression=Lower(Func(F("name"), Value(SEPARATORS), function="LTRIM")),
        output_field=CodePointCharField(max_length=200),
        db_persist=True,
    )
    language = models.CharField(max_length=40, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    # The provider's own word for the voice's state ("completed", "ready", "public"...).
    status = models.CharField(max_length=30, blank=True)
    # Can it speak text now (a finished clone or a public TTS voice)?
    can_speak = models.BooleanField(default=False)
    age_group = models.CharField(max_length=30, blank=True)
    pitch_group = models.CharField(max_length=30, blank=True)
    quality_score = models.FloatField(null=True, blank=True)
    quality_band = models.CharField(max_length=10, choices=QualityBand.choices, blank=True)
    synthesis_count = models.PositiveIntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    assistant_id = models.BigIntegerField(null=True, blank=True)
    # The Burki assistant's name as Burki last gave it, so pages name it without asking.
    assistant_name = models.CharField(max_length=200, blank=True)
    # Where Burki hosts a cloned voice (elevenlabs, resemble, inworld).
    host = models.CharField(max_length=30, blank=True)
    sample_url = models.URLField(max_length=1000, blank=True)
    # A sample can be fetched on request (Respeecher keeps one per accent).
    has_sample = models.BooleanField(default=False)
    # Respeecher's favourite lives upstream; elsewhere this is a local star.
    favorite = models.BooleanField(default=False)
    raw = models.JSONField(default=dict)
    # A digest of what the provider said: a sync rewrites a row only when it changes.
    fingerprint = models.CharField(max_length=32)
    first_seen_at = models.DateTimeField()
    synced_at = models.DateTimeField()
    gone_at = models.DateTimeField(null=True, blank=True)

    objects = VoiceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "provider", "tts_list", "remote_id"],
                name="one_voice_per_remote_record",
            )
        ]
        indexes = [
            models.Index(
                fields=["team", "sort_key", "id"],
                condition=Q(gone_at__isnull=True),
                name="voice_catalog_sort_idx",
            ),
            models.Index(fields=["account", "remote_id"], name="voice_account_remote_idx"),
            # A team's clones by name (the speech form's list, the catalog's Clones
            # filter): a few among 100,000, which walking the catalog's index finds late.
            models.Index(
                fields=["team", "sort_key", "id"],
                condition=Q(gone_at__isnull=True, kind="clone"),
                name="voice_clone_sort_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.provider})"

    def get_absolute_url(self):
        return reverse("voice_detail", kwargs={"team": self.team.slug, "voice_id": self.pk})

    @cached_property
    def speaks_here(self) -> bool:
        """Can Voxboard's text-to-speech page use it: the `speaks` of with_speech() when
        the row was read with it, else asked of the database by the same rule."""
        if hasattr(self, "speaks"):
            return bool(self.speaks)
        return type(self).objects.filter(pk=self.pk).speakable().exists()

    @property
    def deletable_here(self) -> bool:
        """Only A2E clones are deleted from Voxboard (at A2E first)."""
        return self.provider == Provider.A2E and self.kind == Kind.CLONE

    @property
    def keeps_settings_upstream(self) -> bool:
        """Respeecher keeps favourites and accent settings itself, per voice."""
        return self.provider == Provider.RESPEECHER

    @cached_property
    def accents(self) -> list[dict]:
        """A Respeecher voice's accents as its page shows them: id, name, locale, whether
        it is the default, the account's favourite, and its semitone correction."""
        found = []
        for item in self._raw_items("accents"):
            info = item.get("info") if isinstance(item.get("info"), dict) else {}
            settings = self._settings(item)
            found.append(
                {
                    "id": str(item["id"]),
                    "name": info.get("name") or info.get("short_name") or "",
                    "locale": info.get("locale") or "",
                    "is_default": bool(item.get("is_default")),
                    "favourite": bool(settings.get("favorite")),
                    "semitones": settings.get("semitones_correction") or 0,
                }
            )
        return found

    @cached_property
    def narration_styles(self) -> list[dict]:
        """A Respeecher voice's narration styles as its page shows them (the name is
        `name` to the official client, `info.name` in seed 003)."""
        found = []
        for item in self._raw_items("narration_styles"):
            info = item.get("info") if isinstance(item.get("info"), dict) else {}
            tags = [t.get("name") for t in item.get("tags") or [] if isinstance(t, dict)]
            found.append(
                {
                    "id": str(item["id"]),
                    "name": item.get("name") or info.get("name") or "",
                    "is_default": bool(item.get("is_default")),
                    "favourite": bool(self._settings(item).get("favorite")),
                    "tags": [t for t in tags if t],
                }
            )
        return found

    def _raw_items(self, key: str) -> list[dict]:
        if self.provider != Provider.RESPEECHER or not isinstance(self.raw, dict):
            return []
        return [i for i in self.raw.get(key) or [] if isinstance(i, dict) and i.get("id")]

    @staticmethod
    def _settings(item: dict) -> dict:
        return item.get("settings") if isinstance(item.get("settings"), dict) else {}

    @property
    def is_failed(self) -> bool:
        return self.status == PROVIDER_FAILED

    @property
    def failure_reason(self) -> str:
        """Why the provider could not make this voice, as its record says; "" when it
        did not fail or gave no reason."""
        if not self.is_failed:
            return ""
        if self.provider == Provider.A2E:
            from providers.a2e import Voice as A2EVoice

            return A2EVoice.from_raw(self.raw).failed_message or ""
        if self.provider == Provider.BURKI:
            return str(self.raw.get("error_message") or "")
        return ""

    @property
    def failure_advice(self) -> str:
        """What to do about a clone that failed, in the words its clone job uses."""
        from voices.kinds import A2E_CLONE_TIPS, BURKI_CLONE_TIPS

        if not self.is_failed:
            return ""
        return {Provider.A2E: A2E_CLONE_TIPS, Provider.BURKI: BURKI_CLONE_TIPS}.get(
            self.provider, ""
        )

    @property
    def clone_again_url_name(self) -> str:
        """The page that clones a voice at this voice's provider, when it has one here."""
        return {Provider.A2E: "voices_clone", Provider.BURKI: "voices_burki_clone"}.get(
            self.provider, ""
        )

    @property
    def status_label(self) -> str:
        """The voice's state in people's words; the provider's own word is in Details."""
        if not self.status:
            return "Ready" if self.can_speak else "—"
        return STATUS_LABELS.get(self.status, "Unknown")

    @property
    def status_tone(self) -> str:
        """The pill colour of status_label, so the colour never says other than the word."""
        return STATUS_TONES.get(self.status_label, "processing")

    @property
    def gender_label(self) -> str:
        return voice_word(GENDERS, self.gender)

    @property
    def age_group_label(self) -> str:
        return voice_word(AGE_GROUPS, self.age_group)

    @property
    def pitch_group_label(self) -> str:
        return voice_word(PITCH_GROUPS, self.pitch_group)

    @property
    def host_label(self) -> str:
        return voice_word(HOSTS, self.host)

    @property
    def quality_word(self) -> str:
        """The quality band in one word: "Good"."""
        return self.get_quality_band_display().split(" (")[0] if self.quality_band else ""

    @property
    def quality_said(self) -> str:
        """Burki's quality score as a person reads it: "Good (87%)"; "" without a score."""
        if self.quality_score is None:
            return ""
        percent = f"{round(self.quality_score * 100)}%"
        return f"{self.quality_word} ({percent})" if self.quality_word else percent

    @property
    def is_poor_quality(self) -> bool:
        return self.quality_band == QualityBand.POOR

    def set_favorite(self, wanted: bool) -> str:
        """Star or unstar it. Respeecher keeps favourites itself, so it is asked first
        and its answer is what we store. Returns Respeecher's refusal, or ""."""
        if wanted == self.favorite:
            return ""
        if self.provider == Provider.RESPEECHER:
            from providers import UpstreamError
            from teams.connection import client_for

            try:
                answer = client_for(self.account).favorite_voice(self.remote_id, favorite=wanted)
            except UpstreamError as exc:
                return exc.message
            if answer.favorite is not None:
                wanted = bool(answer.favorite)
        Voice.objects.filter(pk=self.pk).update(favorite=wanted)
        self.favorite = wanted
        return ""


class SyncRun(runs.SyncRun):
    """One refresh of an account's voices, so people can watch it and see how it ended.
    A Burki refresh may be narrowed to one status and one host, which Burki's list is
    then asked for (blank: all of them)."""

    time_limit_setting = "VOICES_SYNC_TIME_LIMIT"

    only_status = models.CharField(max_length=20, blank=True)
    only_host = models.CharField(max_length=30, blank=True)

    @property
    def narrowing(self) -> dict[str, str]:
        """What sync.sync_account is asked to narrow this run to."""
        return {"status": self.only_status, "host": self.only_host}

    @property
    def narrowing_said(self) -> str:
        """ "ready voices hosted at ElevenLabs", or "" for a whole refresh."""
        if not (self.only_status or self.only_host):
            return ""
        said = voice_word(BURKI_STATUSES, self.only_status).lower() if self.only_status else ""
        said = f"{said} voices" if said else "voices"
        if self.only_host:
            said += f" hosted at {voice_word(HOSTS, self.only_host)}"
        return said

    def __str__(self):
        return f"Voice sync of {self.account} ({self.get_status_display()})"


class Generation(models.Model):
    """One text-to-speech request: what was said, by which voice, who asked; its audio is
    the result file of its job, copied into our storage."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    voice = models.ForeignKey(
        Voice, on_delete=models.SET_NULL, null=True, blank=True, related_name="generations"
    )
    voice_name = models.CharField(max_length=200)
    text = models.TextField()
    speech_rate = models.FloatField(default=1.0)
    country = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=20, blank=True)
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="generation")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.voice_name}: {self.text[:40]}"


class Clone(models.Model):
    """One voice cloned here (at A2E or Burki), followed as a job; linked to the voice it
    made once that is in the catalog."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="clone")
    voice = models.ForeignKey(
        Voice, on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    name = models.CharField(max_length=200)
    # The Burki voice sample it was cloned from: the one chosen, or the one its job
    # uploaded (set once uploaded). Burki's voice records do not name their sample, so
    # this is how clones of one sample are compared.
    burki_sample_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def host_label(self) -> str:
        """Where Burki hosts it: its voice's host, else the one its job asked for."""
        host = (self.voice.host if self.voice else "") or (self.job.params or {}).get("provider")
        return voice_word(HOSTS, host) if host else ""
