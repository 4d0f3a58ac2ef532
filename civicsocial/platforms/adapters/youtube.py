"""YouTube through the Data API v3 with Google's client library (google-api-python-client,
built from the discovery document it ships) and the channel owner's OAuth 2.0 credentials
(google-auth refreshes the access token; the account's secret is the authorized-user JSON:
client_id, client_secret, refresh_token, token_uri).

Reading: the channel's uploads are listed completely (a video gone from the list becomes a
removal), with each video's title and description (an edit is a new version), its thumbnail,
and its caption tracks (the channel owns them) downloaded when new or changed. The comment
threads of videos published in the last THREAD_DAYS days, and every reply, are listed
completely too. The video files themselves are not captured: the Data API offers no way to
download them. Each call costs quota (10,000 units a day by default): a list costs 1, a
caption download 200; when the quota is spent the run stops and says when it comes back.
Moderation (P22): hold a comment for review (hide) or reject it (delete).
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import google.auth.exceptions
import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from civicsocial.platforms.adapters.base import (
    Capability,
    MediaFile,
    NotSupported,
    PlatformError,
    Published,
    ReadResult,
)
from civicsocial.platforms.adapters.snapshots import Profile, image_entry, profile_line
from civicsocial.platforms.retry import RetryPolicy, with_retries

THREAD_DAYS = 14
PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's quota resets at midnight Pacific time
SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]


def _seconds_to_quota_reset(now: datetime | None = None) -> float:
    now = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


class YouTubeAdapter:
    platform = "youtube"
    capabilities = frozenset(
        {Capability.READ, Capability.PROFILE, Capability.HIDE, Capability.UNHIDE,
         Capability.DELETE_THIRD_PARTY}
    )

    def __init__(
        self,
        base_url: str,
        handle: str,
        secret: str,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.handle = handle
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        try:
            info = json.loads(secret)
            credentials = Credentials.from_authorized_user_info(info, SCOPES)
            # google-auth always uses Google's token endpoint; another one is honoured only on
            # the API host itself (the contract server), so a secret cannot send tokens elsewhere.
            if str(info.get("token_uri", "")).startswith(base_url.rstrip("/") + "/"):
                credentials = credentials.with_token_uri(info["token_uri"])
        except (ValueError, KeyError) as error:
            raise PlatformError(
                "the account's YouTube credentials are not an authorized-user JSON "
                f"(client_id, client_secret, refresh_token): {error}"
            ) from None
        self._http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
        self._api = build(
            "youtube",
            "v3",
            http=self._http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": base_url.rstrip("/") + "/"},
        )
        self._channel: dict[str, Any] | None = None

    def _call(self, request: Callable[[Any], Any]) -> Any:
        def once() -> Any:
            try:
                return request(self._api).execute(num_retries=0)
            except HttpError as error:
                raise self._translate(error) from None
            except google.auth.exceptions.RefreshError as error:
                raise PlatformError(
                    f"Google refused the account's credentials (authorize it again): {error}"
                ) from None
            except (
                google.auth.exceptions.TransportError,
                httplib2.HttpLib2Error,
                http.client.HTTPException,
                OSError,  # timeouts too
            ) as error:
                raise PlatformError(f"YouTube is unreachable: {error!r}", retry_after=0.0) from None
            except ValueError:  # a cut-off or garbled body
                raise PlatformError("garbled answer from YouTube", retry_after=0.0) from None

        return with_retries(once, self.retry, self.sleep)

    def _translate(self, error: HttpError) -> PlatformError:
        status = int(error.resp.status)
        reasons = {detail.get("reason") for detail in error.error_details or [] if isinstance(detail, dict)}
        if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
            return PlatformError(
                "YouTube's daily quota is spent: capture resumes after midnight Pacific time",
                retry_after=_seconds_to_quota_reset(),
            )
        if status == 429 or reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
            retry_after = error.resp.get("retry-after")
            return PlatformError("rate limited by YouTube", retry_after=float(retry_after or 1))
        if status >= 500:
            return PlatformError(f"YouTube is unavailable ({status})", retry_after=0.0)
        if status == 401:
            return PlatformError("YouTube refused the account's credentials (authorize it again)")
        return PlatformError(
            f"YouTube refused ({status} {', '.join(sorted(r for r in reasons if r))}): {error.reason}"
        )

    @property
    def channel(self) -> dict[str, Any]:
        if self._channel is None:
            items = self._call(
                lambda api: api.channels().list(
                    part="snippet,contentDetails,brandingSettings,status", mine=True
                )
            ).get("items", [])
            if not items:
                raise PlatformError("the credentials belong to no YouTube channel")
            self._channel = items[0]
        return self._channel

    def _pages(self, request: Callable[[Any, str | None], Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            answer = self._call(lambda api, t=token: request(api, t))  # type: ignore[misc]
            items += answer.get("items", [])
            token = answer.get("nextPageToken")
            if not token:
                return items

    # Reading

    def read_since(self, cursor: str) -> ReadResult:
        """Every upload (with new captions), the comments of recent ones, removals noticed."""
        seen = json.loads(cursor) if cursor else {}
        captions_seen: dict[str, str] = seen.get("captions", {})
        uploads = self.channel["contentDetails"]["relatedPlaylists"]["uploads"]
        listed = self._pages(
            lambda api, token: api.playlistItems().list(
                part="contentDetails", playlistId=uploads, maxResults=50, pageToken=token
            )
        )
        ids = [item["contentDetails"]["videoId"] for item in listed]
        videos: list[dict[str, Any]] = []
        for start in range(0, len(ids), 50):
            videos += self._call(
                lambda api, batch=ids[start : start + 50]: api.videos().list(  # type: ignore[misc]
                    part="snippet,contentDetails,status", id=",".join(batch), maxResults=50
                )
            ).get("items", [])
        captures = [self._video_line(video, captions_seen) for video in videos]
        scopes = [f"youtube:{self.channel['id']}/videos/"]
        recent = datetime.now(UTC) - timedelta(days=THREAD_DAYS)
        for video in videos:
            if datetime.fromisoformat(video["snippet"]["publishedAt"].replace("Z", "+00:00")) >= recent:
                captures += self._comments_of(video["id"])
                scopes.append(f"youtube:{video['id']}/comments/")
        return ReadResult(
            captures, json.dumps({"captions": captions_seen}), scopes, platform_user_id=self.channel["id"]
        )

    def _video_line(self, video: dict[str, Any], captions_seen: dict[str, str]) -> dict[str, Any]:
        snippet = video["snippet"]
        thumbnail = ((snippet.get("thumbnails") or {}).get("high") or {}).get("url", "")
        media = [image_entry(thumbnail)] if thumbnail else []
        if (video.get("contentDetails") or {}).get("caption") == "true":
            media += self._new_captions(video["id"], captions_seen)
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": f"youtube:{self.channel['id']}/videos/{video['id']}",
            "kind": "post",
            "author": self.handle,
            "text": "\n\n".join(
                part for part in (snippet.get("title", ""), snippet.get("description", "")) if part
            ),
            "created_at": snippet["publishedAt"].replace("Z", "+00:00"),
            "captured_at": datetime.now(UTC).isoformat(),
            "url": f"https://www.youtube.com/watch?v={video['id']}",
            "media": media,
            "raw": video,
        }

    def _new_captions(self, video_id: str, captions_seen: dict[str, str]) -> list[dict[str, Any]]:
        """Caption tracks added or changed since last seen, downloaded (200 quota units each)."""
        tracks = self._call(lambda api: api.captions().list(part="snippet", videoId=video_id)).get(
            "items", []
        )
        media = []
        for track in tracks:
            updated = track["snippet"].get("lastUpdated", "")
            if captions_seen.get(track["id"]) == updated:
                continue
            data = self._call(lambda api, t=track["id"]: api.captions().download_media(id=t, tfmt="srt"))  # type: ignore[misc]
            media.append(
                {
                    "url": f"https://www.youtube.com/api/timedtext?v={video_id}"
                    f"&lang={track['snippet'].get('language', '')}",
                    "content_type": "application/x-subrip",
                    "data": base64.b64encode(
                        data if isinstance(data, bytes) else str(data).encode()
                    ).decode(),
                }
            )
            captions_seen[track["id"]] = updated
        return media

    def _comments_of(self, video_id: str) -> list[dict[str, Any]]:
        threads = self._pages(
            lambda api, token: api.commentThreads().list(
                part="snippet,replies",
                videoId=video_id,
                maxResults=100,
                pageToken=token,
                textFormat="plainText",
            )
        )
        lines = []
        for thread in threads:
            top = thread["snippet"]["topLevelComment"]
            lines.append(self._comment_line(video_id, top))
            replies = (thread.get("replies") or {}).get("comments", [])
            if thread["snippet"].get("totalReplyCount", 0) > len(replies):
                replies = self._pages(
                    lambda api, token, parent=top["id"]: api.comments().list(  # type: ignore[misc]
                        part="snippet",
                        parentId=parent,
                        maxResults=100,
                        pageToken=token,
                        textFormat="plainText",
                    )
                )
            lines += [self._comment_line(video_id, reply) for reply in replies]
        return lines

    def _comment_line(self, video_id: str, comment: dict[str, Any]) -> dict[str, Any]:
        snippet = comment["snippet"]
        mine = (snippet.get("authorChannelId") or {}).get("value") == self.channel["id"]
        parent = snippet.get("parentId")
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": f"youtube:{video_id}/comments/{comment['id']}",
            "kind": "reply" if mine else "comment",
            "author": self.handle if mine else snippet.get("authorDisplayName", ""),
            "text": snippet.get("textOriginal") or snippet.get("textDisplay", ""),
            "created_at": snippet["publishedAt"].replace("Z", "+00:00"),
            "captured_at": datetime.now(UTC).isoformat(),
            "parent_id": f"youtube:{video_id}/comments/{parent}"
            if parent
            else f"youtube:{self.channel['id']}/videos/{video_id}",
            "url": f"https://www.youtube.com/watch?v={video_id}&lc={comment['id']}",
            "raw": comment,
        }

    def read_profile(self) -> dict[str, Any]:
        self._channel = None
        channel = self.channel
        snippet = channel["snippet"]
        return profile_line(
            self.platform,
            self.handle,
            Profile(
                f"youtube:{channel['id']}#profile",
                f"https://www.youtube.com/channel/{channel['id']}",
                snippet.get("title", ""),
                snippet.get("description", ""),
                [f"https://www.youtube.com/{snippet['customUrl']}"] if snippet.get("customUrl") else [],
                False,
                ((snippet.get("thumbnails") or {}).get("high") or {}).get("url", ""),
                snippet.get("publishedAt", "1970-01-01T00:00:00Z").replace("Z", "+00:00"),
            ),
            {"channel": channel},
        )

    # Acting

    def publish(
        self, text: str, idempotency_key: str, reply_to: str = "", media: Sequence[MediaFile] = ()
    ) -> Published:
        raise NotSupported("uploading to YouTube is done in YouTube Studio")

    def _moderate(self, item_id: str, status: str) -> None:
        if "/comments/" not in item_id:
            raise NotSupported("only comments can be held or rejected on YouTube")
        comment = item_id.rsplit("/", 1)[-1]
        self._call(lambda api: api.comments().setModerationStatus(id=comment, moderationStatus=status))

    def hide(self, item_id: str) -> None:
        """Hold the comment for review: the public no longer sees it (P22)."""
        self._moderate(item_id, "heldForReview")

    def unhide(self, item_id: str) -> None:
        self._moderate(item_id, "published")

    def delete(self, item_id: str) -> None:
        """Reject the comment: removed from the video for good."""
        self._moderate(item_id, "rejected")
