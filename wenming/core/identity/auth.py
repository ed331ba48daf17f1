"""The API's bearer auth for residents: the token `POST /voters/verify` issues
(wenming.core.identity.phones). Staff auth is the API's (wenming.core.apiutils.staff_auth)."""

import time

from ninja.security import HttpBearer

from wenming.core.identity.phones import resident_for_token, token_claim
from wenming.core.models import hash_token


class ResidentToken(HttpBearer):
    """A resident's token from POST /voters/verify. Looked up once per 30 s per process, kept
    in process memory (no pickling). The vote does not use this: it takes `claim` and checks
    the token's row in its own statement (an unsigned token is looked up here first)."""

    CACHE_SECONDS = 30
    MAX_KEPT = 100_000

    def __init__(self):
        super().__init__()
        self._kept = {}  # token hash -> (resident, monotonic expiry); residents are not mutated

    def __call__(self, request):
        """As HttpBearer, but reading the header straight from META: building request.headers
        (every header of the request) was a measurable part of a vote."""
        token = self._bearer(request)
        return self.authenticate(request, token) if token else None

    @staticmethod
    def _bearer(request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return token if scheme.lower() == "bearer" else ""

    def claim(self, request):
        """(resident id, token hash) for a caller that checks the token's row itself, in its
        own statement (the vote): a signed token is read without a lookup, any other is
        looked up as usual. None without a token, or with an unknown unsigned one."""
        token = self._bearer(request)
        if not token:
            return None
        resident_id = token_claim(token)
        if resident_id is None:
            resident = self.authenticate(request, token)
            if resident is None:
                return None
            resident_id = resident.pk
        return resident_id, hash_token(token)

    def authenticate(self, request, token):
        key, now = hash_token(token), time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and kept[1] > now:
            resident = kept[0]
        else:
            resident = resident_for_token(token)
            if resident is not None:
                if len(self._kept) >= self.MAX_KEPT:
                    self._kept = {}  # a crude bound; refilled from the database within seconds
                self._kept[key] = (resident, now + self.CACHE_SECONDS)
        if resident is not None:
            request.resident = resident
        return resident

    def forget(self):
        """Drop every kept token (tests: each has its own database)."""
        self._kept = {}


resident_auth = ResidentToken()
