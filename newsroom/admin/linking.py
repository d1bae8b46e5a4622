"""Related-story suggestions with their reasons, and merging two stories as translations of one."""


class LinkingMixin:
    pass
