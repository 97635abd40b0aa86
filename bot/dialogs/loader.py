"""Reading conversations/*.yaml: a dialog file is parsed and checked as it is loaded.

A file that fails (a YAML error, an unknown step in `next`, a function name nobody registered, a
placeholder no one fills, a missing prompt, a bad input kind …) is refused with the file, the
step and the reason. At start-up (`load_all`) that stops the process; on a reload (a file edited
under a running bot) it is logged and the file's last good version keeps serving.
"""

from __future__ import annotations

import importlib
import logging
import string
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from threading import Lock
from typing import Any

from bot.core import yaml_io
from bot.core.messages import Choice
from bot.dialogs.model import END, FIRST_UNANSWERED, KINDS, REGISTRY, Dialog, DialogError, Registry, Step
from bot.texts import dialogs as t

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent.parent

# Placeholders every text may use without declaring them: the for_each step's item and position,
# and what the engine passes to its generic messages.
BUILT_IN_FIELDS = frozenset({"item", "index", "count", "example", "max_chars", "length", "hours", "title"})
DIALOG_KEYS = frozenset({"name", "title", "uses", "on_start", "on_finish", "on_cancel", "timeout_hours",
                         "messages", "steps", "start", "data"})


def conversations_folder(package: Path = PACKAGE) -> Path:
    """Where the dialogs are: the copy an installed wheel carries in `bot/conversations/` (setup.py
    maps the top-level folder there), else the checkout's `conversations/` (a development tree or
    an editable install)."""
    packaged = package / "conversations"
    return packaged if packaged.is_dir() else package.parent / "conversations"


CONVERSATIONS = conversations_folder()


# --- parsing ---------------------------------------------------------------------------------------


