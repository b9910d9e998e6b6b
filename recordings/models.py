"""Respeecher's workspace mirrored per team: projects, folders, recordings, calibrations."""

from django.db import models
from django.db.models import Count, F, Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from jobs.models import Status
from providers.respeecher import Recording as RemoteRecording
from teams import runs
from teams.models import TeamQuerySet


class MirrorQuerySet(TeamQuerySet):
    def listed(self):
        """Rows the provider still lists: ones it dropped are hidden until deleted."""
        return self.filter(gone_at__isnull=True)


class Mirrored(models.Model):
    """One row per remote record of one account, its raw payload beside typed columns."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("teams.ProviderAccount", on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=64)
    raw = models.JSONField(default=dict)
    # A digest of what the provider said: a sync rewrites a row only when it changes.
    fingerprint = models.CharField(max_length=32)
    first_seen_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(default=timezone.now)
    # Set the first sync that no longer finds it; the next such sync deletes the row.
    gone_at = models.DateTimeField(null=True, blank=True)

    objects = MirrorQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return getattr(self, "name", "") or getattr(self, "label", "") or self.remote_id


def _unique(model_name: str) -> list:
    return [
        models.UniqueConstraint(
            fields=["team", "account", "remote_id"], name=f"one_{model_name}_per_remote_record"
        )
    ]


class ProjectQuerySet(MirrorQuerySet):
    def with_counts(self):
        """Each project's listed recordings, originals and conversions, and when its
        newest one was made, in the same query (Respeecher's own last_recording_at can
        be empty while the project holds recordings)."""
        live = Q(recordings__gone_at__isnull=True)
        conversion = Q(recordings__kind=Recording.Kind.CONVERSION)
        return self.annotate(
            recording_count=Count("recordings", filter=live),
            conversion_count=Count("recordings", filter=live & conversion),
            newest_recording_at=Max("recordings__created_at", filter=live),
        ).annotate(original_count=F("recording_count") - F("conversion_count"))

    def by_activity(self):
        return self.order_by(F("last_recording_at").desc(nulls_last=True), "name", "pk")


class Project(Mirrored):
    # Names people type here; Respeecher publishes no limit, so ours is NAME_MAX.
    NAME_MAX = 100

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=200, blank=True)
    # Respeecher's own link to it ("Open by link" finds a project by this).
    url = models.CharField(max_length=500, blank=True)
    owner = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(null=True, blank=True)
    last_recording_at = models.DateTimeField(null=True, blank=True)
    # When its folders and recordings were last read, and its last_recording_at then:
    # a sync reads the tree again only once that has moved.
    tree_synced_at = models.DateTimeField(null=True, blank=True)
    tree_as_of = models.DateTimeField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = _unique("project")
        indexes = [models.Index(fields=["team", "last_recording_at"], name="project_activity_idx")]

    def get_absolute_url(self):
        return reverse("recordings_project", kwargs={"team": self.team.slug, "project_id": self.pk})

    @property
    def last_made_at(self):
        """When its last recording was made: Respeecher's word, else our newest row's
        (`with_counts`); None only for a project with no recordings."""
        return self.last_recording_at or getattr(self, "newest_recording_at", None)


class FolderQuerySet(MirrorQuerySet):
    def with_counts(self):
        """Each folder's listed originals and conversions, in the same query."""
        live = Q(recordings__gone_at__isnull=True)
        conversion = Q(recordings__kind=Recording.Kind.CONVERSION)
        return self.annotate(
            recording_count=Count("recordings", filter=live),
            conversion_count=Count("recordings", filter=live & conversion),
        ).annotate(original_count=F("recording_count") - F("conversion_count"))


def as_tree(folders) -> list:
    """Folders in tree order (each followed by the folders inside it, by name), each
    with its `depth` (0 at the top); one whose parent is not among them stands at the
    top, and a cycle in bad data ends where it closes."""
    folders = list(folders)
    children: dict = {}
    pks = {f.pk for f in folders}
    for folder in folders:
        parent = folder.parent_id if folder.parent_id in pks else None
        children.setdefault(parent, []).append(folder)
    ordered, seen = [], set()

    def walk(parent, depth):
        for folder in children.get(parent, []):
            if folder.pk in seen:
                continue
            seen.add(folder.pk)
            folder.depth = depth
            ordered.append(folder)
            walk(folder.pk, depth + 1)

    walk(None, 0)
    for folder in folders:  # those only a cycle reaches
        if folder.pk not in seen:
            seen.add(folder.pk)
            folder.depth = 0
            ordered.append(folder)
    return ordered


