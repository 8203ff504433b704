"""Grafana's HTTP API with a service-account token (``Authorization: Bearer``).

Shared by grafana-push and grafana-snapshot. Errors come back in words naming
what was asked: Grafana down, token rejected, role missing, dashboard not found.
"""

from __future__ import annotations

from typing import Any

import requests

from sovereign.errors import SovereignError
from sovereign.gha import Input, Secret
from sovereign.http import call, check_url, json_message, lost_if_5xx, new_session

API_KEY_INPUT = Input(
    "grafana-api-key",
    "a Grafana service-account token",
    secret=True,
    env_fallbacks=("GRAFANA_API_KEY",),  # the runbook's secret name
    aliases=("--api-key",),
)


class Grafana:
    def __init__(self, url: str, api_key: Secret, retry_posts: bool = False) -> None:
        self.url = check_url(url, "input 'grafana-url'").rstrip("/")
        self._session = new_session(retry_posts=retry_posts)
        self._session.headers["Accept"] = "application/json"
        if api_key:
            self._session.headers["Authorization"] = f"Bearer {api_key.reveal()}"
        self.requests = 0

    def request(
        self, method: str, path: str, what: str, ok: tuple[int, ...] = (200,), *, if_lost: str = "", **kwargs: Any
    ) -> requests.Response:
        """``if_lost`` (for writes): what may have happened if the answer is lost, and whether a re-run is safe."""
        response = call(self._session, method, self.url + path, f"Grafana ({what})", if_lost=if_lost, **kwargs)
        self.requests += 1
        if response.status_code not in ok:
            raise lost_if_5xx(self.explain(response, what), response, if_lost)
        return response

    def json(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        response = self.request(method, path, what, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SovereignError(
                f"Grafana answered {what} with something that is not JSON",
                "check grafana-url points at Grafana itself (not a login page or proxy)",
            ) from None

    @staticmethod
    def explain(response: requests.Response, what: str) -> SovereignError:
        status = response.status_code
        message = json_message(response)
        detail = f" ({message})" if message else ""
        if status == 401:
            return SovereignError(
                f"Grafana rejected the token for {what}{detail}",
                "check grafana-api-key: a service-account token that has not expired",
            )
        if status == 403:
            return SovereignError(
                f"Grafana refused {what}{detail}",
                "the service account's role lacks this permission: see the stage README",
            )
        if status == 404:
            return SovereignError(
                f"Grafana found nothing for {what}{detail}",
                "check the UID or URL and that the service account can see it",
            )
        if status == 429:
            return SovereignError(f"Grafana rate-limited {what} even after retrying", "try again later")
        if status >= 500:
            return SovereignError(
                f"Grafana failed {what} with HTTP {status}{detail}",
                "Grafana is down or erroring: check its health and try again",
            )
        return SovereignError(f"Grafana answered HTTP {status} to {what}{detail}", "check the inputs")
