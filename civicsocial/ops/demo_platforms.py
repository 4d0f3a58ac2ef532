"""The live demo's Facebook, Instagram, X and YouTube (issue 20): these platforms cannot run
here, so `make demo` starts their contract servers on loopback (ops/graph_server.py,
x_server.py, youtube_server.py), gives every registered account of the demo city on them a
Page, profile or channel with a few posts and its token in the vault, and keeps residents
commenting. The worker captures them as it would the real platforms, so the inbox and the
archive show all six; Meta's Webhooks are subscribed to the app once it answers, so a
Facebook or Instagram comment is captured at once.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import secrets
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from civicsocial.ops.demo_city import demo_avatar, demo_profile
from civicsocial.ops.demo_comments import city_post, resident_reply
from civicsocial.ops.graph_server import GraphContractServer
from civicsocial.ops.x_server import XContractServer
from civicsocial.ops.youtube_server import YouTubeContractServer
from civicsocial.platforms.capture import capturable_accounts
from civicsocial.platforms.credentials import META_APP_SECRET, META_WEBHOOK_VERIFY_TOKEN, ServiceSecret
from civicsocial.platforms.models import CaptureState
from civicsocial.registry.credentials import account_entry
from civicsocial.registry.models import Account
from civicsocial.security import vault
from civicsocial.security.models import SecretKind

log = logging.getLogger(__name__)
RESIDENTS = ["Maria Ortiz", "J. Kim", "Bronx Cyclist", "Rosa in Queens", "Tomasz W.", "Harlem Block Assn"]
PLATFORMS = ("facebook", "instagram", "x", "youtube")
POSTS = 2


@dataclass
class Servers:
    graph: GraphContractServer
    x: XContractServer
    youtube: YouTubeContractServer
    # (platform, the account's id there, a post id): where residents comment
    posts: list[tuple[str, str, str]] = field(default_factory=list)
    comments: list[tuple[str, str, str]] = field(default_factory=list)
    residents: list[str] = field(default_factory=list)  # X user ids
    rng: random.Random = field(default_factory=random.Random)

    def provision(self, account: Account) -> None:
        """The account on its platform, its profile and first posts, its token in the vault."""
        profile = demo_profile(account)
        picture = base64.b64decode(demo_avatar(profile.branded, account.pk))
        name = account.handle.lstrip("@")
        if account.platform in ("facebook", "instagram"):
            page, token = self.graph.add_page(
                profile.name, profile.bio, "https://www.nyc.gov", profile.branded, picture
            )
            owner = page
            if account.platform == "instagram":
                owner = self.graph.add_instagram(
                    page, name, profile.name, profile.bio, "https://www.nyc.gov", picture
                )
            secret, kind = token, SecretKind.ACCESS_TOKEN
        elif account.platform == "x":
            owner, secret = self.x.add_user(
                name[:15],
                profile.name,
                profile.bio,
                "https://www.nyc.gov",
                "government" if profile.branded else "none",
                picture,
            )
            kind = SecretKind.ACCESS_TOKEN
        else:
            owner, credentials = self.youtube.add_channel(profile.name, profile.bio, f"@{name}", picture)
            secret, kind = json.dumps(credentials), SecretKind.REFRESH_TOKEN
        vault.store(account_entry(account, kind), secret, None, "live demo: a new contract server")
        for _ in range(POSTS):
            self.posts.append((account.platform, owner, self.city_post(account.platform, owner)))

    def city_post(self, platform: str, owner: str) -> str:
        text = city_post(self.rng)
        if platform == "facebook":
            return self.graph.post(owner, text)
        if platform == "instagram":
            return self.graph.media(owner, text, base64.b64decode(demo_avatar(True, len(self.posts))))
        if platform == "x":
            return self.x.post(owner, text)
        return self.youtube.upload(owner, text.split(".")[0][:90], text)

    def step(self) -> str:
        """A resident comments on a city post (sometimes answers a comment)."""
        if not self.posts:
            return "nothing to comment on"
        platform, owner, target = self.rng.choice(self.posts)
        if self.comments and self.rng.random() < 0.2:
            platform, owner, target = self.rng.choice(self.comments)
        text, resident = resident_reply(self.rng), self.rng.choice(RESIDENTS)
        if platform in ("facebook", "instagram"):
            made = self.graph.comment(
                target,
                resident if platform == "facebook" else resident.lower().replace(" ", "_").replace(".", ""),
                text,
            )
        elif platform == "x":
            made = self.x.post(self.rng.choice(self.residents), text, reply_to=target)
        else:
            top = target if target in self.youtube.comments else ""
            video = self.youtube.comments[top].video if top else target
            made = self.youtube.comment(video, resident, text, reply_to=top.split(".")[0] if top else "")
        if platform != "youtube" or "." not in made:
            self.comments.append((platform, owner, made))
        return f"{resident} commented on {platform}"

    def run(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every * (0.5 + self.rng.random())):
            try:
                log.info("live demo: %s", self.step())
            except Exception as error:  # a server stopping: try later
                log.warning("live demo: %s", error)


def _store(secret: ServiceSecret, value: str) -> None:
    vault.store(vault.Entry(secret.name, secret.label, secret.kind), value, None, "live demo")


def _subscribe(graph: GraphContractServer, app_url: str, verify_token: str, stop: threading.Event) -> None:
    """Meta's verification request to the app's webhook, once the app answers (a minute at most)."""
    deadline = time.monotonic() + 60
    while not stop.wait(1.0) and time.monotonic() < deadline:
        try:
            graph.subscribe(f"{app_url.rstrip('/')}/webhooks/meta/", verify_token)
            log.info("live demo: Meta Webhooks subscribed to %s", app_url)
            return
        except (OSError, urllib.error.URLError, ValueError):
            continue


@contextmanager
def demo_platforms(say: Callable[[str], None], app_url: str, every: float = 8.0) -> Iterator[Servers]:
    """Start the three contract servers with the city's accounts on them while the block runs."""
    stop = threading.Event()
    with ExitStack() as stack:
        servers = Servers(
            stack.enter_context(GraphContractServer()),
            stack.enter_context(XContractServer()),
            stack.enter_context(YouTubeContractServer(daily_quota=10**7)),
        )
        for platform, url in (
            ("facebook", servers.graph.url),
            ("instagram", servers.graph.url),
            ("x", servers.x.url),
            ("youtube", servers.youtube.url),
        ):
            os.environ[f"CIVICSOCIAL_{platform.upper()}_SERVICE"] = url  # the worker inherits these
        verify_token = secrets.token_urlsafe(16)
        _store(META_APP_SECRET, servers.graph.app_secret)
        _store(META_WEBHOOK_VERIFY_TOKEN, verify_token)
        servers.residents = [servers.x.add_user(f"resident{n}", name)[0] for n, name in enumerate(RESIDENTS)]
        accounts = [a for platform in PLATFORMS for a in capturable_accounts(platform=platform)]
        for account in accounts:
            servers.provision(account)
        # New servers: positions (and page ids) on the last ones mean nothing here.
        CaptureState.objects.filter(account__in=accounts).update(cursor="", platform_user_id="")
        threading.Thread(target=servers.run, args=(stop, every), daemon=True, name="demo-platforms").start()
        threading.Thread(
            target=_subscribe,
            args=(servers.graph, app_url, verify_token, stop),
            daemon=True,
            name="demo-webhooks",
        ).start()
        say(
            f"Facebook, Instagram, X and YouTube: contract servers on loopback ({servers.graph.url}, "
            f"{servers.x.url}, {servers.youtube.url}) with {len(accounts)} city accounts; residents "
            f"comment every {every:g} s or so."
        )
        try:
            yield servers
        finally:
            stop.set()
