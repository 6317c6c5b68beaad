"""YAML from outside (report types, rules, contributions), bounded: ``yaml.safe_load`` builds only
plain data, but an alias bomb (``a: &a [x, x]``, ``b: &b [*a, *a]``, ...) of one kilobyte expands to
billions of nodes for whoever walks the result, and deep nesting makes the composer recurse until
RecursionError. :func:`load` composes the document (linear in the text: an alias is a reference),
measures the tree as it would be expanded, and constructs it only when text, depth and expanded size
are within bounds. :class:`YamlRejected` is a ``yaml.YAMLError``, so callers' handlers keep working.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "YamlRejected", "load"]

MAX_CHARS = 5_000_000  # a file of report types with many blocks is well under a megabyte
MAX_DEPTH = 64
MAX_NODES = 200_000  # scalars, lists and mappings of the document with every alias expanded


class YamlRejected(yaml.YAMLError):
    """The YAML is refused before it is built; ``str()`` is the Vietnamese reason."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than MAX_DEPTH (instead of RecursionError)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.last_mark: Any = None

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlRejected(f"YAML lồng nhau quá sâu (quá {MAX_DEPTH} cấp) ở dòng {mark.line + 1}.")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        self.last_mark = node.start_mark  # where a scalar that cannot be built (2020-13-45) stands
        return super().construct_object(node, deep)


def _expanded_size(root: Node, limit: int) -> int:
    """Nodes of the tree with aliases expanded, counted once per distinct node (memoised: linear)."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        if total > limit:
            raise YamlRejected(
                f"YAML quá lớn khi mở rộng các tham chiếu (&/*): hơn {limit} phần tử "
                f"(từ dòng {node.start_mark.line + 1})."
            )
        sizes[id(node)] = total
        return total

    return size(root)


def load(text: str | bytes, max_nodes: int = MAX_NODES) -> Any:
    """``yaml.safe_load`` within bounds of size, depth and expanded nodes; YamlRejected otherwise."""
    if len(text) > MAX_CHARS:
        raise YamlRejected(f"Tệp YAML quá lớn ({len(text)} ký tự; tối đa {MAX_CHARS}).")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise YamlRejected("Tệp YAML phải là văn bản UTF-8.") from None
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, max_nodes)
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError) as exc:  # a scalar PyYAML cannot build: 2020-13-45, a huge int
            raise YamlRejected(
                f"Giá trị YAML không đọc được (dòng {_line_of(loader, node)}): ngày không có thật "
                "hoặc số quá lớn."
            ) from exc
    finally:
        loader.dispose()


def _line_of(loader: _BoundedLoader, node: Node) -> int:
    """The line (from 1) of the node being built when construction failed, else of the document."""
    mark = loader.last_mark or node.start_mark
    return int(mark.line) + 1