def _choices_of(raw: Any, where: str) -> tuple[Choice, ...] | str | None:
    if raw is None or isinstance(raw, str):
        return raw
    if not isinstance(raw, list):
        raise DialogError(t.LOAD_BAD_CHOICES.format(where=where))
    out = []
    for item in raw:
        if isinstance(item, Mapping):
            if "label" not in item:
                raise DialogError(t.LOAD_CHOICE_WITHOUT_LABEL.format(where=where))
            out.append(Choice(str(item["label"]), str(item.get("value", item["label"]))))
        else:
            out.append(Choice(str(item), str(item)))
    return tuple(out)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_dialog(raw: Any, name: str) -> Dialog:
    """A dialog from its YAML data; structural problems raise DialogError."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("steps"), Mapping) or not raw["steps"]:
        raise DialogError(f"{name}: a dialog is a mapping with non-empty `steps`")
    unknown_keys = set(raw) - DIALOG_KEYS
    if unknown_keys:
        raise DialogError(f"{name}: unknown keys {sorted(unknown_keys)}")
    names = list(raw["steps"])
    steps: dict[str, Step] = {}
    for i, step_name in enumerate(names):
        spec = raw["steps"][step_name] or {}
        where = f"{name}.{step_name}"
        if not isinstance(spec, Mapping):
            raise DialogError(f"{where}: a step is a mapping")
        unknown = set(spec) - {f.name for f in Step.__dataclass_fields__.values()}
        if unknown:
            raise DialogError(f"{where}: unknown keys {sorted(unknown)}")
        default_next = names[i + 1] if i + 1 < len(names) else END
        steps[step_name] = Step(
            name=str(step_name),
            kind=str(spec.get("kind", "text")),
            prompt=str(spec.get("prompt") or ""),
            next=spec.get("next", default_next),
            choices=_choices_of(spec.get("choices"), where),
            validate=spec.get("validate"),
            save=spec.get("save"),
            when=spec.get("when"),
            for_each=spec.get("for_each"),
            card=spec.get("card"),
            example=_text_or_none(spec.get("example")),
            help=_text_or_none(spec.get("help")),
            form=spec.get("form"),
            max_chars=spec.get("max_chars"),
            return_to=spec.get("return_to"),
        )
    uses = raw.get("uses") or ()
    hours = raw.get("timeout_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0):
        raise DialogError(f"{name}: timeout_hours is a positive number of hours")
    fields = raw.get("data")
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise DialogError(t.LOAD_BAD_DATA.format(where=name))
    return Dialog(
        name=str(raw.get("name") or name),
        title=str(raw.get("title") or name),
        steps=steps,
        first=str(raw.get("start") or names[0]),
        messages={str(k): str(v) for k, v in (raw.get("messages") or {}).items()},
        on_start=raw.get("on_start"),
        on_finish=raw.get("on_finish"),
        on_cancel=raw.get("on_cancel"),
        uses=(uses,) if isinstance(uses, str) else tuple(uses),
        timeout=timedelta(hours=hours) if hours is not None else None,
        fields=None if fields is None else frozenset(fields),
    )


# --- checking --------------------------------------------------------------------------------------


def _fields_of(template: str) -> list[str]:
    """The root names a template fills: `{item[metric]}` → item, `{max_chars:,}` → max_chars."""
    roots = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            roots.append(name.split("[", 1)[0].split(".", 1)[0])
    return roots


def _texts_of(step: Step) -> list[tuple[str, str]]:
    texts = [("prompt", step.prompt), ("example", step.example or ""), ("help", step.help or "")]
    texts += [(f"form.{k}", str(v)) for k, v in (step.form or {}).items()]
    return texts


def _check_placeholders(dialog: Dialog, problems: list[str]) -> None:
    """With `data:` declared, every `{name}` a text uses must be declared, saved by a step or built in."""
    saved = {s.key for s in dialog.steps.values() if s.key}
    known = (dialog.fields or frozenset()) | saved | BUILT_IN_FIELDS

    def check(where: str, what: str, text: str) -> None:
        try:
            roots = _fields_of(text)
        except ValueError as exc:
            problems.append(t.LOAD_BAD_FORMAT.format(where=where, what=what, error=exc))
            return
        if dialog.fields is None:
            return
        for root in roots:
            if root not in known:
                problems.append(t.LOAD_UNKNOWN_NAME.format(where=where, what=what, name=root))

    for s in dialog.steps.values():
        for what, text in _texts_of(s):
            check(f"{dialog.name}.{s.name}", what, text)
    for key, text in dialog.messages.items():
        check(f"{dialog.name}.messages", key, text)


def check_dialog(dialog: Dialog, registry: Registry = REGISTRY) -> list[str]:
    """Every problem a reader of the YAML would want to hear about; [] when the dialog is sound."""
    problems: list[str] = []
    targets = set(dialog.steps) | {END, FIRST_UNANSWERED}

    def need(table: Mapping[str, Any], name: str | None, what: str, where: str) -> None:
        if name is not None and name not in table:
            problems.append(t.LOAD_UNREGISTERED.format(where=where, what=what, name=name))

    if dialog.first not in dialog.steps:
        problems.append(t.LOAD_NO_START.format(where=dialog.name, name=dialog.first))
    for key, name in (("on_start", dialog.on_start), ("on_finish", dialog.on_finish), ("on_cancel", dialog.on_cancel)):
        need(registry.actions, name, "action", f"{dialog.name}.{key}")
    for s in dialog.steps.values():
        where = f"{dialog.name}.{s.name}"
        if s.kind not in KINDS:
            problems.append(t.LOAD_BAD_KIND.format(where=where, kind=s.kind, kinds=", ".join(KINDS)))
        if not s.prompt.strip():
            problems.append(t.LOAD_EMPTY_PROMPT.format(where=where))
        nexts = [s.next] if isinstance(s.next, str) else list(s.next.values()) if isinstance(s.next, Mapping) else []
        if not nexts:
            problems.append(t.LOAD_BAD_NEXT.format(where=where))
        for target in nexts + ([s.return_to] if s.return_to else []):
            if target not in targets:
                problems.append(t.LOAD_NO_SUCH_STEP.format(where=where, name=target))
        if isinstance(s.next, Mapping) and isinstance(s.choices, tuple):
            values = {c.value for c in s.choices}
            for answer in s.next:
                if answer != "*" and str(answer) not in values:
                    problems.append(t.LOAD_NEXT_NOT_A_CHOICE.format(where=where, answer=answer))
        if s.kind in ("choice", "confirm") and isinstance(s.choices, tuple) and not s.choices:
            problems.append(t.LOAD_NO_CHOICES.format(where=where))
        if s.kind == "choice" and s.choices is None:
            problems.append(t.LOAD_CHOICE_NEEDS_CHOICES.format(where=where))
        if s.kind == "longtext" and s.max_chars is None:
            problems.append(t.LOAD_LONGTEXT_NEEDS_MAX.format(where=where))
        need(registry.validators, s.validate, "validator", where)
        need(registry.conditions, s.when, "condition", where)
        need(registry.cards, s.card, "card", where)
        if isinstance(s.choices, str):
            need(registry.choices, s.choices, "choices", where)
    for key, text in dialog.messages.items():
        if not text.strip():
            problems.append(t.LOAD_EMPTY.format(where=f"{dialog.name}.messages.{key}"))
    _check_placeholders(dialog, problems)
    return problems


# --- loading ---------------------------------------------------------------------------------------


def load_dialog(path: Path, registry: Registry = REGISTRY) -> Dialog:
    """Read one dialog file, import the modules that register its functions, and check it.

    DialogError names the file, then each problem as `dialog.step: reason`.
    """
    try:
        raw = yaml_io.load(path.read_text(encoding="utf-8"))
        dialog = parse_dialog(raw, path.stem)
        for module in dialog.uses:
            importlib.import_module(module)
    except DialogError as exc:
        raise DialogError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # a YAML error names the line; a missing module its name: keep them
        raise DialogError(f"{path.name}: {exc}") from exc
    problems = check_dialog(dialog, registry)
    if problems:
        raise DialogError("\n".join([t.LOAD_REFUSED.format(file=path.name), *problems]))
    return dialog


class Library:
    """The dialogs of one folder, re-read when a file changes (cheap otherwise).

    A changed file that fails its checks is refused and logged; its last good version keeps
    serving until the file is fixed. `refused` says which files are refused and why.
    """

    def __init__(self, folder: Path, registry: Registry = REGISTRY) -> None:
        self.folder, self.registry = folder, registry
        self._good: dict[Path, tuple[tuple[int, int], Dialog]] = {}
        self.refused: dict[Path, tuple[tuple[int, int], str]] = {}
        self._lock = Lock()

    def dialogs(self) -> dict[str, Dialog]:
        with self._lock:
            files = sorted(self.folder.glob("*.yaml"))
            for path in files:
                stat = path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                if self._good.get(path, (None,))[0] == stamp or self.refused.get(path, (None,))[0] == stamp:
                    continue
                try:
                    self._good[path] = (stamp, load_dialog(path, self.registry))
                    self.refused.pop(path, None)
                except DialogError as exc:
                    self.refused[path] = (stamp, str(exc))
                    kept = "the last good version keeps serving" if path in self._good else "not served"
                    log.error("dialog file refused (%s):\n%s", kept, exc)
            for gone in set(self._good) - set(files):
                del self._good[gone]
            return {dialog.name: dialog for _, dialog in self._good.values()}


_LIBRARIES: dict[Path, Library] = {}


def library(folder: Path = CONVERSATIONS) -> Library:
    return _LIBRARIES.setdefault(folder.resolve(), Library(folder))


def load_dialogs(folder: Path = CONVERSATIONS) -> dict[str, Dialog]:
    """Every good dialog of the folder by name (see Library)."""
    return library(folder).dialogs()


def load_all(folder: Path = CONVERSATIONS) -> dict[str, Dialog]:
    """At start-up: every dialog of the folder, or DialogError naming every refused file."""
    lib = library(folder)
    dialogs = lib.dialogs()
    if lib.refused:
        raise DialogError("\n\n".join(reason for _, reason in lib.refused.values()))
    return dialogs
