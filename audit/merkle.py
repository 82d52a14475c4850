"""The ledger's Merkle tree (RFC 9162 §2.1), kept as the hashes of its complete subtrees.

A tree of n leaves is the RFC's: MTH(D[n]) splits at the largest power of two below n. Every subtree the RFC's
recursions name — in MTH, PATH (§2.1.3.1) and SUBPROOF (§2.1.4.1) — starts at a multiple of a power of two at
least its size, so it is a run of complete subtrees of decreasing height, each of them stored once (`TreeNode`,
and `Leaf` for height 0) when its last leaf arrives. A proof is therefore one query for at most about 2·log2(n)
stored hashes, whatever the size of the tree. The verifying side is audit/logverify.py."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max

from audit.logverify import EMPTY_ROOT, node_hash
from audit.models import Leaf, TreeNode

Node = tuple[int, int]  # (height, position from the left among subtrees of that height)
_POSITION_BITS = 48


def node_key(level: int, position: int) -> int:
    return level << _POSITION_BITS | position


def _largest_power_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(start: int, end: int) -> list[Node]:
    """The complete subtrees, left to right, that make up D[start:end] (an RFC subtree, or a whole tree)."""
    nodes, offset = [], start
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


def fold(hashes: list[bytes]) -> bytes:
    """The root of a run of complete subtrees of decreasing height: the right ones hang under the left."""
    if not hashes:
        return EMPTY_ROOT
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = node_hash(left, value)
    return value


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, as the subtrees whose hashes make the audit path, leaf side first."""
    ranges, start, end = [], 0, size
    while end - start > 1:
        k = _largest_power_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, as subtrees, in the proof's order."""
    ranges, start, end, m, whole = [], 0, second, first, True
    while m != end - start:
        k = _largest_power_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    return ranges[::-1]


def stored_hashes(nodes: Iterable[Node], using: str = "default") -> dict[Node, bytes]:
    """The stored hashes of complete subtrees, in one query per table."""
    wanted = set(nodes)
    leaves = [position for level, position in wanted if level == 0]
    keys = {node_key(level, position): (level, position) for level, position in wanted if level}
    found: dict[Node, bytes] = {}
    if leaves:
        for index, value in Leaf.objects.using(using).filter(index__in=leaves).values_list("index", "hash"):
            found[(0, index)] = bytes.fromhex(value)
    if keys:
        for key, value in TreeNode.objects.using(using).filter(key__in=keys).values_list("key", "hash"):
            found[keys[key]] = bytes.fromhex(value)
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"audit: the tree lacks the subtrees {sorted(missing)[:5]}")
    return found


def range_hashes(ranges: list[tuple[int, int]], using: str = "default") -> list[bytes]:
    plans = [complete_subtrees(start, end) for start, end in ranges]
    found = stored_hashes((node for plan in plans for node in plan), using)
    return [fold([found[node] for node in plan]) for plan in plans]


def tree_size(using: str = "default") -> int:
    top = Leaf.objects.using(using).aggregate(top=Max("index"))["top"]
    return 0 if top is None else top + 1


def root(size: int, using: str = "default") -> bytes:
    return range_hashes([(0, size)], using)[0] if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, using: str = "default") -> list[bytes]:
    return range_hashes(inclusion_ranges(index, size), using)


def consistency_proof(first: int, second: int, using: str = "default") -> list[bytes]:
    return range_hashes(consistency_ranges(first, second), using) if 0 < first < second else []


def extend(size: int, edge: list[bytes], leaves: list[bytes]) -> tuple[list[tuple[Node, bytes]], list[bytes]]:
    """Append `leaves` to a tree of `size` whose right edge (its complete subtrees, left to right) is `edge`:
    answers the complete subtrees of height ≥ 1 that the new leaves complete, and the new right edge."""
    stack = [(level, edge_hash) for (level, _), edge_hash in zip(complete_subtrees(0, size), edge, strict=True)]
    new_nodes: list[tuple[Node, bytes]] = []
    for offset, leaf in enumerate(leaves):
        position, level, value = size + offset, 0, leaf
        while stack and stack[-1][0] == level:
            value = node_hash(stack.pop()[1], value)
            level, position = level + 1, position >> 1
            new_nodes.append(((level, position), value))
        stack.append((level, value))
    return new_nodes, [value for _, value in stack]


def right_edge(size: int, using: str = "default") -> list[bytes]:
    nodes = complete_subtrees(0, size)
    found = stored_hashes(nodes, using)
    return [found[node] for node in nodes]


def save_nodes(nodes: list[tuple[Node, bytes]], using: str = "default") -> None:
    rows = [TreeNode(key=node_key(*node), hash=value.hex()) for node, value in nodes]
    TreeNode.objects.using(using).bulk_create(rows, batch_size=2000)



def export(entries: Iterable, checkpoint: dict) -> dict:
    """Entries with their inclusion proofs into the tree of a signed checkpoint: what `logverify.py export` checks
    (each leaf recomputed from the entry's fields, then proved into the checkpoint's root). Entries not yet in
    that tree are left out; a reader can tell from the proofs that nothing was made up, and from the entry numbers
    and the project's other records what was left out."""
    from audit import canonical, ledger

    size = checkpoint["tree_size"]
    items = []
    for entry in entries:
        index = Leaf.objects.filter(entry_seq=entry.seq).values_list("index", flat=True).first()
        if index is None or index >= size:
            continue
        fields = dict(zip(canonical.ENTRY_FIELDS, ledger.entry_values(entry), strict=True))
        items.append({"leaf_index": index, "entry": {**fields, "data": entry.data},
                      "audit_path": [h.hex() for h in inclusion_proof(index, size)]})
    return {"checkpoint": checkpoint, "entries": items}
