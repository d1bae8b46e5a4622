"""Suggested tags with the alias that matched and where, and bulk tag actions on stories."""


class TaggingMixin:
    tagging_actions: list = []
