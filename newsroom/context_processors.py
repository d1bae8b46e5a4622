"""What every public page's layout needs."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from newsroom.cache import remember
from newsroom.models import Topic


def site(request):
    # Read when a layout shows the topic navigation: once per state of the site's data.
    topics = SimpleLazyObject(lambda: remember("nav-topics", lambda: list(Topic.objects.all())))
    return {"site_name": settings.NEWSROOM_SITE_NAME, "nav_topics": topics}
