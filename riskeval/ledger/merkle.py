"""Merkle trees as in Certificate Transparency (RFC 6962 section 2.1, RFC 9162 section 2.1).

Pure functions over leaf hashes (``bytes`` of length 32). A leaf hash is
``SHA-256(0x00 || data)``, an interior node ``SHA-256(0x01 || left || right)``; the tree over ``n``
leaves splits at the largest power of two below ``n``; the empty tree's hash is ``SHA-256("")``.

Examples
--------
>>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
>>> r = root(leaves)
>>> proof = inclusion_proof(leaves, 3)
>>> verify_inclusion(leaves[3], 3, 5, proof, r)
True
>>> verify_inclusion(leaves[2], 3, 5, proof, r)
False
>>> c = consistency_proof(leaves, 3)
>>> verify_consistency(3, 5, root(leaves[:3]), r, c)
True
>>> f = Frontier()
>>> for leaf in leaves:
...     f.append(leaf)
>>> f.root() == r, f.size
(True, 5)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``.

    Examples
    --------
    >>> leaf_hash(b"").hex()
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'
    """
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash MTH over ``leaves`` (leaf hashes).

    Examples
    --------
    >>> root([]) == EMPTY_ROOT
    True
    >>> a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    >>> root([a, b, c]) == node_hash(node_hash(a, b), c)
    True
    """
    f = Frontier()
    for leaf in leaves:
        f.append(leaf)
    return f.root()


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 0:
        return EMPTY_ROOT
    if hi - lo == 1:
        return leaves[lo]
    k = _split(hi - lo)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """The audit path PATH(index, D[size]) (RFC 6962 2.1.1), leaf to root.

    Raises
    ------
    ValueError
        ``index`` is not below ``size``.
    """
    n = len(leaves) if size is None else size
    if not 0 <= index < n <= len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {n}")
    path: list[bytes] = []
    lo, hi, m = 0, n, index
    # walk down, collecting siblings; reversed at the end (leaf first)
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    return path[::-1]


def consistency_proof(leaves: Sequence[bytes], old_size: int, size: int | None = None) -> list[bytes]:
    """PROOF(old_size, D[size]) (RFC 6962 2.1.2): the tree of ``size`` leaves extends the old one.

    Raises
    ------
    ValueError
        ``old_size`` is not within ``0..size``.
    """
    n = len(leaves) if size is None else size
    if not 0 <= old_size <= n <= len(leaves):
        raise ValueError(f"no consistency proof from {old_size} to {n}")
    if old_size == 0 or old_size == n:
        return []
    out: list[bytes] = []

    def sub(m: int, lo: int, hi: int, complete: bool) -> None:
        if m == hi - lo:
            if not complete:
                out.append(_mth(leaves, lo, hi))
            return
        k = _split(hi - lo)
        if m <= k:
            sub(m, lo, lo + k, complete)
            out.append(_mth(leaves, lo + k, hi))
        else:
            sub(m - k, lo + k, hi, False)
            out.append(_mth(leaves, lo, lo + k))

    sub(old_size, 0, n, True)
    return out


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether ``leaf`` is leaf ``index`` of the tree of ``size`` with ``expected_root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: whether the tree (``size``, ``new_root``) extends (``old_size``, ``old_root``)."""
    if not 0 <= old_size <= size:
        return False
    if old_size == size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The right edge of a growing tree: the roots of its perfect subtrees, largest first.

    Appending is amortised one hash; :meth:`root` costs one hash per set bit of the size.
    """

    __slots__ = ("size", "_stack")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        height, h = 0, leaf
        stack = self._stack
        while stack and stack[-1][0] == height:
            _, left = stack.pop()
            h = node_hash(left, h)
            height += 1
        stack.append((height, h))
        self.size += 1

    def root(self) -> bytes:
        """The tree hash over the leaves appended so far."""
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h

    def copy(self) -> Frontier:
        """An independent copy."""
        other = Frontier()
        other.size = self.size
        other._stack = list(self._stack)
        return other
