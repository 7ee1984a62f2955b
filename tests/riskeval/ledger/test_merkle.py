"""RFC 6962 / 9162 Merkle hashing and proofs, against hand-computed trees and the CT test vectors."""

from __future__ import annotations

import hashlib

import pytest

from riskeval.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves of the Certificate Transparency reference tests and the roots of their prefixes.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
L = [leaf_hash(d) for d in CT_LEAVES]


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_hashing_is_domain_separated():
    assert leaf_hash(b"x") == sha(b"\x00x")
    assert node_hash(b"a" * 32, b"b" * 32) == sha(b"\x01" + b"a" * 32 + b"b" * 32)
    assert EMPTY_ROOT == sha(b"") == root([])


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_of_the_ct_vectors(n):
    assert root(L[:n]).hex() == CT_ROOTS[n - 1]


def test_a_hand_computed_tree_of_five():
    a, b, c, d, e = L[:5]
    # RFC 6962: split at the largest power of two below n (4 for 5 leaves)
    expected = node_hash(node_hash(node_hash(a, b), node_hash(c, d)), e)
    assert root(L[:5]) == expected
    # the audit path of leaf 2 (c) in the tree of five: d, hash(a, b), e
    assert inclusion_proof(L[:5], 2) == [d, node_hash(a, b), e]
    assert inclusion_proof(L[:5], 4) == [node_hash(node_hash(a, b), node_hash(c, d))]
    # RFC 6962 2.1.3 example shapes: PROOF(3, D[7]) = [c, d, g(a,b), h(e,f,g)] for the 7-leaf tree
    a, b, c, d, e, f, g = L[:7]
    assert consistency_proof(L[:7], 3) == [c, d, node_hash(a, b), node_hash(node_hash(e, f), g)]
    assert consistency_proof(L[:7], 4) == [node_hash(node_hash(e, f), g)]
    assert consistency_proof(L[:7], 6) == [node_hash(e, f), g, node_hash(node_hash(a, b), node_hash(c, d))]


def test_every_inclusion_and_consistency_proof_up_to_33_leaves():
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(33)]
    checked = 0
    for n in range(1, 34):
        r = root(leaves[:n])
        for i in range(n):
            proof = inclusion_proof(leaves, i, n)
            assert verify_inclusion(leaves[i], i, n, proof, r)
            assert not verify_inclusion(leaves[(i + 1) % n], i, n, proof, r) or n == 1
            if proof:
                assert not verify_inclusion(leaves[i], i, n, proof[:-1], r)
                assert not verify_inclusion(leaves[i], i, n, [*proof[:-1], leaf_hash(b"x")], r)
            checked += 1
        for m in range(0, n + 1):
            proof = consistency_proof(leaves, m, n)
            assert verify_consistency(m, n, root(leaves[:m]), r, proof)
            if 0 < m < n:
                assert not verify_consistency(m, n, root(leaves[:m]), leaf_hash(b"x"), proof)
                assert not verify_consistency(m, n, leaf_hash(b"x"), r, proof)
                assert not verify_consistency(m, n, root(leaves[:m]), r, proof[:-1])
            checked += 1
    assert checked == sum(n + n + 1 for n in range(1, 34))


def test_a_rewritten_tree_is_not_consistent():
    old = L[:5]
    rewritten = [*L[:2], leaf_hash(b"forged"), *L[3:8]]
    proof = consistency_proof(rewritten, 5)
    assert not verify_consistency(5, 8, root(old), root(rewritten), proof)
    assert verify_consistency(5, 8, root(rewritten[:5]), root(rewritten), proof)


def test_bad_arguments():
    with pytest.raises(ValueError):
        inclusion_proof(L, 8)
    with pytest.raises(ValueError):
        consistency_proof(L[:3], 4)
    assert not verify_inclusion(L[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_consistency(4, 3, root(L[:4]), root(L[:3]), [])
    assert verify_consistency(0, 3, EMPTY_ROOT, root(L[:3]), [])
    assert not verify_consistency(2, 3, root(L[:2]), root(L[:3]), [])


def test_frontier_matches_the_root_at_every_size():
    f = Frontier()
    assert f.root() == EMPTY_ROOT
    for n, leaf in enumerate(L, start=1):
        f.append(leaf)
        assert f.root().hex() == CT_ROOTS[n - 1] and f.size == n
    g = f.copy()
    g.append(leaf_hash(b"more"))
    assert f.size == 8 and g.size == 9 and f.root().hex() == CT_ROOTS[7]
