"""Seal proofs (P27): the Merkle tree follows RFC 6962, so anyone can check a
production's proofs with a few lines of their own code."""

import hashlib

from django.test import SimpleTestCase

from civicsocial.records.hashing import MerkleTree, merkle_root, verify_proof


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """The definition in RFC 6962 section 2.1, written out independently."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


class MerkleTestCase(SimpleTestCase):
    def test_it_computes_the_rfc6962_root_and_a_proof_for_every_leaf(self):
        for n in range(1, 40):
            hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
            root = merkle_root(hashes)
            self.assertEqual(root, rfc6962_root([bytes.fromhex(h) for h in hashes]).hex())
            tree = MerkleTree(hashes)
            for index, leaf in enumerate(hashes):
                proof = tree.proof(index)
                self.assertTrue(verify_proof(leaf, proof, root), (n, index))
                other = hashes[(index + 1) % n]
                if other != leaf:
                    self.assertFalse(verify_proof(other, proof, root), (n, index))

    def test_it_keeps_the_root_of_an_empty_day_fixed(self):
        self.assertEqual(merkle_root([]), hashlib.sha256(b"").hexdigest())
