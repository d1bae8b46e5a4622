"""modeltranslation registrations: which fields exist once per content language."""

from modeltranslation.translator import TranslationOptions, register

from newsroom.models import Article, ArticleImage, Tag, Topic


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "lead", "body")


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ArticleImage)
class ArticleImageTranslationOptions(TranslationOptions):
    fields = ("caption", "alt_text")