class Folder(Mirrored):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="folders")
    # Respeecher nests folders; the parent is linked after the whole project is read.
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    parent_remote_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(null=True, blank=True)

    objects = FolderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = _unique("folder")

    def get_absolute_url(self):
        return reverse("recordings_folder", kwargs={"team": self.team.slug, "folder_id": self.pk})

    def with_descendants(self) -> list[int]:
        """Its pk and those of the folders nested in it, at any depth (Respeecher deletes
        a folder with everything inside it)."""
        found, wave = [self.pk], [self.pk]
        while wave:
            wave = list(Folder.objects.filter(parent_id__in=wave).values_list("pk", flat=True))
            wave = [pk for pk in wave if pk not in found]  # a cycle in bad data ends here
            found += wave
        return found


class RecordingQuerySet(MirrorQuerySet):
    def originals(self):
        return self.filter(kind=Recording.Kind.ORIGINAL)

    def search(self, q: str):
        q = (q or "").strip()
        if not q:
            return self
        return self.filter(Q(label__icontains=q) | Q(file_name__icontains=q))

    def filtered(self, params):
        """The originals list's search and filters, from a query string; values it does
        not know are ignored rather than refused (a stale bookmark still opens)."""
        takes = self.search(params.get("q", ""))
        state = params.get("state", "")
        if state in Status.values:
            takes = takes.filter(state=state)
        if params.get("starred") == "1":
            takes = takes.filter(starred=True)
        source = params.get("source", "")
        if source == "tts":
            takes = takes.filter(tts=True)
        elif source == "upload":
            takes = takes.filter(tts=False)
        return takes

    def with_conversion_count(self):
        """Each original's listed conversions, counted in the same query."""
        live = Q(conversions__gone_at__isnull=True, conversions__kind=Recording.Kind.CONVERSION)
        return self.annotate(conversion_count=Count("conversions", filter=live))

    def with_conversions(self):
        """Each original's listed conversions, oldest first, as the list
        `listed_conversions`, in one more query, with only the columns the originals
        list shows. A list rather than the `conversions` manager's cache: filling that
        cache builds a filtered QuerySet per original, which cost more than the query."""
        conversions = (
            Recording.objects.listed()
            .filter(kind=Recording.Kind.CONVERSION)
            .only("original", "remote_id", *Recording.LIST_FIELDS)
            .order_by("created_at", "pk")
        )
        return self.prefetch_related(
            Prefetch("conversions", queryset=conversions, to_attr="listed_conversions")
        )

    def recent_conversions(self):
        """Finished conversions, newest first, with their originals (for the home page)."""
        return (
            self.listed()
            .filter(kind=Recording.Kind.CONVERSION, state=Status.COMPLETED)
            .select_related("original", "team")
            .defer("raw", "original__raw")
            .order_by(F("converted_at").desc(nulls_last=True), "-pk")
        )

    def with_live_orders(self):
        """Each original's orders shown as live job rows (Order.objects.showing), as
        `live_orders`, in one more query."""
        orders = Order.objects.showing().order_by("created_at", "pk")
        return self.prefetch_related(Prefetch("orders", queryset=orders, to_attr="live_orders"))


