"""The live demo: the demo city's Bluesky accounts on a real local network (the
reference PLC and PDS on loopback), and residents who keep replying to them, so a
newcomer watches the archive fill up through the same capture that production runs
(the firehose within a second, polling every few minutes).

`make demo` runs it through `civicsocial serve --live-demo`. Each start is a fresh
network: accounts get new random passwords (stored in the credential vault, encrypted
under the generated var/vault.key, where the worker reads them as production would)
and new DIDs, so capture positions of the previous network are reset. What the archive
captured before stays there.
"""

from __future__ import annotations

import base64
import logging
import os
import random
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from civicsocial.ops import georeport_server
from civicsocial.ops.demo_city import demo_avatar, demo_profile
from civicsocial.ops.demo_comments import city_post, resident_reply
from civicsocial.ops.demo_publishing import publish_through_drafts
from civicsocial.ops.demo_vendor import demo_vendor
from civicsocial.ops.network import BlueskyNetwork, NetworkUnavailable, installed
from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
from civicsocial.platforms.capture import capturable_accounts
from civicsocial.platforms.models import CaptureState, StreamCursor
from civicsocial.publishing.models import Target, TargetState
from civicsocial.registry.credentials import account_entry
from civicsocial.security import vault

log = logging.getLogger(__name__)
RESIDENTS = [("maria-ortiz", "Maria Ortiz"), ("jkim-bk", "J. Kim"), ("bronx-cyclist", "Bronx Cyclist"),
             ("rosa-queens", "Rosa in Queens"), ("tomasz-si", "Tomasz W."),
             ("harlem-block", "Harlem Block Assn")]
# Claims to be the city without being registered: the P1 page lists it once it replies.
IMPOSTOR = ("nyc-help-official", "NYC Help Desk (Official)")
VERIFIER = "trust-and-safety.test"
POSTS_PER_ACCOUNT = 2


