"""A FOIL production as WACZ (issue 21): Webrecorder's packaging of WARC files with their
index and a list of pages, which ReplayWeb.page opens in a browser. Each thread is a page
(records/thread_html.py) served from a WARC response record at an address under
`.invalid` (a name that can never be a real site); every version's record from
archive.warc.gz is in it too. Built by the `wacz` package itself and checked in the
tests with `wacz validate`."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE_ROOT = "https://records.civicsocial.invalid"


class WaczError(Exception):
    """The wacz package refused what it was given (its own words in the message)."""


class ThreadPages:
    """The pages of a production's threads: a WARC of their HTML and pages.jsonl."""

    def __init__(self, workdir: Path, case_number: str) -> None:
        self.workdir, self.case_number = workdir, case_number
        self.warc_path = workdir / "threads.warc.gz"
        self.handle: BinaryIO = self.warc_path.open("wb")
        self.writer = WARCWriter(self.handle, gzip=True)
        self.pages_path = workdir / "pages.jsonl"
        self.pages = self.pages_path.open("w")
        self.pages.write(
            json.dumps({"format": "json-pages-1.0", "id": "pages", "title": f"{case_number}: threads"}) + "\n"
        )

    def add(self, name: str, title: str, html: bytes, captured_at: str) -> None:
        """A thread's page, dated by its latest capture (ISO 8601, UTC)."""
        url = f"{PAGE_ROOT}/{self.case_number}/{name}.html"
        when = captured_at.replace("+00:00", "Z")
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html)))],
            protocol="HTTP/1.1",
        )
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html),
            length=len(html),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": when},
        )
        self.writer.write_record(record)
        self.pages.write(json.dumps({"url": url, "ts": when, "title": title}, ensure_ascii=False) + "\n")

    def build(self, archive_warc: Path) -> Path:
        """Package both WARCs with their index and the pages; returns the WACZ's path."""
        self.handle.close()
        self.pages.close()
        out = self.workdir / "archive.wacz"
        from wacz.main import main as wacz_main  # here: it imports frictionless, 0.7 s a process

        said = io.StringIO()  # the package prints its progress; kept for an error message
        with contextlib.redirect_stdout(said):
            code = wacz_main(
                [
                    "create",
                    "-o",
                    str(out),
                    str(archive_warc),
                    str(self.warc_path),
                    "-p",
                    str(self.pages_path),
                    "--title",
                    f"{self.case_number} production",
                    "--desc",
                    "FOIL production: every version (archive.warc.gz) and each "
                    "thread as a page (threads.warc.gz)",
                ]
            )
        if code != 0 or "unable to find a match" in said.getvalue():
            raise WaczError(f"the WACZ could not be built: {said.getvalue().strip()[-500:]}")
        return out
