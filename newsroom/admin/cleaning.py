"""Raw text beside the cleaned story, every removed line with its rule, and re-running the cleaner."""


class CleaningMixin:
    pass
