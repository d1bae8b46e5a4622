"""Tracking parameters: what campaign and click tools add to the links readers follow to the site (``utm_source``,
Facebook's ``fbclid``, Google's ``gclid``…). They say who sent a reader, never what the reader asked for.

No page reads them, but left in a page's query they would make each shared link a page of its own: Facebook gives
every click its own ``fbclid``, so a story going round social media would miss the page cache on every request
(and fill it with copies), and a search would be ranked again for each click. What a page is asked for is its
``page_query``: the keys of the page cache and of remembered lists, and the links a page builds from its own query
(pagination, the page in other languages), read that instead of ``request.GET``, so the page is the same with
those parameters or without. The request itself is left as it came, and a redirect keeps them for the analytics
of the page it leads to.
"""

import re

from django.http import HttpRequest, QueryDict

# Names, and prefixes ending in "_": Google Analytics and Ads, Facebook, Microsoft, Yandex, X, TikTok, Instagram,
# Mailchimp, Matomo/Piwik, HubSpot, Adobe, Pinterest (the lists of wagtail-cache's WAGTAIL_CACHE_IGNORE_QS and
# Cloudflare's cache, less ``ref``, which a site may use for its own ends). Case-sensitive, as the tools write them.
TRACKING_PARAMETER = re.compile(
    r"(?:utm|mtm|pk|hsa|matomo)_.*"
    r"|_ga|_gl|gclid|gclsrc|dclid|gbraid|wbraid|gad_source|msclkid|yclid|twclid|ttclid|igshid"
    r"|fbclid|fb_source|fb_action_ids|fb_action_types|mc_cid|mc_eid|s_kwcid|epik"
)


def page_query(request: HttpRequest) -> QueryDict:
    """``request.GET`` without its tracking parameters (the same object when it has none)."""
    query = request.GET
    tracking = [name for name in query if TRACKING_PARAMETER.fullmatch(name)]
    if not tracking:
        return query
    query = query.copy()
    for name in tracking:
        del query[name]
    query._mutable = False
    return query
