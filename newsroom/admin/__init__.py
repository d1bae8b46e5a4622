"""The editors' desk: the Django admin, one module per part of an editor's day.

articles.py  ArticleAdmin, composed of the mixins below (each owns its views, actions and links)
listing.py   the story list: columns, language badges, filters, search across languages
workflow.py  statuses, scheduling, roles enforced on the server, safe concurrent editing, revisions
cleaning.py  raw beside cleaned, removed lines and their rules, re-running the cleaner
tagging.py   suggested tags with evidence, bulk tag actions; the tag registry's admin
linking.py   related-story suggestions with reasons, merging two stories as translations
coverage.py  the translation coverage page (stories x languages)
desk.py      the dashboard on the admin index
ledger.py    the import ledger, read-only
"""

from newsroom.admin import articles, ledger, registry  # noqa: F401 - importing registers the admins
