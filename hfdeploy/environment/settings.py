"""pydantic-settings (and pydantic v1 `BaseSettings`) classes found statically: their fields, the
environment variable each field reads, and whether it has a default."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hfdeploy.pycode import Located, candidate_files

if TYPE_CHECKING:
    from hfdeploy.project import Project

_FIELD_FUNCS = ("Field",)
_CLASS = re.compile(r"^[ \t]*class[ \t]", re.MULTILINE)
# pydantic 2's bundled v1 (`from pydantic.v1 import BaseSettings`) keeps v1's behaviour.
_V1_COMPAT = re.compile(
    r"from[ \t]+pydantic\.v1[ \t]+import[ \t]*\(?[^)\n]*(?:\n[^)]*)?\bBaseSettings\b|pydantic\.v1\.BaseSettings"
)


@dataclass(frozen=True)
class SettingsField:
    module: Located
    owner: str  # class name
    name: str  # attribute name
    env_name: str  # the variable a Space must define
    node: ast.AnnAssign
    has_default: bool
    pydantic_v1: bool
    # Declared without a default in a base the project never builds itself, and every subclass
    # gives it a value (`class Dev(Common): ENV: str = "development"`): never read unset.
    supplied_by_subclasses: bool = False

    @property
    def default(self) -> ast.expr | None:
        return self.node.value

    @property
    def required(self) -> bool:
        """Unset on a Space, building the settings fails."""
        return not self.has_default and not self.supplied_by_subclasses


@dataclass(frozen=True)
class SettingsClass:
    module: Located
    node: ast.ClassDef
    fields: tuple[SettingsField, ...]
    env_files: tuple[str, ...]  # `env_file` values: ".env", ...


def settings_classes(project: Project) -> list[SettingsClass]:
    return project.memo("settings-classes", lambda: _collect(project))


def settings_fields(project: Project) -> list[SettingsField]:
    return [f for cls in settings_classes(project) for f in cls.fields]


def _collect(project: Project) -> list[SettingsClass]:
    modules = candidate_files(project, "BaseSettings")
    classes = [
        (m, node)
        for m in modules
        for node in m.nodes_matching(_CLASS)
        if isinstance(node, ast.ClassDef)
    ]
    names = {"BaseSettings"}
    # Subclasses of subclasses (class AppSettings(CommonSettings)) across the project.
    changed = True
    while changed:
        changed = False
        for _module, node in classes:
            if node.name not in names and any(_base_name(b) in names for b in node.bases):
                names.add(node.name)
                changed = True
    by_name = {node.name: (module, node) for module, node in classes}

    def inherited(node: ast.ClassDef, module: Located, seen: frozenset[str]) -> dict[str, object]:
        """The class's settings config over its bases' (`model_config` is inherited and
        merged: a subclass of a base with `env_prefix="APP_"` reads `APP_` variables too)."""
        merged: dict[str, object] = {}
        for base in node.bases:
            name = _base_name(base)
            if name in by_name and name not in seen:
                base_module, base_node = by_name[name]
                merged.update(inherited(base_node, base_module, seen | {name}))
        merged.update(_config(node, _module_constants(module)))
        return merged

    found = []
    for module, node in classes:
        if node.name == "BaseSettings" or not any(_base_name(b) in names for b in node.bases):
            continue
        v1 = (
            "from pydantic import BaseSettings" in module.text
            or "pydantic.BaseSettings" in module.text
            or _V1_COMPAT.search(module.text) is not None
        )
        config = inherited(node, module, frozenset({node.name}))
        prefix = config.get("env_prefix")
        prefix = prefix if isinstance(prefix, str) else ""
        case_sensitive = config.get("case_sensitive") is True
        fields = tuple(
            _field(module, node.name, stmt, prefix, case_sensitive, v1)
            for stmt in node.body
            if isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and not stmt.target.id.startswith("_")
            and stmt.target.id != "model_config"
            and not _is_classvar(stmt.annotation)
        )
        env_file = config.get("env_file")
        files = tuple(
            v
            for v in (env_file if isinstance(env_file, tuple) else (env_file,))
            if isinstance(v, str)
        )
        found.append(SettingsClass(module, node, fields, files))
    return _mark_supplied_by_subclasses(project, found, classes, names)


def _mark_supplied_by_subclasses(
    project: Project,
    found: list[SettingsClass],
    classes: list[tuple[Located, ast.ClassDef]],
    names: set[str],
) -> list[SettingsClass]:
    """Fields without a default whose class is only a base: the project never names the class
    except as a base of other classes, and each subclass declares the field itself or is such
    a base in turn (so the value comes from the subclass that is built)."""
    children: dict[str, list[str]] = {}
    for _module, node in classes:
        for base in node.bases:
            name = _base_name(base)
            if name in names:
                children.setdefault(name, []).append(node.name)
    declared = {cls.node.name: {f.name for f in cls.fields} for cls in found}
    only_a_base: dict[str, bool] = {}

    def is_only_a_base(name: str) -> bool:
        if name not in only_a_base:
            only_a_base[name] = _named_only_as_base(project, name)
        return only_a_base[name]

    def supplied(cls_name: str, field: str, seen: frozenset[str]) -> bool:
        kids = children.get(cls_name, [])
        if not kids or not is_only_a_base(cls_name):
            return False
        return all(
            field in declared.get(kid, set())
            or (kid not in seen and supplied(kid, field, seen | {kid}))
            for kid in kids
        )

    out = []
    for cls in found:
        fields = tuple(
            replace(f, supplied_by_subclasses=True)
            if not f.has_default and supplied(cls.node.name, f.name, frozenset({cls.node.name}))
            else f
            for f in cls.fields
        )
        out.append(replace(cls, fields=fields) if fields != cls.fields else cls)
    return out


def _named_only_as_base(project: Project, name: str) -> bool:
    """`name` appears in the project's code only as a base class (never called, passed or
    returned): nothing builds that class itself."""
    for module in candidate_files(project, name):
        bases = {
            id(b)
            for node in ast.walk(module.tree)
            if isinstance(node, ast.ClassDef)
            for b in node.bases
        }
        for node in ast.walk(module.tree):
            if id(node) in bases:
                continue
            if (isinstance(node, ast.Name) and node.id == name) or (
                isinstance(node, ast.Attribute) and node.attr == name
            ):
                return False
    return True


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_classvar(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return _base_name(target) == "ClassVar"


def _constant(node: ast.expr | None, constants: dict[str, object] | None = None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_constant(e, constants) for e in node.elts)
    if isinstance(node, ast.Name) and constants:
        return constants.get(node.id)
    return None


def _module_constants(module: Located) -> dict[str, object]:
    """Module-level `NAME = "literal"` assignments (`env_prefix=PREFIX`)."""

    def collect() -> dict[str, object]:
        found: dict[str, object] = {}
        for stmt in module.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
                found[target.id] = value.value
        return found

    return module.cached("settings-constants", collect)


def _assigned(stmt: ast.stmt) -> tuple[list[str], ast.expr | None]:
    """Names and value of `x = v` / `x: T = v`."""
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)], stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id], stmt.value
    return [], None


def _config(cls: ast.ClassDef, constants: dict[str, object] | None = None) -> dict[str, object]:
    """`model_config = SettingsConfigDict(...)` / `{...}` (also annotated `ClassVar`),
    `class Config:` (plain or annotated assignments) and class keywords."""
    config: dict[str, object] = {
        k.arg: _constant(k.value, constants) for k in cls.keywords if k.arg
    }
    for stmt in cls.body:
        names, value = _assigned(stmt)
        if "model_config" in names:
            if isinstance(value, ast.Call):
                config.update(
                    {k.arg: _constant(k.value, constants) for k in value.keywords if k.arg}
                )
            elif isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=False):
                    name = _constant(key)
                    if isinstance(name, str):
                        config[name] = _constant(item, constants)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                inner_names, inner_value = _assigned(inner)
                for name in inner_names:
                    config[name] = _constant(inner_value, constants)
    return config


def _field(
    module: Located, owner: str, stmt: ast.AnnAssign, prefix: str, case_sensitive: bool, v1: bool
) -> SettingsField:
    name = stmt.target.id  # type: ignore[union-attr]
    env_name = None
    has_default = stmt.value is not None
    value = stmt.value
    if isinstance(value, ast.Call) and _base_name(value.func) in _FIELD_FUNCS:
        keywords = {k.arg: k.value for k in value.keywords if k.arg}
        first = value.args[0] if value.args else keywords.get("default")
        has_default = (
            first is not None and not (isinstance(first, ast.Constant) and first.value is ...)
        ) or "default_factory" in keywords
        for key in ("validation_alias", "alias", "env"):  # `env=` is pydantic v1
            alias = _alias_name(keywords.get(key))
            if alias is not None:
                env_name = alias
                break
    if not has_default and v1 and _optional(stmt.annotation):
        has_default = True  # pydantic v1 gives Optional fields a None default
    if env_name is None:
        env_name = prefix + name
        env_name = env_name if case_sensitive else env_name.upper()
    return SettingsField(module, owner, name, env_name, stmt, has_default, v1)


def _alias_name(node: ast.expr | None) -> str | None:
    """The variable an alias names: a string, the first of `AliasChoices("A", "B")` (the
    prefix no longer applies), or the first of a pydantic v1 `env=["A", "B"]` list."""
    if isinstance(node, ast.Call) and _base_name(node.func) == "AliasChoices" and node.args:
        node = node.args[0]
    value = _constant(node)
    if isinstance(value, tuple) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _optional(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.Subscript) and _base_name(annotation.value) == "Optional":
        return True
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return any(
            isinstance(side, ast.Constant) and side.value is None
            for side in (annotation.left, annotation.right)
        )
    return False


def is_str_annotation(annotation: ast.expr, *, optional: bool = False) -> bool:
    """`str`, or with `optional` also `Optional[str]` / `str | None`."""
    if isinstance(annotation, ast.Name) and annotation.id == "str":
        return True
    if not optional or not _optional(annotation):
        return False
    if isinstance(annotation, ast.Subscript):
        return isinstance(annotation.slice, ast.Name) and annotation.slice.id == "str"
    assert isinstance(annotation, ast.BinOp)
    return any(
        isinstance(s, ast.Name) and s.id == "str" for s in (annotation.left, annotation.right)
    )