class Recording(Mirrored):
    """An original take (an upload or text to speech) or a conversion of one."""

    # The columns the originals list shows (recordings/folder.html, recordings/state.html).
    LIST_FIELDS = (
        "label",
        "file_name",
        "tts",
        "starred",
        "state",
        "status",
        "error",
        "created_at",
        "model_id",
        "model_name",
        "note_remote_id",
        "note_text",
    )

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original"
        CONVERSION = "conversion", "Conversion"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recordings")
    folder = models.ForeignKey(
        Folder, on_delete=models.CASCADE, null=True, blank=True, related_name="recordings"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORIGINAL)
    # A conversion's original, linked after the whole project is read (it may come later
    # in the listing); SET_NULL so a conversion outlives a stray deletion of its original.
    original = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversions"
    )
    original_remote_id = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    # Ours (queued/processing/completed/failed); `status` is Respeecher's own word.
    state = models.CharField(max_length=12, choices=Status.choices, blank=True)
    status = models.CharField(max_length=30, blank=True)
    starred = models.BooleanField(default=False)
    tts = models.BooleanField(default=False)
    # The voice a conversion was made with, as Respeecher names it.
    model_id = models.CharField(max_length=64, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    calibration_remote_id = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    # Its note (the payload's `note`), both empty when it has none.
    note_remote_id = models.CharField(max_length=64, blank=True)
    note_text = models.TextField(blank=True)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = _unique("recording")
        indexes = [
            models.Index(fields=["project", "kind"], name="recording_project_kind_idx"),
            models.Index(fields=["folder", "created_at", "id"], name="recording_folder_idx"),
            # The originals list pages newest-mirrored first by id within a folder.
            models.Index(fields=["folder", "kind", "id"], name="recording_folder_kind_idx"),
        ]

    # Respeecher refuses a longer label (docs/upstream/respeecher.md); ours is the same.
    LABEL_MAX = 40
    # Respeecher publishes no limit for a note; ours, checked before anything is sent.
    NOTE_MAX = 1000

    def get_absolute_url(self):
        """The take page: an original's own, a conversion's original's (its anchor)."""
        take_id = self.original_id if self.is_conversion else self.pk
        if take_id is None:
            return ""
        url = reverse("recordings_take", kwargs={"team": self.team.slug, "recording_id": take_id})
        return f"{url}#take-{self.pk}" if self.is_conversion else url

    @property
    def media(self):
        """Its audio and waveform links as the client resolves them (they are gateway
        paths in the payload, absolute only below the account's base URL). Needs `raw`
        and `account` loaded."""
        remote = RemoteRecording.from_raw(self.raw or {}, self.account.base_url)
        return {"audio": remote.url or "", "waveform": remote.waveform_url or ""}

    @property
    def voice_name(self) -> str:
        return self.model_name or self.model_id

    @property
    def is_conversion(self) -> bool:
        return self.kind == self.Kind.CONVERSION

    @property
    def is_failed(self) -> bool:
        return self.state == Status.FAILED

    @property
    def is_completed(self) -> bool:
        return self.state == Status.COMPLETED

    @property
    def is_unfinished(self) -> bool:
        return self.state in (Status.QUEUED, Status.SUBMITTING, Status.PROCESSING)

    @property
    def has_note(self) -> bool:
        return bool(self.note_remote_id)


class Calibration(Mirrored):
    name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=12, choices=Status.choices, blank=True)
    status = models.CharField(max_length=30, blank=True)
    f0 = models.FloatField(null=True, blank=True)
    algorithm = models.CharField(max_length=60, blank=True)
    enabled = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    calibrated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = _unique("calibration")

    def get_absolute_url(self):
        return reverse("recordings_calibrations", kwargs={"team": self.team.slug})

    @property
    def is_ready(self) -> bool:
        return self.state == Status.COMPLETED

    @property
    def is_failed(self) -> bool:
        return self.state == Status.FAILED

    @property
    def state_words(self) -> str:
        """Where it stands, in the calibrations page's words."""
        if self.state == Status.COMPLETED:
            return "Ready"
        if self.state == Status.FAILED:
            return "Failed"
        return "Respeecher is processing it"


class SyncRun(runs.SyncRun):
    """One mirror of an account's workspace, so people can watch it and see how it ended."""

    time_limit_setting = "RECORDINGS_SYNC_TIME_LIMIT"

    projects = models.PositiveIntegerField(default=0)
    projects_read = models.PositiveIntegerField(default=0)
    # Asked to read every project's tree again, not only those with new recordings.
    full = models.BooleanField(default=False)

    def __str__(self):
        return f"Recordings sync of {self.account} ({self.get_status_display()})"


class OrderQuerySet(TeamQuerySet):
    def showing(self):
        """Orders a take's page shows as live job rows: in flight, finished but not yet
        announced (its conversion is mirrored when it is), or failed before Respeecher
        made a conversion to show instead (nothing retried them yet)."""
        from jobs.models import UNFINISHED

        in_flight = Q(job__status__in=UNFINISHED)
        unannounced = ~Q(job__announced=F("job__status"))
        failed_unmade = Q(job__status=Status.FAILED, job__remote_id="", job__retries__isnull=True)
        return self.filter(in_flight | unannounced | failed_unmade).select_related("job").distinct()


def shown_conversions(conversions, orders) -> list:
    """The mirrored conversions a take shows as such: one still being made here (an
    order's job holds its remote id) shows as that order's live row instead."""
    in_flight = {o.job.remote_id for o in orders if o.job.remote_id}
    return [c for c in conversions if c.remote_id not in in_flight]


class Order(models.Model):
    """One conversion asked for here: an original into one voice, followed as a job of
    kind respeecher.conversion. Respeecher's own record of it is a conversion Recording,
    linked once it is mirrored."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="recording_order")
    original = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="orders")
    conversion = models.ForeignKey(
        Recording, on_delete=models.SET_NULL, null=True, blank=True, related_name="made_by"
    )
    voice_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.original} into {self.voice_name}"


class Arrival(models.Model):
    """One original on its way into a folder from here: an uploaded file or text spoken,
    followed as a job, and mirrored into the folder when it ends."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", "Upload"
        SPEECH = "speech", "Speech"

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="arrival")
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="arrivals")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} into {self.folder}"
