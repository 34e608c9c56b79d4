"""Property: any tree of nested zip, tar, tar.xz and gzip archives, walked with max_depth equal
to its own depth, yields exactly its leaf files, each with its full path chain, in order."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakwarden.expand.archives import ArchiveLimits, Member, walk
from tests.archive_builders import compress, make_tar, make_zip


@dataclass(frozen=True)
class Node:
    kind: str  # leaf, zip, tar, tar.xz, gz
    name: str
    payload: bytes = b""
    children: tuple[Node, ...] = ()


_SUFFIX = {"zip": ".jar", "tar": ".tar", "tar.xz": ".txz"}
_names = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)
_leaves = st.builds(
    lambda name, payload: Node("leaf", name + ".txt", payload), _names, st.binary(max_size=300)
)


def _archives(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    kids = st.lists(children, min_size=1, max_size=4, unique_by=lambda node: node.name).map(tuple)
    multi = st.builds(
        lambda kind, name, nodes: Node(kind, name + _SUFFIX[kind], children=nodes),
        st.sampled_from(sorted(_SUFFIX)),
        _names,
        kids,
    )
    # A gzip holds one file and takes its name: x.tar -> x.tar.gz, notes.txt -> notes.txt.gz.
    single = children.map(lambda child: Node("gz", child.name + ".gz", children=(child,)))
    return multi | single


_trees = st.recursive(_leaves, _archives, max_leaves=12).filter(lambda node: node.kind != "leaf")


def _numbered(node: Node, counter: itertools.count[int]) -> Node:
    """Every leaf made unique (dedup would rightly drop a repeated one) and unlike any magic."""
    if node.kind == "leaf":
        return Node("leaf", node.name, b"leaf %d:" % next(counter) + node.payload)
    return Node(node.kind, node.name, children=tuple(_numbered(c, counter) for c in node.children))


def _build(node: Node) -> bytes:
    if node.kind == "leaf":
        return node.payload
    files = [(child.name, _build(child)) for child in node.children]
    if node.kind == "zip":
        return make_zip(files)
    if node.kind == "gz":
        return compress("gz", files[0][1])
    return make_tar(files, "xz" if node.kind == "tar.xz" else "")


def _collapses(node: Node) -> bool:
    """A gzip of a tar is one archive, tar.gz: its members sit directly under it."""
    return node.kind == "gz" and node.children[0].kind == "tar"


def _depth(node: Node) -> int:
    if node.kind == "leaf":
        return 0
    if _collapses(node):
        return _depth(node.children[0])
    return 1 + max(_depth(child) for child in node.children)


def _expected(node: Node, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], bytes]]:
    if node.kind == "leaf":
        return [(path, node.payload)]
    inner = node.children[0].children if _collapses(node) else node.children
    found: list[tuple[tuple[str, ...], bytes]] = []
    for child in inner:
        found.extend(_expected(child, (*path, child.name)))
    return found


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees)
def test_nested_archives_yield_exactly_their_leaves(tree: Node) -> None:
    tree = _numbered(tree, itertools.count())
    limits = ArchiveLimits(max_depth=_depth(tree))
    items = list(walk(_build(tree), tree.name, limits))
    assert all(isinstance(item, Member) for item in items), [i for i in items if not isinstance(i, Member)]
    assert [(item.path, item.data) for item in items if isinstance(item, Member)] == _expected(
        tree, (tree.name,)
    )
