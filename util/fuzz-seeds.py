#!/usr/bin/env python3
"""Collects the requests that the test suite sends and writes them as seeds
for the libFuzzer harnesses (fuzz/corpus/xml_request, fuzz/corpus/get_args).

usage: util/fuzz-seeds.py [PORT]      (default 2050)

The suite runs with TEST_NGINX_NO_NGINX_MANAGER=1 against a listener on
PORT that records every request and answers an empty 200: the tests fail,
but every request of every block is recorded as the client sent it.  The
POSTed bodies become xml_request seeds, the GET requests get_args seeds, in
the harnesses' input formats (fuzz/fuzz_xml_request.c, fuzz_get_args.c).
Hand-written seeds (Outlook's and iOS's real requests) are kept apart in
fuzz/corpus/*/real-*; this script only (re)writes suite-*.
"""

import hashlib
import os
import socket
import subprocess
import sys
import threading

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 2050

requests = []


def read_request(conn):
    data = b""
    conn.settimeout(3)
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower()] = v.strip()
        if b"content-length" in headers:
            want = int(headers[b"content-length"])
            while len(body) < want:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            while not body.endswith(b"0\r\n\r\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
        return head + b"\r\n\r\n" + body
    except (socket.timeout, ValueError):
        return data


def serve(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        with conn:
            raw = read_request(conn)
            if raw:
                requests.append(raw)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
            except OSError:
                pass


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        try:
            n = int(size.split(b";")[0], 16)
        except ValueError:
            return out
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def main():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", PORT))
    sock.listen(64)
    threading.Thread(target=serve, args=(sock,), daemon=True).start()

    env = dict(os.environ, TEST_NGINX_NO_NGINX_MANAGER="1",
               TEST_NGINX_SERVER_PORT=str(PORT), TEST_NGINX_TIMEOUT="1",
               TEST_NGINX_NO_SHUFFLE="1",
               TEST_NGINX_SERVROOT="/tmp/fuzz-seeds-servroot")
    subprocess.run(["prove", "-I", "t/lib", "t/"], cwd=TOP, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock.close()

    seeds = {"xml_request": set(), "get_args": set()}

    for raw in requests:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) < 2:
            continue
        method, target = parts[0], parts[1]
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower()] = v.strip()
        # the harness's first byte: the configuration in bits 0-1, and in
        # bits 2-7 the size of the pieces the body arrives in, 0 for one
        # buffer; a chunked body arrives in pieces (as t/010's 7 bytes)
        pieces = [0]
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = dechunk(body)
            pieces.append(7)
        path, _, query = target.partition(b"?")
        host = headers.get(b"host", b"localhost")
        low = path.lower()

        if method == b"POST" and body:
            for conf in (0, 3):
                for n in pieces:
                    seeds["xml_request"].add(bytes([conf | n << 2]) + body)
            continue

        if b"autodiscover.json" in low:
            endpoint = 1
        elif b"config-v1.1.xml" in low or b"/mail/config" in low:
            endpoint = 2
        elif b"mobileconfig" in low:
            endpoint = 3
        else:
            endpoint = 0

        for conf in (0, 3):
            seeds["get_args"].add(bytes([endpoint | conf << 2]) + path + b"\n"
                                  + query + b"\n" + host)

    for target, inputs in seeds.items():
        d = os.path.join(TOP, "fuzz", "corpus", target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith("suite-"):
                os.unlink(os.path.join(d, f))
        for data in sorted(inputs):
            name = "suite-" + hashlib.sha1(data).hexdigest()[:16]
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(inputs)} seeds from {len(requests)} requests")


if __name__ == "__main__":
    main()
