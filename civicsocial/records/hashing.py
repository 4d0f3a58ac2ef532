"""Tamper evidence: canonical JSON, content and chain hashes, Merkle roots and proofs.

The Merkle tree follows RFC 6962 (Certificate Transparency): leaves are hashed with a
0x00 prefix and nodes with 0x01, so a leaf can never pass for a node; an odd tree splits
at the largest power of two below its size. A proof is the audit path of one leaf.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import orjson

_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, other types as str().

    orjson writes the same bytes as `json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` for the strings, numbers and booleans that hashes cover (a
    property test holds it to that), ten times faster; what it refuses (lone surrogates,
    integers past 64 bits) json writes, a lone surrogate as its UTF-8 form (surrogatepass)."""
    try:
        return orjson.dumps(data, option=_ORJSON, default=str)
    except orjson.JSONEncodeError:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str).encode("utf-8", "surrogatepass")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in blocks (any size)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


CONTENT_FIELDS = ("kind", "author", "text", "created_at", "parent_id", "url", "language",
                  "deleted", "media")


def content_hash(fields: dict[str, Any]) -> str:
    """What a version says. Two captures with the same content hash are the same version."""
    return sha256_hex(canonical({k: fields.get(k) for k in CONTENT_FIELDS}))


def chain_hash(prev_hash: str, record: dict[str, Any]) -> str:
    """The link: this version's record bound to the previous link of its stream."""
    return sha256_hex(prev_hash.encode() + canonical(record))


def chain_record(*, seq: int, item_id: str, version_no: int, change: str, captured_at: str,
                 content_hash: str, raw_hash: str) -> dict[str, Any]:
    """The fields a chain hash covers (everything that identifies and orders a version)."""
    return {"seq": seq, "item_id": item_id, "version_no": version_no, "change": change,
            "captured_at": captured_at, "content_hash": content_hash, "raw_hash": raw_hash}


def _leaf(data: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(data)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class MerkleTree:
    """An RFC 6962 tree over hex hashes that computes each subtree once, so proofs for
    every leaf of a day's seal cost O(log n) each, not a rebuild of the tree each."""

    def __init__(self, hashes: list[str]) -> None:
        self.leaves = [_leaf(h) for h in hashes]
        self._nodes: dict[tuple[int, int], bytes] = {}

    def _range(self, lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return self.leaves[lo]
        node = self._nodes.get((lo, hi))
        if node is None:
            k = _split(hi - lo)
            node = self._nodes[(lo, hi)] = _node(self._range(lo, lo + k), self._range(lo + k, hi))
        return node

    def root(self) -> str:
        return self._range(0, len(self.leaves)).hex() if self.leaves else sha256_hex(b"")

    def proof(self, index: int) -> list[list[str]]:
        """Audit path for leaf `index`: [[side, sibling hex], ...] from leaf to root."""
        path: list[list[str]] = []
        lo, hi = 0, len(self.leaves)
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                path.append(["right", self._range(lo + k, hi).hex()])
                hi = lo + k
            else:
                path.append(["left", self._range(lo, lo + k).hex()])
                lo += k
        return path[::-1]


def merkle_root(hashes: list[str]) -> str:
    """Root over hex hashes (the chain hashes of one stream's day, in chain order)."""
    return MerkleTree(hashes).root()


def verify_proof(leaf_hash: str, proof: list[list[str]], root: str) -> bool:
    node = _leaf(leaf_hash)
    for side, sibling in proof:
        other = bytes.fromhex(sibling)
        node = _node(other, node) if side == "left" else _node(node, other)
    return node.hex() == root
