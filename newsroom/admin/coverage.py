"""The translation coverage page: stories by languages, missing, present or outdated."""


class CoverageMixin:
    pass
