"""Tracking parameters: left out of what a page is asked for (``newsroom.tracking``)."""

import pytest
from django.test import RequestFactory

from newsroom.tracking import page_query


@pytest.mark.parametrize(
    "name",
    [
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "fbclid",
        "gclid",
        "msclkid",
        "_ga",
        "_gl",
        "mc_cid",
        "mc_eid",
        "mtm_campaign",
        "pk_kwd",
        "hsa_acc",
        "igshid",
        "ttclid",
        "twclid",
        "yclid",
    ],
)
def test_tracking_parameters_are_left_out(rf: RequestFactory, name):
    query = page_query(rf.get("/en/search/", {name: "x", "q": "bac ninh"}))
    assert list(query.lists()) == [("q", ["bac ninh"])]


@pytest.mark.parametrize("name", ["q", "page", "tag", "ref", "utm", "utmost", "source_utm_", "UTM_SOURCE", "fbclid2"])
def test_other_parameters_are_kept(rf: RequestFactory, name):
    query = page_query(rf.get("/en/search/", {name: "x"}))
    assert list(query.lists()) == [(name, ["x"])]


def test_the_rest_keeps_its_order_and_repeated_values(rf: RequestFactory):
    request = rf.get("/en/topics/ocop/?tag=b&utm_source=x&tag=a&q=ocop&fbclid=y&tag=c")
    query = page_query(request)
    assert query.urlencode() == "tag=b&tag=a&tag=c&q=ocop"
    assert request.GET.getlist("utm_source") == ["x"] and request.GET.getlist("fbclid") == ["y"]  # as it came
    with pytest.raises(AttributeError):
        query["q"] = "changed"  # immutable, as request.GET is


def test_a_query_without_them_is_the_request_s_own(rf: RequestFactory):
    request = rf.get("/en/search/?q=ocop&page=2")
    assert page_query(request) is request.GET
