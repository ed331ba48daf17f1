import logging

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response


class Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_rule_refusals_are_not_logged_but_other_client_errors_are():
    request = RequestFactory().post("/api/v1/votes")
    logger, keep = logging.getLogger("django.request"), Keep()
    logger.addHandler(keep)
    try:
        for status in (409, 429, 404, 500):
            log_response("status %s", status, response=HttpResponse(status=status), request=request)
    finally:
        logger.removeHandler(keep)
    assert [r.status_code for r in keep.records] == [404, 500]
