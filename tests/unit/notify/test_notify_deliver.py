"""Delivery with ``responses``: the exact requests sent for each answer."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from responses import matchers

from sovereign.gha import Secret
from sovereign.http import new_session
from sovereign.notify import limits
from sovereign.notify.deliver import send, target

SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
DISCORD = "https://discord.com/api/webhooks/123/tok-en_SECRET"
TEAMS = "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SECRET"
PAYLOAD = {"text": "hello", "blocks": []}


def post(channel: str, url: str, payload=PAYLOAD, sleeps: list[float] | None = None):
    record: list[float] = sleeps if sleeps is not None else []
    return send(new_session(), channel, Secret(url), payload, sleep=record.append)


def assert_secret_free(result, *secrets: str) -> None:
    text = json.dumps(result.as_dict())
    for secret in secrets:
        assert secret not in text


@responses.activate
def test_slack_ok_sends_exactly_the_checked_bytes_once():
    responses.post(SLACK, body="ok", match=[matchers.header_matcher({"Content-Type": "application/json"})])
    result = post("slack", SLACK)
    assert result.delivered and result.http_status == 200
    assert len(responses.calls) == 1
    assert responses.calls[0].request.body == limits.encode(PAYLOAD)


@responses.activate
def test_429_then_200_is_two_requests():
    responses.post(SLACK, status=429, headers={"Retry-After": "0"})
    responses.post(SLACK, body="ok")
    assert post("slack", SLACK).delivered
    assert len(responses.calls) == 2


def test_retry_after_accepts_decimals_and_is_capped():
    policy = new_session().adapters["https://"].max_retries
    assert policy.parse_retry_after("1.5") == 1.5
    assert policy.parse_retry_after(" 2 ") == 2.0
    assert policy.parse_retry_after("99999") == 30
    assert policy.new(total=1).parse_retry_after("0.25") == 0.25, "copies keep the behaviour"


@responses.activate
def test_500_is_one_request_and_says_why_not_retried():
    responses.post(TEAMS, status=500, body="boom")
    result = post("teams", TEAMS)
    assert not result.delivered and result.http_status == 500
    assert len(responses.calls) == 1
    assert "not retried, the message may have been posted" in result.detail
    assert_secret_free(result, "SECRET", TEAMS)


@responses.activate
def test_read_timeout_is_one_request():
    responses.post(SLACK, body=requests.exceptions.ReadTimeout("read timed out: " + SLACK))
    result = post("slack", SLACK)
    assert not result.delivered and len(responses.calls) == 1
    assert "did not answer in time" in result.detail and "may have been posted" in result.detail
    assert_secret_free(result, "XXXXXXXXXXXXXXXX")


@responses.activate
def test_connection_error_never_echoes_the_url():
    responses.post(DISCORD + "?wait=true", body=requests.exceptions.ConnectionError(f"HTTPSConnectionPool {DISCORD}"))
    result = post("discord", DISCORD)
    assert not result.delivered
    assert_secret_free(result, "tok-en_SECRET")


@responses.activate
def test_discord_waits_and_returns_the_message_id():
    responses.post(DISCORD + "?wait=true", json={"id": "1100000000000000001", "channel_id": "9"})
    result = post("discord", DISCORD)
    assert result.delivered and result.message_id == "1100000000000000001"
    assert len(responses.calls) == 1


def test_discord_target_keeps_thread_and_replaces_wait():
    assert target("discord", DISCORD + "?thread_id=5&wait=false") == DISCORD + "?thread_id=5&wait=true"
    assert target("slack", SLACK) == SLACK


@responses.activate
def test_discord_404_is_an_unknown_webhook_not_retried():
    responses.post(DISCORD + "?wait=true", status=404, json={"message": "Unknown Webhook", "code": 10015})
    result = post("discord", DISCORD)
    assert not result.delivered and len(responses.calls) == 1
    assert "unknown webhook" in result.detail and "create a new webhook" in result.fix


@responses.activate
def test_discord_json_retry_after_gets_one_extra_wait():
    for _ in range(4):  # the session's own 429 retries (Retry-After header 0), then deliver.py's
        responses.post(DISCORD + "?wait=true", status=429, headers={"Retry-After": "0"}, json={"retry_after": 1.5})
    responses.post(DISCORD + "?wait=true", json={"id": "7"})
    sleeps: list[float] = []
    result = post("discord", DISCORD, sleeps=sleeps)
    assert result.delivered and result.message_id == "7"
    assert len(responses.calls) == 5
    assert sleeps == [1.5]


@responses.activate
def test_discord_retry_after_beyond_the_cap_is_not_waited():
    responses.post(DISCORD + "?wait=true", status=429, headers={"Retry-After": "0"}, json={"retry_after": 3600})
    sleeps: list[float] = []
    result = post("discord", DISCORD, sleeps=sleeps)
    assert not result.delivered and result.http_status == 429 and sleeps == []
    assert len(responses.calls) == 4


@responses.activate
def test_a_redirect_is_not_followed():
    responses.post(SLACK, status=302, headers={"Location": "https://evil.example/collect"})
    result = post("slack", SLACK)
    assert not result.delivered and len(responses.calls) == 1
    assert "redirect" in result.detail


@pytest.mark.parametrize(
    ("status", "word"), [(400, "refused the message"), (403, "refused the webhook"), (410, "refused the webhook")]
)
@responses.activate
def test_refusals_are_explained_with_the_body(status, word):
    responses.post(SLACK, status=status, body="invalid_blocks")
    result = post("slack", SLACK)
    assert not result.delivered and word in result.detail and "'invalid_blocks'" in result.detail
    assert len(responses.calls) == 1


@responses.activate
def test_teams_202_accepted():
    responses.post(TEAMS, status=202, body="")
    assert post("teams", TEAMS).delivered


@responses.activate
def test_an_unexpected_error_is_one_failed_channel_without_the_url():
    responses.post(SLACK, body=ValueError(f"weird {SLACK}"))
    result = post("slack", SLACK)
    assert not result.delivered and "ValueError" in result.detail
    assert_secret_free(result, "XXXXXXXXXXXXXXXX")