@dataclass
class LiveDemo:
    """Provisioned accounts on the network, and the traffic they make."""

    network: BlueskyNetwork
    rng: random.Random = field(default_factory=random.Random)
    city: list[BlueskyAdapter] = field(default_factory=list)
    residents: list[BlueskyAdapter] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)  # at:// URIs of city posts
    replies: list[tuple[BlueskyAdapter, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def provision(self) -> None:
        """Create every registered Bluesky account of the city on the network with its
        demo profile and a few posts, and the residents who will reply."""
        os.environ["CIVICSOCIAL_BLUESKY_SERVICE"] = self.network.pds
        verifier = self._create(VERIFIER)
        if verifier is not None:  # the network's stand-in for bsky.app's blue check (P8)
            os.environ["CIVICSOCIAL_BLUESKY_VERIFIERS"] = verifier[0].did
        accounts = capturable_accounts(platform="bluesky")
        for account in accounts:
            created = self._create(account.handle)
            if created is None:
                continue
            adapter, password = created
            vault.store(account_entry(account), password, None, "live demo: a new local network")
            profile = demo_profile(account)
            adapter.update_profile(profile.name, profile.bio, "https://www.nyc.gov" if profile.branded
                                   else "", base64.b64decode(demo_avatar(profile.branded, account.pk)))
            if verifier is not None and profile.branded:
                verifier[0].vouch_for(adapter.did, adapter.handle, profile.name)
            self.city.append(adapter)
            for _ in range(POSTS_PER_ACCOUNT):
                self._city_posts(adapter)
        for name, display in [*RESIDENTS, IMPOSTOR]:
            created = self._create(f"{name}.test")
            if created is not None:
                created[0].update_profile(display, "")
                self.residents.append(created[0])
        # A fresh network: positions in the last one mean nothing here.
        StreamCursor.objects.filter(service=self.network.pds).delete()
        CaptureState.objects.filter(account__in=accounts).update(cursor="")

    def _create(self, handle: str) -> tuple[BlueskyAdapter, str] | None:
        """An account on the network and its password; None (noted) if the PDS refuses
        the handle (only domain handles such as dot.nyc.gov can live on it)."""
        password = secrets.token_urlsafe(18)
        try:
            self.network.create_account(handle.lstrip("@"), password)
        except Exception as error:  # the demo goes on without it
            self.skipped.append(f"{handle}: {error}")
            return None
        return BlueskyAdapter(self.network.pds, handle.lstrip("@"), password), password

    def _city_posts(self, adapter: BlueskyAdapter) -> str:
        """A city post: drafted and approved in Civic Social where the account's agency
        publishes through it (the worker sends it), straight to the network elsewhere."""
        text = city_post(self.rng)
        if publish_through_drafts(adapter.handle, text):
            return f"{adapter.handle}: a post drafted, approved and queued"
        published = adapter.publish(text, secrets.token_hex(8))
        self.posts.append(published.item_id)
        return f"{adapter.handle} posted"

    def _sent_posts(self) -> None:
        """Posts the worker sent from drafts become posts residents reply to."""
        sent = Target.objects.filter(state=TargetState.SENT, platform_id__startswith="at://") \
            .values_list("platform_id", flat=True)
        self.posts.extend(uri for uri in sent if uri not in self.posts)

    def step(self) -> str:
        """One thing happens: mostly a resident replies to a city post; sometimes to
        another reply, the city posts again, or a resident deletes a reply."""
        roll = self.rng.random()
        self._sent_posts()
        if not self.posts or not self.residents:
            return "nothing to reply to"
        if roll < 0.08:
            return self._city_posts(self.rng.choice(self.city))
        if roll < 0.12 and self.replies:
            author, uri = self.replies.pop(self.rng.randrange(len(self.replies)))
            author.delete(uri)  # the archive keeps it, marked as removed (P27)
            return f"{author.handle} deleted a reply"
        resident = self.rng.choice(self.residents)
        parent = self.rng.choice(self.replies)[1] if roll < 0.25 and self.replies \
            else self.rng.choice(self.posts)
        published = resident.publish(resident_reply(self.rng), secrets.token_hex(8), reply_to=parent)
        self.replies.append((resident, published.item_id))
        return f"{resident.handle} replied"

    def run(self, stop: threading.Event, every: float = 6.0) -> None:
        """Make traffic every `every` seconds (give or take half) until `stop` is set."""
        while not stop.wait(every * (0.5 + self.rng.random())):
            try:
                log.info("live demo: %s", self.step())
            except PlatformError as error:  # the network is stopping, or busy: try later
                log.warning("live demo: %s", error)


@contextmanager
def live_demo(say: Callable[[str], None], every: float = 6.0) -> Iterator[LiveDemo | None]:
    """Start the network, provision the city on it and keep residents replying while
    the block runs; None (and a line saying why) when the network cannot run here."""
    if not installed():
        say("No live capture: the local Bluesky network is not installed (make bluesky-network).")
        yield None
        return
    try:
        network = BlueskyNetwork().__enter__()
    except NetworkUnavailable as error:
        say(f"No live capture: {error}")
        yield None
        return
    stop = threading.Event()
    stack = ExitStack()
    georeport, _, endpoint = georeport_server.start()  # 311 referrals file requests here
    os.environ.setdefault("CIVICSOCIAL_OPEN311_ENDPOINT", endpoint)
    try:
        demo = LiveDemo(network)
        demo.provision()
        say(f"Live capture: a local Bluesky network at {network.pds}, {len(demo.city)} city "
            f"accounts, {len(demo.residents)} residents replying every {every:g} s or so.")
        say(f"311 referrals: a local Open311 GeoReport v2 server at "
            f"{os.environ['CIVICSOCIAL_OPEN311_ENDPOINT']}")
        for skipped in demo.skipped:
            say(f"  not on the network: {skipped}")
        stack.enter_context(demo_vendor(demo.city, say))
        threading.Thread(target=demo.run, args=(stop, every), daemon=True,
                         name="live-demo").start()
        yield demo
    finally:
        stop.set()
        stack.close()
        georeport.shutdown()
        network.__exit__(None, None, None)
