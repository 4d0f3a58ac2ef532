"""A city account with posts and residents' comments on each platform that only a contract
server can stand in for (Facebook, Instagram, X, YouTube), for the fault and kill tests:
what an adapter should find, and how to build one that reads through any address."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from civicsocial.platforms.tests import graph, xapi, youtube


@dataclass
class World:
    platform: str
    handle: str
    service: str  # the contract server's address
    secret: str  # the account's secret, as the vault would hold it
    expected: set[str]  # item ids of every post and comment
    build: Callable[..., Any]  # (address, **options) -> adapter


def facebook(posts: int = 5, comments: int = 12) -> World:
    server = graph.shared_server()
    page, _, token = graph.new_page()
    expected = set()
    for n in range(posts):
        post = server.post(page, f"Notice {n}", image=b"\x89PNG %d" % n)
        expected.add(f"facebook:{page}/posts/{post}")
        for m in range(comments):
            comment = server.comment(post, f"Resident {m}", f"Comment {m} on {n}")
            expected.add(f"facebook:{post}/comments/{comment}")
    return World(
        "facebook",
        "@nycparks",
        server.url,
        token,
        expected,
        lambda url, **o: graph.facebook(token, url=url, **o),
    )


def instagram(posts: int = 5, comments: int = 8) -> World:
    server = graph.shared_server()
    _, user, token = graph.new_page()
    expected = set()
    for n in range(posts):
        media = server.media(user, f"Photo {n}", b"\x89PNG ig %d" % n)
        expected.add(f"instagram:{user}/media/{media}")
        for m in range(comments):
            comment = server.comment(media, f"resident{m}", f"Nice {m}")
            expected.add(f"instagram:{media}/comments/{comment}")
    return World(
        "instagram",
        "@nycparks",
        server.url,
        token,
        expected,
        lambda url, **o: graph.instagram(token, url=url, **o),
    )


def x(posts: int = 5, comments: int = 12) -> World:
    server = xapi.shared_server()
    city, token = xapi.new_user("nycem")
    residents = [xapi.new_user("resident")[0] for _ in range(3)]
    expected = set()
    for n in range(posts):
        post = server.post(city, f"Alert {n}")
        expected.add(f"x:{city}/posts/{post}")
        for m in range(comments):
            reply = server.post(residents[m % 3], f"Reply {m} to {n}", reply_to=post)
            expected.add(f"x:{residents[m % 3]}/posts/{reply}")
    return World(
        "x", "@nycem", server.url, token, expected, lambda url, **o: xapi.adapter(token, url=url, **o)
    )


def youtube_channel(videos: int = 3, comments: int = 10) -> World:
    server = youtube.shared_server()
    channel, secret = youtube.new_channel()
    expected = set()
    for n in range(videos):
        video = server.upload(channel, f"Video {n}", captions={"en": f"Captions {n}"})
        expected.add(f"youtube:{channel}/videos/{video}")
        top = ""
        for m in range(comments):
            comment = server.comment(video, f"Viewer {m}", f"Comment {m}", reply_to=top if m % 2 else "")
            top = top or comment
            expected.add(f"youtube:{video}/comments/{comment}")
    # The secret names the token endpoint on the address the adapter is given (a proxy too).
    return World(
        "youtube",
        "@nycparks",
        server.url,
        secret,
        expected,
        lambda url, **o: youtube.adapter(_token_via(secret, server.url, url), url=url, **o),
    )


def _token_via(secret: str, server: str, url: str) -> str:
    info = json.loads(secret)
    info["token_uri"] = info["token_uri"].replace(server, url.rstrip("/"))
    return json.dumps(info)


WORLDS: dict[str, Callable[[], World]] = {
    "facebook": facebook,
    "instagram": instagram,
    "x": x,
    "youtube": youtube_channel,
}
