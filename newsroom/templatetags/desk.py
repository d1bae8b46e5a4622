"""The desk dashboard on the admin index: ``{% load desk %}{% desk_dashboard %}``."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.contrib.auth import get_permission_codename
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from newsroom import dashboard
from newsroom.languages import content_languages
from newsroom.models import Article, RawDocument

register = template.Library()


def can_view(user, model: type[Model]) -> bool:
    """Whether ``user`` may see ``model`` in the admin (view or change permission, as ModelAdmin decides)."""
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}") for action in ("view", "change")
    )


@register.simple_tag(takes_context=True)
def desk_dashboard(context) -> SafeString | str:
    """The dashboard for users who may view stories, nothing for the others; a fixed number of queries."""
    request = context["request"]
    if not can_view(request.user, Article):
        return ""
    names = [get_language_info(code)["name_translated"] for code in content_languages()]
    topics = dashboard.stories_per_topic()
    per_language = dashboard.stories_per_language(topics)
    no_topic = _("No topic")
    show_imports = can_view(request.user, RawDocument)
    return render_to_string(
        "admin/newsroom/_dashboard.html",
        {
            "languages": list(zip(content_languages(), names, strict=True)),
            "topics": topics,
            "per_language": per_language,
            "topic_chart": dashboard.BarChart.of(
                "chart-topics",
                _("Stories per topic"),
                [(str(row.topic) if row.topic else no_topic, row.total) for row in topics],
            ),
            "language_chart": dashboard.BarChart.of(
                "chart-languages", _("Stories per language"), zip(names, per_language, strict=True)
            ),
            "attention": attention_links(dashboard.needs_attention()),
            "show_imports": show_imports,
            "imports": dashboard.latest_imports() if show_imports else [],
            "rejections": dashboard.latest_rejections() if show_imports else [],
            "rejected_url": changelist("rawdocument", status__exact=RawDocument.Status.REJECTED),
        },
        request=request,
    )


def changelist(model_name: str, /, **params: object) -> str:
    """The admin changelist of a newsroom model, filtered by ``params``."""
    url = reverse(f"admin:newsroom_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def attention_links(attention: dashboard.Attention) -> list[tuple[str, int, str]]:
    """(label, count, url) for each kind of story waiting on the desk."""
    coverage = reverse("admin:newsroom_article_coverage")
    return [
        (
            _("Provisional headlines"),
            attention.provisional_headlines,
            changelist("article", title_provisional__exact=1),
        ),
        (_("Import conflicts"), attention.conflicts, changelist("rawdocument", conflicts__0__isnull=False)),
        (_("No topic"), attention.no_topic, changelist("article", primary_topic__isnull=True)),
        (_("Outdated translations"), attention.outdated, f"{coverage}?{urlencode({'outdated': 'on'})}"),
        (_("Drafts"), attention.drafts, changelist("article", status__exact=Article.Status.DRAFT)),
        (_("In review"), attention.in_review, changelist("article", status__exact=Article.Status.IN_REVIEW)),
        (
            _("Scheduled"),
            attention.scheduled,
            changelist("article", status__exact=Article.Status.PUBLISHED, published_at__gt=timezone.now().isoformat()),
        ),
    ]
