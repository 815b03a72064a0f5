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

import re
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "LineDict",
    "LineList",
    "YamlSyntaxError",
    "check_yaml_limits",
    "load_yaml",
    "yaml_repr",
]

#: Most values a catalog or study file may hold once its aliases (``*name``)
#: are expanded: a large catalog has some 10^5, an alias bomb ("billion
#: laughs") 10^9.
MAX_NODES = 2_000_000
#: Deepest nesting of mappings and sequences (a catalog needs about 5).
MAX_DEPTH = 40


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


#: libyaml's C parser when PyYAML was built with it (its nodes still carry
#: line marks), else the pure-Python one; the constructors are the same.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
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


def check_yaml_limits(
    text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> None:
    """Refuse YAML that would blow up when built: alias bombs, deep nesting.

    Scans the parser's events only (no object is built), so any loader can
    call it before loading. An alias bomb ("billion laughs") is a few lines
    whose aliases expand to billions of values, and deep nesting exhausts
    the recursion of the composer: both would end in a MemoryError or a
    RecursionError instead of a message. The scan counts the values of the
    document with every alias expanded (an alias counts the values of its
    anchor).

    Parameters
    ----------
    text : str
        The YAML document.
    max_nodes : int
        Most values (scalars and collections, aliases expanded) allowed.
    max_depth : int
        Deepest nesting of mappings and sequences allowed.

    Raises
    ------
    YamlSyntaxError
        Naming the limit and the line where it was passed; also on a syntax
        error met during the scan.
    """
    sizes: dict[str, int] = {}  # values under each anchor, itself included
    stack: list[tuple[str | None, int]] = [(None, 0)]  # (anchor, values so far)
    parser: yaml.SafeLoader | None = None
    try:
        parser = _BaseLoader(text)  # (libyaml's events, when available)
        while (event := parser.get_event()) is not None:  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > max_depth:
                    raise YamlSyntaxError(
                        f"nested more than {max_depth} levels deep: refused (a "
                        "catalog or study file needs a few levels)",
                        line,
                    )
                stack.append((event.anchor, 1))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, n = stack.pop()
            elif isinstance(event, yaml.AliasEvent):
                anchor, n = None, sizes.get(str(event.anchor), 1)
            elif isinstance(event, yaml.ScalarEvent):
                anchor, n = event.anchor, 1
            else:
                continue
            if anchor is not None:
                sizes[anchor] = n
            top_anchor, top = stack[-1]
            stack[-1] = (top_anchor, top + n)
            if top + n > max_nodes:
                raise YamlSyntaxError(
                    f"the document expands to more than {max_nodes:,} values "
                    "(aliases *name counted with what they repeat): refused, "
                    "as an alias bomb would exhaust the memory",
                    line,
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:  # (libyaml's own limit, 1000)
            raise YamlSyntaxError(
                f"nested more than {max_depth} levels deep: refused (a "
                "catalog or study file needs a few levels)",
                line,
            ) from exc
        raise YamlSyntaxError(f"invalid YAML: {problem}", line) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise YamlSyntaxError(
            f"character U+{exc.character:04X} is not allowed in a YAML file "
            "(a control character: is this a text file?)",
            line,
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {_first_line(exc)}", 0) from exc
    finally:
        if parser is not None:
            parser.dispose()


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _load(
    text: str, loader_class: type[_LineLoader]
) -> tuple[Any, list[tuple[int, str]]]:
    check_yaml_limits(text)
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


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def yaml_repr(value: Any, limit: int = 80) -> str:
    """Write a value as it would be written in YAML, for error messages.

    ``True`` is ``true``, ``None`` is ``null``, a list ``[1, 2]``, a text
    ``'text'``; long values are cut at ``limit`` characters.

    Parameters
    ----------
    value : object
        A value read from a YAML file.
    limit : int
        Longest output; longer ones end in ``...``.

    Returns
    -------
    str

    Examples
    --------
    >>> yaml_repr(True), yaml_repr(None), yaml_repr([1, "a"]), yaml_repr({"k": 1.5})
    ('true', 'null', "[1, 'a']", '{k: 1.5}')
    """
    out = _yaml_repr(value, limit + 1)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def _yaml_repr(value: Any, budget: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value).replace("nan", ".nan").replace("inf", ".inf")
    if isinstance(value, str):
        return "'" + value[:budget].replace("'", "''") + "'"
    parts: list[str] = []
    used = 0
    if isinstance(value, dict):
        items: list[str] = []
        for k, v in value.items():
            key = str(k) if isinstance(k, str) and _PLAIN_KEY.match(k) else None
            items.append(f"{key or _yaml_repr(k, budget)}: {_yaml_repr(v, budget)}")
            used += len(items[-1]) + 2
            if used > budget:
                break
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        for v in value:
            parts.append(_yaml_repr(v, budget))
            used += len(parts[-1]) + 2
            if used > budget:
                break
        return "[" + ", ".join(parts) + "]"
    return repr(value)[:budget]


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
