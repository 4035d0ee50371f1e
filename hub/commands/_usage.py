"""Usage errors of the command line (Typer/Click's own) as one line in the user's language, exit 2.

Click raises structured exceptions (``MissingParameter``, ``NoSuchOption``, ``BadParameter``…) whose texts are
English; :func:`usage_line` rebuilds each from its parts with the message catalog (``cli.usage.*`` in
``hub/i18n/catalog/cli.yaml``). The few errors Click raises as a bare ``UsageError`` are recognised by their
fixed English wording (``NO_SUCH_COMMAND`` …); anything unknown is still shown, prefixed by the translated
"wrong usage", so no error is ever swallowed.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from rich.text import Text
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from hub.i18n import LANGS, t

NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean (?P<close>.*)\?)?$", re.S)
MISSING_COMMAND = re.compile(r"Missing command\.$")
EXTRA_ARGS = re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S)
NEEDS_VALUE = re.compile(r"Option '(?P<name>.*)' requires an argument\.$")
NEEDS_VALUES = re.compile(r"Option '(?P<name>.*)' requires (?P<count>\d+) arguments\.$")
NO_VALUE = re.compile(r"Option '(?P<name>.*)' does not take a value\.$")
ARG_VALUES = re.compile(r"Argument '(?P<name>.*)' takes (?P<count>\d+) values\.$")
PATH_PROBLEM = re.compile(r"(?P<label>File|Directory|Path) '(?P<path>.*)' "
                          r"(?P<problem>does not exist|is a file|is a directory|is not readable|is not writable)\.$",
                          re.S)
PATH_PROBLEM_KEYS = {"does not exist": "missing", "is a file": "is_file", "is a directory": "is_dir",
                     "is not readable": "unreadable", "is not writable": "unwritable"}
# pydantic error types Typer reports for a value that does not convert (``cli.usage.value.<type>``)
VALUE_ERRORS = ("int_parsing", "int_from_float", "float_parsing", "bool_parsing", "enum", "literal_error",
                "greater_than", "greater_than_equal", "less_than", "less_than_equal", "decimal_parsing",
                "date_from_datetime_parsing", "date_parsing", "datetime_parsing", "path_type")


def usage_lang(ctx: Any | None, fallback: str) -> str:
    """The language chosen on the command line (``--lang`` / SIMPUL_LANG), read from the root context.

    Errors raised while the root command is still being parsed come before its callback has stored the choice.
    """
    if ctx is not None:
        chosen = ctx.find_root().params.get("lang")
        if chosen in LANGS:
            return chosen
    return fallback


def _quoted(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _hint(err: Any) -> str:
    if getattr(err, "param_hint", None) is not None:
        hint = err.param_hint
        return hint if isinstance(hint, str) else " / ".join(f"'{h}'" for h in hint)
    param = getattr(err, "param", None)
    if param is None:
        return ""
    opts = getattr(param, "opts", None)
    if param.param_type_name == "option" and opts:
        return " / ".join(f"'{o}'" for o in opts)
    return param.get_error_hint()


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None) if desc is not None and getattr(desc, "is_choice", False) else None
    return [str(getattr(c, "value", c)) for c in choices or ()]


def _value_reason(err: Any, lang: str) -> str:
    """Why a value was refused: from the pydantic error Typer converted it with, or Typer's own path checks."""
    cause = err.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if errors:
        first = errors[0]
        kind, ctx = first.get("type", ""), first.get("ctx") or {}
        value = first.get("input", "")
        choices = _choices(err.param)
        if choices:
            return t("cli.usage.value.choice", lang, value=value, choices=_quoted(choices))
        if kind in VALUE_ERRORS:
            limit = next((ctx[k] for k in ("gt", "ge", "lt", "le") if k in ctx), "")
            return t(f"cli.usage.value.{kind}", lang, value=value, limit=limit)
        return t("cli.usage.value.other", lang, value=value, detail=first.get("msg", ""))
    match = PATH_PROBLEM.match(err.message or "")
    if match:
        what = t(f"cli.usage.path.{match['label'].lower()}", lang)
        return t(f"cli.usage.path.{PATH_PROBLEM_KEYS[match['problem']]}", lang, what=what, path=match["path"])
    return err.message or ""


def usage_message(err: click_errors.UsageError, lang: str) -> str:
    """The sentence saying what was wrong, in ``lang``."""
    text = err.message or ""
    if isinstance(err, click_errors.MissingParameter):
        kind = err.param_type or (err.param.param_type_name if err.param is not None else "parameter")
        kind = kind if kind in ("option", "argument") else "parameter"
        line = t(f"cli.usage.missing_{kind}", lang, name=_hint(err))
        choices = _choices(err.param)
        return line + (" " + t("cli.usage.choose_from", lang, choices=_quoted(choices)) if choices else "")
    if isinstance(err, click_errors.BadParameter):
        return t("cli.usage.invalid_value", lang, name=_hint(err) or "-", reason=_value_reason(err, lang))
    if isinstance(err, click_errors.NoSuchOption):
        line = t("cli.usage.no_such_option", lang, name=err.option_name)
        if err.possibilities:
            line += " " + t("cli.usage.did_you_mean", lang, names=_quoted(sorted(err.possibilities)))
        return line
    patterns = ((NEEDS_VALUE, "option_needs_value"), (NEEDS_VALUES, "option_needs_values"),
                (NO_VALUE, "option_takes_no_value"), (ARG_VALUES, "argument_values"),
                (MISSING_COMMAND, "missing_command"), (EXTRA_ARGS, "extra_arguments"))
    match = NO_SUCH_COMMAND.match(text)
    if match:
        line = t("cli.usage.no_such_command", lang, name=match["name"])
        if match["close"]:
            line += " " + t("cli.usage.did_you_mean", lang, names=match["close"])
        return line
    for pattern, key in patterns:
        match = pattern.match(text)
        if match:
            return t(f"cli.usage.{key}", lang, **match.groupdict())
    return t("cli.usage.other", lang, detail=text)


def usage_line(err: click_errors.UsageError, lang: str) -> str:
    """One line: what was wrong and where to read the command's help."""
    line = usage_message(err, lang).replace("\n", " ").replace("\t", " ")
    ctx = err.ctx
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        line += " " + t("cli.usage.see_help", lang, command=f"{ctx.command_path} {ctx.help_option_names[0]}")
    return line


class SimpulGroup(TyperGroup):
    """The root command: Click's usage errors are printed by :func:`report_usage` (one line, exit 2)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        from hub.commands._common import state

        if parent is None:
            state.lang = ""  # chosen again by this run's --lang (in-process runs share the module)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as err:
            raise report_usage(err) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as err:
            raise report_usage(err) from None


def report_usage(err: click_errors.UsageError) -> typer.Exit:
    """Print ``err`` as one line on stderr and return the ``Exit(2)`` to raise."""
    from hub.commands._common import err_console, state

    language = usage_lang(err.ctx, state.language)
    err_console.print(Text.assemble(("simpul: ", "bold red"), usage_line(err, language)), highlight=False,
                      soft_wrap=True)
    return typer.Exit(err.exit_code)
