"""Read YAML while keeping the line of every key and item.

Validation messages must name ``file:line`` (issue 3), so the catalog and
study files are read with a loader that returns :class:`LineDict` and
:class:`LineList` objects: plain ``dict``/``list`` subclasses that also
remember the 1-based line of each key, value and item.

Two departures from :func:`yaml.safe_load` keep the input honest:

- timestamps and dates are *not* converted: ``2025-09-24T09:30:00+08:00``
  stays a string, so the catalog parses it itself and can reject a timestamp
  without a UTC offset instead of silently reading it as UTC;
- a key repeated in a mapping is an error (PyYAML keeps the last one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["LineDict", "LineList", "YamlSyntaxError", "load_yaml"]


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the lines of its keys and values.

    Attributes
    ----------
    line : int
        Line where the mapping starts (1-based).
    key_lines : dict
        Line of each key.
    value_lines : dict
        Line where each value starts.
    """

    line: int
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """Return the line of ``key``'s value, or the mapping's line if absent.

        Parameters
        ----------
        key : hashable
            A key of the mapping.

        Returns
        -------
        int
            1-based line number.
        """
        return self.value_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each item.

    Attributes
    ----------
    line : int
        Line where the sequence starts (1-based).
    item_lines : list of int
        Line of each item.
    """

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """Return the line of item ``index``.

        Parameters
        ----------
        index : int
            Position of the item.

        Returns
        -------
        int
            1-based line number.
        """
        return self.item_lines[index]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader without timestamp resolution, building LineDict/LineList."""


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.value_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise YamlSyntaxError(
                "a mapping key must be a plain value", key_line
            ) from None
        if key in out:
            message = f"duplicate key {key!r} (first on line {out.key_lines[key]})"
            found = getattr(loader, "duplicates", None)
            if found is None:
                raise YamlSyntaxError(message, key_line)
            found.append((key_line, message))  # kept: the first value
            continue
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_line
        out.value_lines[key] = value_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(text: str) -> Any:
    r"""Parse YAML text into plain values, LineDict and LineList.

    Parameters
    ----------
    text : str
        The YAML document.

    Returns
    -------
    object
        The document; ``None`` when empty.

    Raises
    ------
    YamlSyntaxError
        On a syntax error or a duplicate key, with the 1-based line.

    Examples
    --------
    >>> doc = load_yaml("a: 1\nb:\n  - 2025-02-24\n")
    >>> doc["b"][0], doc.line_of("b"), doc["b"].line_of(0)
    ('2025-02-24', 3, 3)
    """
    doc, _ = _load(text, _LineLoader)
    return doc


class _CollectingLoader(_LineLoader):
    """A :class:`_LineLoader` that records duplicate keys instead of stopping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def load_yaml_all_problems(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """Parse like :func:`load_yaml`, but go on past duplicate keys.

    A repeated key keeps its first value and is returned as a problem, so
    that validation can report it together with every other problem.

    Parameters
    ----------
    text : str
        The YAML document.

    Returns
    -------
    doc : object
        As :func:`load_yaml`.
    duplicates : list of (int, str)
        Line and message of each repeated key.

    Raises
    ------
    YamlSyntaxError
        On a syntax error, with the 1-based line.
    """
    return _load(text, _CollectingLoader)


def _load(
    text: str, loader_class: type[_LineLoader]
) -> tuple[Any, list[tuple[int, str]]]:
    loader = loader_class(text)
    try:
        doc = loader.get_single_data()
        return doc, list(getattr(loader, "duplicates", []))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"invalid YAML: {problem}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", 0) from exc
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file (see :func:`load_yaml`).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    object
        The document.
    """
    return load_yaml(path.read_text(encoding="utf-8"))
