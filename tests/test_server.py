"""The fault server over real loopback HTTP: each URL parameter does what it says."""

from __future__ import annotations

import asyncio

import httpx
import pytest


def test_a_page_and_its_words(server_url: str) -> None:
    """A plain task answers 200 with an ASCII page that names the task."""
    response = httpx.get(f"{server_url}/task/5?delay_ms=10")
    assert response.status_code == 200
    assert response.content.startswith(b"page 5 ") and response.content.isascii()


def test_status_and_utf8_pages(server_url: str) -> None:
    """status=500 answers 500; page=utf8 adds words the ASCII-only handler chokes on."""
    assert httpx.get(f"{server_url}/task/1?status=500").status_code == 500
    body = httpx.get(f"{server_url}/task/1?page=utf8").content
    assert not body.isascii() and "café" in body.decode()


def test_drop_resets_the_connection_mid_body(server_url: str) -> None:
    """drop=1 sends headers and half the body, then a reset: the client cannot finish."""
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        httpx.get(f"{server_url}/task/1?drop=1")


def test_a_hold_longer_than_the_client_waits_is_a_timeout(server_url: str) -> None:
    """delay_ms past the client's timeout: the client gives up (the server holds on)."""
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server_url}/task/1?delay_ms=2000", timeout=0.2)


def test_keep_alive_serves_requests_one_after_another(server_url: str) -> None:
    """One connection, several requests: the protocol reads the next request after answering."""
    with httpx.Client() as client:
        bodies = [client.get(f"{server_url}/task/{i}").content for i in range(3)]
    assert [body.split()[1] for body in bodies] == [b"0", b"1", b"2"]


def test_httpbin_routes_and_unknown_paths(server_url: str) -> None:
    """/delay/{s} and /status/{code} as httpbin has them; anything else is a 404."""
    assert httpx.get(f"{server_url}/delay/0.01?task=3").content.startswith(b"page 3")
    assert httpx.get(f"{server_url}/status/503").status_code == 503
    assert httpx.get(f"{server_url}/nothing").status_code == 404
    assert httpx.get(f"{server_url}/task/1?delay_ms=soon").status_code == 400


def test_two_thousand_held_requests_all_answered(server_url: str) -> None:
    """2,000 concurrent delayed requests, each on its own connection: every one gets a 200."""
    host, port = server_url.removeprefix("http://").split(":")

    async def one(task: int) -> bytes:
        reader, writer = await asyncio.open_connection(host, int(port))
        request = f"GET /task/{task}?delay_ms=300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        data = await reader.read()
        writer.close()
        return data

    async def all_of_them() -> list[bytes]:
        return await asyncio.gather(*(one(task) for task in range(2000)))

    answers = asyncio.run(all_of_them())
    assert all(answer.startswith(b"HTTP/1.1 200 OK") for answer in answers)
    assert {answer.split(b"\r\n\r\n")[1].split()[1] for answer in answers} == {
        str(task).encode() for task in range(2000)
    }
