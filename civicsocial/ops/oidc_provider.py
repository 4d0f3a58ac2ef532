"""A real OpenID Connect provider on loopback (scripts/oidc/provider.mjs: the certified
`oidc-provider` package, installed by scripts/oidc/setup.sh), standing in for the city's
identity provider in the single sign-on tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import httpx

from civicsocial.ops.network import ROOT, _first_line
from civicsocial.ops.network import cache_dir as bluesky_cache

FORM = re.compile(r'<form[^>]*action="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class ProviderUnavailable(RuntimeError):
    """The provider is not installed or did not start."""


def app_dir() -> Path:
    return Path(os.environ.get("CIVICSOCIAL_OIDC_CACHE", ROOT / "var" / "cache" / "oidc"))


def _node() -> str:
    """The Node the Bluesky network installed (22, which oidc-provider supports), else the machine's."""
    ours = bluesky_cache() / "node" / "bin" / "node"
    return str(ours) if ours.exists() else (shutil.which("node") or "node")


class OidcProvider:
    """Starts the provider on a free loopback port with one client and some accounts
    ({login: {"email": ..., "name": ..., "email_verified": ...}}); stops it on exit."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str,
                 accounts: dict[str, dict[str, object]], start_timeout: float = 60,
                 grant_types: tuple[str, ...] = ("authorization_code",), access_ttl: int = 3600) -> None:
        self.env = {"OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": client_secret,
                    "OIDC_REDIRECT_URI": redirect_uri, "OIDC_ACCOUNTS": json.dumps(accounts),
                    "OIDC_GRANT_TYPES": ",".join(grant_types), "OIDC_ACCESS_TTL": str(access_ttl)}
        self.redirect_uri = redirect_uri
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.issuer = ""

    def __enter__(self) -> OidcProvider:
        if not (app_dir() / "node_modules").exists():
            raise ProviderUnavailable("the OpenID provider is not installed: run scripts/oidc/setup.sh "
                                      "(make test does)")
        log = (app_dir() / "provider.log").open("w")  # the provider's errors, for whoever debugs it
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [_node(), "provider.mjs"], cwd=app_dir(), env={**os.environ, **self.env}, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        log.close()
        assert self.process.stdout is not None  # piped above
        line = _first_line(self.process.stdout, self.start_timeout)
        if not line:
            self.__exit__(None, None, None)
            raise ProviderUnavailable("the OpenID provider did not start")
        self.issuer = json.loads(line)["issuer"]
        return self

    def authorize(self, url: str, login: str) -> str:
        """A browser's part of the code flow: from the authorization URL through the
        provider's login and consent pages as `login`, to the address it sends the browser
        back to (the client's redirect URI with the code), which is returned, not followed."""
        browser = httpx.Client(follow_redirects=False, timeout=30)
        cookies: dict[str, str] = {}  # kept by hand: a jar would judge their expiry by this process's clock

        def visit(method: str, address: str, **data: Any) -> httpx.Response:
            answer = browser.request(method, address, headers={"Cookie": "; ".join(
                f"{k}={v}" for k, v in cookies.items())}, **data)
            for line in answer.headers.get_list("set-cookie"):
                name, _, value = line.split(";", 1)[0].partition("=")
                cookies[name.strip()] = value.strip()
            browser.cookies.clear()
            return answer

        answer = visit("GET", url)
        for _ in range(10):
            if answer.is_redirect:
                location = urljoin(str(answer.url), answer.headers["location"])
                if location.startswith(self.redirect_uri):
                    return location
                answer = visit("GET", location)
                continue
            form = FORM.search(answer.text)
            if form is None:
                raise ProviderUnavailable(f"no form at {answer.url} ({answer.status_code}): "
                                          f"{answer.text[:300]}")
            fields = dict(HIDDEN.findall(answer.text))  # the prompt this page answers
            if 'name="login"' in answer.text:
                fields.update(login=login, password="any")  # the development pages take any password
            answer = visit("POST", urljoin(str(answer.url), form.group(1)), data=fields)
        raise ProviderUnavailable(f"the provider never sent the browser back (last: {answer.url})")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
