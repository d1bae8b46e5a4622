"""What every public page's layout needs."""

from django.conf import settings

from newsroom.models import Topic


def site(request):
    # A lazy queryset: evaluated once, by the pages whose layout shows the topic navigation.
    return {"site_name": settings.NEWSROOM_SITE_NAME, "nav_topics": Topic.objects.all()}
