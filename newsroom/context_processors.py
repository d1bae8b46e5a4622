"""What every public page's layout needs."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from newsroom.models import Topic
from newsroom.querysets import registry


def site(request):
    # Read when a layout shows the topic navigation: once per state of the site's data.
    topics = SimpleLazyObject(lambda: list(registry(Topic).values()))
    return {"site_name": settings.NEWSROOM_SITE_NAME, "nav_topics": topics}
