"""The editors' desk: the Django admin, one module per part of an editor's day.

articles.py  ArticleAdmin, composed of the mixins below (each owns its views, actions and links)
base.py      what the mixins share (tool links, permission helpers, lists safe from forged input, atomic actions)
registry.py  tags (aliases, merging), topics (keywords), outlets
listing.py   the story list: columns, language badges, filters, search across languages
workflow.py  statuses, scheduling, roles enforced on the server, safe concurrent editing, revisions
cleaning.py  raw beside cleaned, removed lines and their rules, re-running the cleaner
tagging.py   suggested tags with the alias that matched and where (bulk tag actions: listing.py)
linking.py   related-story suggestions with reasons, merging two stories as translations
coverage.py  the translation coverage page (stories x languages)
(the dashboard on the admin index: newsroom/dashboard.py, templatetags/desk.py, templates/admin/index.html)
ledger.py    the import ledger, read-only
throttling.py  whom the login throttling (django-axes) counts failed logins against: address, username
"""

from newsroom.admin import articles, ledger, registry  # noqa: F401 - importing registers the admins
