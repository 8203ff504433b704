"""The HTTP policy on real sockets: what is retried, what never is, and the URL rules."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests
import responses
from localserver import Reply, free_port, serve

from sovereign import __version__
from sovereign.errors import SovereignError
from sovereign.http import AnswerLost, call, check_url, explain, new_session


def test_get_retries_5xx_then_succeeds(waits):
    with serve([Reply(503), Reply(502), Reply(200, b'{"ok": true}')]) as (url, script):
        response = call(new_session(), "GET", url + "/x", "test")
    assert response.json() == {"ok": True}
    assert len(script.seen) == 3
    assert waits == [1.0], "urllib3 retries once at once, then backs off exponentially"


def test_get_gives_up_after_three_retries_and_returns_the_last_answer(waits):
    with serve([Reply(500)]) as (url, script):
        response = call(new_session(), "GET", url, "test")
    assert response.status_code == 500 and len(script.seen) == 4
    assert max(waits) <= 8


def test_post_is_never_retried_after_a_5xx(waits):
    with serve([Reply(500), Reply(200)]) as (url, script):
        response = call(new_session(), "POST", url, "test", json={"a": 1})
    assert response.status_code == 500 and len(script.seen) == 1


def test_post_is_retried_on_429_honouring_retry_after(waits):
    with serve([Reply(429, headers={"Retry-After": "2"}), Reply(200)]) as (url, script):
        response = call(new_session(), "POST", url, "test", json={})
    assert response.status_code == 200 and len(script.seen) == 2
    assert waits == [2]


def test_retry_after_as_http_date(waits):
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    with serve([Reply(429, headers={"Retry-After": when}), Reply(200)]) as (url, script):
        call(new_session(), "GET", url, "test")
    assert len(script.seen) == 2 and 7 <= waits[0] <= 11


def test_absurd_retry_after_is_capped(waits):
    with serve([Reply(429, headers={"Retry-After": "86400"}), Reply(200)]) as (url, _):
        call(new_session(), "GET", url, "test")
    assert waits == [30]


def test_connection_refused_is_a_clear_error(waits):
    with pytest.raises(SovereignError, match="could not connect to test"):
        call(new_session(), "GET", f"http://127.0.0.1:{free_port()}/", "test")
    assert waits == [1.0, 2.0], "connect errors are retried: the request was never sent"


def test_refused_write_was_never_sent_and_the_fix_names_the_host(waits):
    port = free_port()
    with pytest.raises(SovereignError) as caught:
        call(new_session(), "POST", f"http://127.0.0.1:{port}/", "test", if_lost="it may exist", json={})
    assert not isinstance(caught.value, AnswerLost), "nothing went out: nothing can have been created"
    assert (
        caught.value.line()
        == f"could not connect to test — check the URL (127.0.0.1:{port}), DNS and that the service is up"
    )


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(reset="before"), "test dropped the connection before answering"),
        (Reply(reset=True), "test dropped the connection mid-response"),
        (Reply(200, delay=1.0), "test did not answer in time"),
    ],
    ids=["reset", "cut", "read-timeout"],
)
def test_a_write_whose_answer_is_lost_may_have_landed(waits, reply, words):
    with serve([reply, Reply(200)]) as (url, script), pytest.raises(AnswerLost) as caught:
        call(new_session(timeout=(2, 0.2)), "POST", url, "test", if_lost="the thing may have been made", json={})
    assert len(script.seen) == 1, "never sent twice"
    assert caught.value.line() == f"{words} — the thing may have been made"


def test_a_write_without_its_own_words_still_says_it_may_have_landed(waits):
    with serve([Reply(reset="before")]) as (url, _), pytest.raises(AnswerLost) as caught:
        call(new_session(), "POST", url, "test", json={})
    assert caught.value.fix == "the request was sent, so it may have taken effect: check before sending it again"


def test_a_read_whose_answer_is_lost_is_resent_not_lost(waits):
    with serve([Reply(reset="before"), Reply(200, b"{}")]) as (url, script):
        assert call(new_session(), "GET", url, "test").status_code == 200
    assert len(script.seen) == 2


def test_post_read_timeout_is_not_retried(waits):
    with serve([Reply(200, delay=1.0)]) as (url, script), pytest.raises(SovereignError, match="did not answer in time"):
        call(new_session(timeout=(2, 0.2)), "POST", url, "test", json={})
    assert len(script.seen) == 1


def test_post_reset_mid_response_is_not_retried(waits):
    with serve([Reply(reset=True), Reply(200)]) as (url, script), pytest.raises(SovereignError):
        call(new_session(), "POST", url, "test", json={})
    assert len(script.seen) == 1


def test_get_reset_mid_response_is_retried(waits):
    with serve([Reply(reset=True), Reply(200)]) as (url, script):
        assert call(new_session(), "GET", url, "test").status_code == 200
    assert len(script.seen) == 2


def test_read_only_post_session_retries_5xx(waits):
    with serve([Reply(502), Reply(200)]) as (url, script):
        assert call(new_session(retry_posts=True), "POST", url, "q", json={}).status_code == 200
    assert len(script.seen) == 2


def test_user_agent_and_default_timeout():
    with serve([Reply(200)]) as (url, script):
        new_session().get(url)
    assert script.seen[0].headers["User-Agent"].startswith(f"sovereign/{__version__}")


def test_credentials_never_follow_a_redirect_to_another_origin():
    with (
        serve([Reply(200)]) as (other, other_script),
        serve([Reply(302, b"", {"Location": other + "/landing"})]) as (url, _),
    ):
        session = new_session()
        session.headers["Authorization"] = "Bearer s3cr3t"
        session.get(url)
    assert "Authorization" not in other_script.seen[0].headers


def test_credentials_kept_on_same_origin_redirect():
    def route(seen):
        return Reply(302, b"", {"Location": "/landing"}) if seen.path == "/start" else Reply(200)

    with serve(route) as (url, script):
        session = new_session()
        session.headers["Authorization"] = "Bearer s3cr3t"
        session.get(url + "/start")
    assert script.seen[1].headers["Authorization"] == "Bearer s3cr3t"


@responses.activate
def test_redirect_to_plain_http_elsewhere_is_refused():
    responses.get("https://grafana.example.com/a", status=302, headers={"Location": "http://evil.example.com/b"})
    with pytest.raises(SovereignError, match="http:// for a non-loopback host"):
        new_session().get("https://grafana.example.com/a")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://grafana.example.com", "non-loopback"),
        ("ftp://example.com", "not an http"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("https://", "not an http"),
        ("https://example.com:99999/", "not a valid URL"),
        ("javascript:alert(1)", "not an http"),
    ],
)
def test_url_policy_refuses(url, problem):
    with pytest.raises(SovereignError, match=problem) as info:
        check_url(url, "input 'x'")
    assert "pw@" not in str(info.value) and "hook" not in info.value.line()


@pytest.mark.parametrize(
    "url", ["https://example.com/x", "http://localhost:3000", "http://127.0.0.5:80/", "http://[::1]:9091/"]
)
def test_url_policy_allows(url):
    assert check_url(url, "x") == url


def test_explain_names_the_status():
    response = requests.Response()
    response.status_code = 401
    response._content = b'{"message": "invalid API key"}'
    assert "HTTP 401" in explain(response, "Grafana").line()
