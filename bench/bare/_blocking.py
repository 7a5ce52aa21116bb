"""Raw HTTP/1.1 over a blocking socket: the floor's client for the synchronous styles
(sequential, threads, threadpool) and for gevent, whose patched sockets yield where these
block. A connection per request; the answer read to its end; its words counted.
"""

import socket

from _measure import CONNECT_TIMEOUT_S, http_get, words_of


def fetch(url: str, timeout_s: float) -> int:
    host, port, request = http_get(url)
    with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as sock:
        sock.settimeout(timeout_s)  # each wait for the server's next bytes, as httpx times it
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):  # to the end: the server closes after its answer
            chunks.append(chunk)
    return words_of(b"".join(chunks))
