"""Deliver rendered metrics to their endpoint, with the endpoint's credentials.

``metrics-user`` + ``metrics-token`` are sent as HTTP basic auth (Grafana Cloud:
instance ID + access-policy token), the token alone as a bearer token. The
header value is derived from the secret, so it is masked too.
"""

from __future__ import annotations

import base64

from sovereign.errors import SovereignError
from sovereign.gha import Secret, Step
from sovereign.grafana_push.formats import Push
from sovereign.http import call, check_url, explain, new_session


def authorization(user: str, token: Secret) -> str:
    """The Authorization header value, or "" when there are no credentials."""
    if user and not token:
        raise SovereignError(
            "input 'metrics-user' is set but 'metrics-token' is empty",
            "pass the token as metrics-token (a secret), or drop metrics-user",
        )
    if not token:
        return ""
    if user:
        pair = base64.b64encode(f"{user}:{token.reveal()}".encode()).decode("ascii")
        return f"Basic {pair}"
    return f"Bearer {token.reveal()}"


def send(push: Push, user: str, token: Secret, step: Step) -> int:
    """Send one push; return the HTTP status. Any non-2xx answer is an error.

    Retries follow the foundation's policy for POST (only on 429 and before the
    request was sent): a repeated write would be harmless here (every point has
    its timestamp), but the policy is one rule for every POST.
    """
    url = check_url(push.url, "input 'metrics-url'")
    header = authorization(user, token)
    step.mask(header.partition(" ")[2])  # the base64 pair reveals the token
    session = new_session()
    session.headers["Content-Type"] = push.content_type
    if header:
        session.headers["Authorization"] = header
    what = "the metrics endpoint"
    response = call(session, push.method, url, what, data=push.body.encode("utf-8"))
    if not 200 <= response.status_code < 300:
        raise explain(response, f"{what} ({push.method} metrics-url)")
    return response.status_code
