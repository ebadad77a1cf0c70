#!/usr/bin/env python3
"""The bench's webhook receiver: as cheap as HTTP/1.1 gets (asyncio, keep-alive), so that the machine's CPU goes to the
campaign; answers every POST 200 and counts it; GET answers {"count": n, "last": unix time of the last POST}.
Usage: webhook-receiver.py PORT"""
import asyncio
import json
import sys
import time

count = 0
last = 0.0


async def handle(reader, writer):
    global count, last
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            if head.startswith(b"GET"):
                body = json.dumps({"count": count, "last": last}, separators=(",", ":")).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                count += 1
                last = time.time()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
