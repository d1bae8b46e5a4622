"""The content model: stories, their sources, the topic/tag registry and the import ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from newsroom.images import BoundedImageField, validate_image_extension, validate_image_file
from newsroom.languages import column, content_languages
from newsroom.paths import localized_path
from newsroom.querysets import ArticleQuerySet
from newsroom.slugs import headline_slug
from newsroom.text import match_key


class Outlet(models.Model):
    """A publication stories come from (the source)."""

    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, help_text="Host name without www, e.g. baobacninhtv.vn")
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["domain"], condition=~Q(domain=""), name="outlet_unique_domain"),
        ]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A section of the site; stories are classified into topics by keywords."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name or self.slug

    def get_absolute_url(self, language: str | None = None) -> str:
        return localized_path("newsroom:topic-detail", language or translation.get_language(), slug=self.slug)


class TopicKeyword(models.Model):
    """A phrase that counts towards a topic when a story mentions it, in any language."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="keywords")
    phrase = models.CharField(max_length=200)
    language = models.CharField(max_length=10, blank=True, help_text="Informational: the language the phrase is in.")
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["topic", "language", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "phrase"], name="topickeyword_unique_phrase"),
        ]

    def __str__(self):
        return self.phrase


class Tag(models.Model):
    """A place, body, person, programme or subject that stories mention."""

    class Kind(models.TextChoices):
        PLACE = "place", _("place")
        ORGANISATION = "organisation", _("organisation")
        PERSON = "person", _("person")
        PROGRAMME = "programme", _("programme")
        SUBJECT = "subject", _("subject")

    slug = models.SlugField(max_length=100, unique=True, help_text="ASCII, from the English name.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.SUBJECT)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implied_by_tags",
        help_text="Mentions of this tag count towards this topic (a Lao province: cross-border cooperation).",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name or self.slug

    def get_absolute_url(self, language: str | None = None) -> str:
        return localized_path("newsroom:tag-detail", language or translation.get_language(), slug=self.slug)


class TagAlias(models.Model):
    """A spelling of a tag in any script; an alias points at exactly one tag."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, editable=False, help_text="Case- and width-folded form used for matching.")

    class Meta:
        ordering = ["tag", "name"]
        constraints = [models.UniqueConstraint(fields=["key"], name="tagalias_unique_key")]
        verbose_name_plural = "tag aliases"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = match_key(self.name)
        super().save(*args, **kwargs)


class Article(models.Model):
    """A story, in its original language and its translations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    title = models.CharField(max_length=400, blank=True)
    lead = models.TextField(blank=True)
    body = models.TextField(blank=True)
    original_language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    title_provisional = models.BooleanField(
        default=False, help_text="The headline was made from the first sentence: an editor should write one."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    primary_topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="primary_articles"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    # NULL, not "", when unknown: NULLs are distinct, so one plain unique index serves lookups and the rule.
    source_url = models.URLField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    original_published_on = models.DateField(null=True, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every save; guards concurrent edits.")
    language_versions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="For each language, the version at which its text last changed: a translation older "
        "than the original is outdated.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_url"], name="article_unique_source_url"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "published", "archived"]), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="article_published_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_status_published_idx"),
            models.Index(fields=["-created_at", "-id"], name="article_created_idx"),
            # Whether a story is public, answered from the index alone (PostgreSQL; SQLite has no INCLUDE and
            # skips it): search checks that for each of thousands of matching documents.
            models.Index(fields=["id"], include=["status", "published_at"], name="article_visible_idx"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and archive stories"),
            ("translate_article", "Can edit the translations of stories"),
        ]

    def __str__(self):
        return self.headline() or f"Article {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        loaded = getattr(self, "_loaded_texts", {})
        for language, texts in self._texts().items() if loaded is not None else ():
            if texts != loaded.get(language, ("", "", "")) and any(texts):
                self.language_versions = {**self.language_versions, language: self.version}
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "language_versions"}
        super().save(*args, **kwargs)
        self._loaded_texts = self._texts()

    def get_absolute_url(self, language: str | None = None) -> str:
        """The story's page in ``language`` (the active language by default), slugged from the headline shown
        there: a language the story lacks shows, and is slugged from, the original."""
        language = language or translation.get_language()
        return localized_path(
            "newsroom:article-detail", language, pk=self.pk, slug=headline_slug(self.headline(language))
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember the texts as loaded, to tell which languages a save changes; not when some
        # were deferred (reading them would cost a query each).
        complete = _TEXT_COLUMNS.issubset(field_names)
        article._loaded_texts = article._texts() if complete else None
        return article

    def _texts(self) -> dict[str, tuple[str, str, str]]:
        return {
            language: (getattr(self, title) or "", getattr(self, lead) or "", getattr(self, body) or "")
            for language, (title, lead, body) in _TEXT_COLUMNS_BY_LANGUAGE.items()
        }

    def outdated_languages(self) -> list[str]:
        """Translations written before the original last changed."""
        original = self.language_versions.get(self.original_language, 0)
        return [
            lang
            for lang in self.languages()
            if lang != self.original_language and self.language_versions.get(lang, 0) < original
        ]

    def languages(self) -> list[str]:
        """The languages this story exists in, the original first."""
        present = [lang for lang in content_languages() if getattr(self, column("title", lang), "")]
        return sorted(present, key=lambda lang: lang != self.original_language)

    def localized(self, field: str, language: str | None = None) -> str:
        """A translated field in ``language``, or in the original language when that version is missing."""
        for lang in (language, self.original_language):
            if lang and (value := getattr(self, column(field, lang), "")):
                return value
        return ""

    def shown_language(self, language: str) -> str:
        """The language a reader of ``language`` is shown: that one if the story exists in it, else the original."""
        return language if getattr(self, column("title", language), "") else self.original_language

    def headline(self, language: str | None = None) -> str:
        return self.localized("title", language)

    def summary(self, language: str | None = None) -> str:
        return self.localized("lead", language)


class Revision(models.Model):
    """A saved state of a story: who, when, what changed, and everything needed to restore it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField(help_text="Every field of the story, all languages, its links and images.")
    changed = models.JSONField(default=list, blank=True, help_text="Fields that differ from the previous revision.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["article_id", "-version", "-pk"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="revision_unique_version")]

    def __str__(self):
        return f"{self.article_id} v{self.version}"


# Each content language's title, lead and body columns: every story loaded whole reads them (``from_db``).
_TEXT_COLUMNS_BY_LANGUAGE = {
    language: tuple(column(field, language) for field in ("title", "lead", "body")) for language in content_languages()
}
_TEXT_COLUMNS = {name for columns in _TEXT_COLUMNS_BY_LANGUAGE.values() for name in columns}


class ArticleImage(models.Model):
    """A picture of a story; imports create it from caption lines even when no file came with them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    image = BoundedImageField(
        upload_to="articles/%Y/%m/", blank=True, validators=[validate_image_extension, validate_image_file]
    )
    source_name = models.CharField(max_length=500, blank=True, help_text="File name or URL the import saw, if any.")
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["article_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "position"], name="articleimage_unique_position")]

    def __str__(self):
        return self.caption[:80] or self.source_name or f"Image {self.position}"


class SearchDocument(models.Model):
    """One language version of a story as search tokens (``newsroom.search.tokens``), kept in step with the
    story and its tags by ``newsroom.search``. SQLite indexes it with an FTS5 table, PostgreSQL with a
    generated tsvector column and a GIN index (migration 0004)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_documents")
    language = models.CharField(max_length=10)
    document = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="searchdocument_unique_language"),
        ]

    def __str__(self):
        return f"{self.article_id}:{self.language}"


class RawDocument(models.Model):
    """The import ledger: one row per distinct file received, kept forever."""

    class Status(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        TRANSLATION_ADDED = "translation-added", _("translation added")
        UNCHANGED = "unchanged", _("unchanged")
        REJECTED = "rejected", _("rejected")

    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    encoding = models.CharField(max_length=20, blank=True)
    raw_text = models.TextField(blank=True, help_text="The text as decoded, before any normalisation.")
    raw_bytes = models.BinaryField(null=True, blank=True, help_text="The bytes, kept when they could not be decoded.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True, help_text="SHA-256 of the cleaned text.")
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status)
    reason = models.CharField(max_length=40, blank=True, help_text="Why the file was rejected (a code).")
    message = models.TextField(blank=True)
    removed_lines = models.JSONField(
        default=list, blank=True, help_text="Every line the cleaner removed, with its rule."
    )
    extracted = models.JSONField(default=dict, blank=True, help_text="What the cleaner made of the file.")
    classification = models.JSONField(
        default=dict, blank=True, help_text="Topic scores and tag matches, with evidence."
    )
    written = models.JSONField(
        default=dict,
        blank=True,
        help_text="Fingerprints of the values this import wrote, to tell editors' changes apart.",
    )
    conflicts = models.JSONField(
        default=list, blank=True, help_text="Fields an editor had changed, kept as the editor left them."
    )
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="raw_documents")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["created", "updated", "translation-added", "unchanged", "rejected"]),
                name="rawdocument_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="rawdocument_rejection_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["article", "language", "-created_at"], name="rawdocument_article_lang_idx")]

    def __str__(self):
        return self.file_name


class PendingInvalidation(models.Model):
    """An invalidation of the public pages that a process owed and could not make, as the shared cache (Redis)
    was out of its reach: kept here so that any process that reaches the cache makes it (``newsroom.cache``),
    not only the one that owes it, which may never reach it again (an instance cut off from Redis, a command
    that exits first)."""

    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Invalidation owed since {self.recorded_at:%Y-%m-%d %H:%M:%S}"
