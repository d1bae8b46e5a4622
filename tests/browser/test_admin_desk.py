"""The editors' desk in a real browser."""

import pytest
from django.contrib.auth.models import User

from newsroom.models import Article

pytestmark = pytest.mark.browser


def tab_state(page) -> dict:
    """Order, labels and active tab of the first translation tab set (the headline's)."""
    return page.evaluate(
        """() => {
            const tabs = document.querySelector('.ui-tabs');
            const items = Array.from(tabs.querySelectorAll(':scope > ul > li'));
            return {
                order: items.map(li => li.dataset.deskLanguage),
                empty: items.filter(li => li.classList.contains('desk-tab-empty')).map(li => li.dataset.deskLanguage),
                active: tabs.querySelector(':scope > ul > li.ui-tabs-active').dataset.deskLanguage,
            };
        }"""
    )


def test_translation_tabs_put_the_original_first(live_server, page, published_seeds, log_in, page_errors, screenshot):
    """On a Hindi story the Hindi tab comes first, empty languages say so, and ?tab=en opens English;
    jQuery UI is served locally (no request leaves the machine) and no script fails."""
    log_in(User.objects.create_superuser("editor"))
    story = Article.objects.get(source_url__contains="postid430336")
    page.goto(f"{live_server.url}/admin/newsroom/article/{story.pk}/change/?tab=en")
    page.wait_for_selector(".ui-tabs")
    state = tab_state(page)
    assert state["order"][0] == "hi"
    assert "en" in state["empty"] and "hi" not in state["empty"]
    assert state["active"] == "en"
    screenshot("admin-change-form-tabs")
    assert page_errors == []
