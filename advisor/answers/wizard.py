"""The wizard: the "typed" answer source, questionary prompts generated from the question registry.

It only asks: the answers typed join the chain (advisor.answers.resolve) like any other source;
scoring, showing and saving the result are the `wizard` command's (advisor.cli.wizard_command).
Imported only by `wizard` (questionary and prompt_toolkit are heavy).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import questionary
from prompt_toolkit.application import create_app_session
from prompt_toolkit.filters import Condition
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import Output
from questionary import Choice, Separator
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from advisor.answers.resolve import Resolved, parse_answer, resolve
from advisor.catalog.models import Catalog
from advisor.errors import Interrupted, visible
from advisor.humanize import typed
from advisor.answers.inventory import DERIVED_KEYS, summary_lines
from advisor.answers.prompt_layout import (
    choice_meaning,
    explain_under_the_prompt,
    fit,
    fit_message,
    fit_prompt,
    keep_hint,
)
from advisor.answers.registry import BY_KEY, QUESTIONS, SECTIONS
from advisor.answers.question import Question
from advisor.output.formats import format_of_path

DEFAULT_SAVE_PATH = "mesh-advisor-result.toml"
PRICE_KEYS = ("cpu_price", "memory_price")
OWN_PRICES = "own"
KEEP_PRICES = "keep"

State = dict[str, Any]

# The registry's help for these speaks of repeating flags; in a checkbox, say what a tick does instead.
FEATURE_HELP = {
    "require": "Tick what the mesh must have: an option that lacks one is ruled out; one that only partly meets one is ruled out for a conservative team and costs heavily otherwise.",
    "prefer": "Tick what would be nice to have: it earns points but never rules an option out.",
}


@dataclass(frozen=True)
class Step:
    """One prompt: the answers it settles, its help line, and how to build and read it from the answers so far."""

    section: str
    keys: tuple[str, ...]
    help: str
    build: Callable[[State], questionary.Question]
    read: Callable[[Any, State], State]
    when: Callable[[State], bool] = lambda state: True
    notes: Callable[[State], list[str]] = lambda state: []


# ---------------------------------------------------------------- building the prompts


def build_steps(catalog: Catalog, flags: Mapping[str, Any], width: int = 100) -> list[Step]:
    """The prompts for every answer not given as a flag, in registry (section) order."""
    given = {k for k, v in flags.items() if v is not None and v != [] and v != ()}
    steps: list[Step] = []
    for q in QUESTIONS:
        if q.key in given or not q.wizard:
            continue
        if q.key in PRICE_KEYS:
            if q.key == PRICE_KEYS[0] and not given & set(PRICE_KEYS):
                steps.append(_price_preset_step(catalog, width))
            own = _own_prices if not given & set(PRICE_KEYS) else _always
            steps.append(_text_step(catalog, q, width, when=own))
        elif q.kind == "features":
            if q.key == "require":
                steps.append(_in_use_step(catalog, width))
            steps.append(_features_step(catalog, q, given, width))
        elif q.key == "benchmark_profile":
            steps.append(_profile_step(catalog, q, width))
        elif q.kind == "option":
            steps.append(_mesh_step(catalog, q, width))
        elif q.key == "platform":
            steps.append(_platform_step(catalog, q, width))
        elif q.kind == "choice":
            steps.append(_select_step(catalog, q, width))
        elif q.kind == "bool":
            steps.append(_confirm_step(q, width))
        else:
            steps.append(_text_step(catalog, q, width))
    return steps


def _always(state: State) -> bool:
    return True


def _own_prices(state: State) -> bool:
    return state.get("_price_source") == OWN_PRICES


show_value = typed


def text_validator(catalog: Catalog, q: Question) -> Callable[[str], bool | str]:
    """Inline validation through the one validation path; an empty answer keeps the offered value."""

    def validate(raw: str) -> bool | str:
        if not raw.strip():
            return True
        try:
            parse_answer(catalog, q, raw)
        except ValueError as exc:
            return str(exc)
        return True

    return validate


def _text_step(catalog: Catalog, q: Question, width: int, when: Callable[[State], bool] = _always) -> Step:
    def build(state: State) -> questionary.Question:
        # The offered value stays out of the edit buffer, so typing replaces it instead of appending.
        offered = show_value(state[q.key])
        message, hint = fit_prompt(q.prompt, keep_hint(q, offered), width)
        question = questionary.text(message, instruction=hint, validate=text_validator(catalog, q))
        return _enter_keeps(explain_under_the_prompt(question), offered)

    def read(raw: str, state: State) -> State:
        return {q.key: parse_answer(catalog, q, raw) if raw.strip() else state[q.key]}

    return Step(q.section, (q.key,), q.help, build, read, when=when)


def _enter_keeps(question: questionary.Question, offered: str) -> questionary.Question:
    """Enter on an empty answer writes the offered value into it, so the screen shows what was kept."""
    keep = KeyBindings()

    @keep.add("enter", filter=Condition(lambda: not question.application.current_buffer.text), eager=True)
    def _(event: Any) -> None:
        event.current_buffer.text = offered
        event.current_buffer.validate_and_handle()

    return _add_bindings(question, keep)


def _select_step(catalog: Catalog, q: Question, width: int) -> Step:
    def build(state: State) -> questionary.Question:
        choices = [Choice(title=fit(_titled(v, choice_meaning(catalog, q, v)), width - 4), value=v) for v in q.choices]
        return questionary.select(fit_message(q.prompt, width, choices), choices=choices, default=state[q.key])

    return Step(q.section, (q.key,), q.help, build, lambda raw, state: {q.key: raw})


def _confirm_step(q: Question, width: int) -> Step:
    def build(state: State) -> questionary.Question:
        return questionary.confirm(fit_message(q.prompt, width, hint="(y/N) Yes"), default=bool(state[q.key]))

    return Step(q.section, (q.key,), q.help, build, lambda raw, state: {q.key: bool(raw)})


def _platform_step(catalog: Catalog, q: Question, width: int) -> Step:
    """The platforms the data declares, each with what it rules out or costs in a word."""

    def build(state: State) -> questionary.Question:
        choices = [Choice(title=fit(_titled(p.id, p.name), width - 4), value=p.id) for p in catalog.platforms.platforms]
        return questionary.select(fit_message(q.prompt, width, choices), choices=choices, default=state[q.key])

    return Step(q.section, (q.key,), q.help, build, lambda raw, state: {q.key: raw})


def _profile_step(catalog: Catalog, q: Question, width: int) -> Step:
    def build(state: State) -> questionary.Question:
        choices = [
            Choice(title=fit(_titled(pid, prof.title), width - 4), value=pid) for pid, prof in catalog.profiles.items()
        ]
        return questionary.select(fit_message(q.prompt, width, choices), choices=choices, default=state[q.key])

    return Step(q.section, (q.key,), q.help, build, lambda raw, state: {q.key: raw})


def _mesh_step(catalog: Catalog, q: Question, width: int) -> Step:
    """none, or one of the options the data declares."""

    def build(state: State) -> questionary.Question:
        choices = [Choice(title=_titled("none", "no mesh yet"), value="none")]
        choices += [Choice(title=fit(_titled(o.id, o.name), width - 4), value=o.id) for o in catalog.features.options]
        return questionary.select(fit_message(q.prompt, width, choices), choices=choices, default=state[q.key])

    return Step(q.section, (q.key,), q.help, build, lambda raw, state: {q.key: raw})


def _price_preset_step(catalog: Catalog, width: int) -> Step:
    presets = catalog.pricing.presets

    def matching_preset(state: State) -> str | None:
        prices = (state["cpu_price"], state["memory_price"])
        for pid, p in presets.items():
            if (p.cpu_usd_per_vcpu_hour.value, p.memory_usd_per_gib_hour.value) == prices:
                return pid
        return None

    def build(state: State) -> questionary.Question:
        current = matching_preset(state)
        choices: list[Choice] = []
        if current is None:
            choices.append(
                Choice(title=f"Keep {_prices(state['cpu_price'], state['memory_price'])}", value=KEEP_PRICES)
            )
        for pid, p in presets.items():
            # the prices first: a narrow terminal clips the end of the title, never a price
            label = f"{_prices(p.cpu_usd_per_vcpu_hour.value, p.memory_usd_per_gib_hour.value)} — {p.title}"
            if pid == catalog.pricing.default_preset:
                label = "default: " + label
            choices.append(Choice(title=fit(label, width - 4), value=pid))
        choices.append(Choice(title="Enter my own prices", value=OWN_PRICES))
        return questionary.select(
            fit_message("Which prices should turn vCPU and memory into money?", width, choices),
            choices=choices,
            default=current or KEEP_PRICES,
        )

    def read(raw: str, state: State) -> State:
        if raw in (KEEP_PRICES, OWN_PRICES):
            return {"_price_source": raw}
        p = presets[raw]
        return {
            "_price_source": raw,
            "cpu_price": p.cpu_usd_per_vcpu_hour.value,
            "memory_price": p.memory_usd_per_gib_hour.value,
        }

    help_text = "Prices in USD per vCPU-hour and per GiB-hour; presets come from data/pricing.toml."
    return Step("prices", PRICE_KEYS, help_text, build, read)


def _features_step(catalog: Catalog, q: Question, given: set[str], width: int) -> Step:
    other = "prefer" if q.key == "require" else "require"

    def build(state: State) -> questionary.Question:
        # A capability cannot be both required and preferred, so each list hides the other's ticks.
        excluded = set(state[other]) if (q.key == "prefer" or other in given) else set()
        choices: list[Choice | Separator] = []
        for group in catalog.features.groups:
            members = [f for f in catalog.features.features if f.group == group.id and f.id not in excluded]
            if not members:
                continue
            choices.append(Separator(f"── {group.title}"))
            for feat in members:
                choices.append(
                    Choice(
                        title=fit(f"{feat.name} — {feat.description}", width - 8),
                        value=feat.id,
                        checked=feat.id in state[q.key],
                    )
                )
        hint = "(↑/↓ move, space ticks, Enter ends)"
        # once answered, one tick is shown as "[its title]" after the question: on a line of its own
        # when it would not fit beside it
        longest = max([len(hint), *(len(str(c.title)) + 2 for c in choices if isinstance(c, Choice))])
        message = fit_message(q.prompt, width, hint="x" * longest)
        return questionary.checkbox(message, choices=choices, instruction=hint)

    def read(raw: list[str], state: State) -> State:
        ticked = set(raw)
        return {q.key: tuple(fid for fid in catalog.feature_ids if fid in ticked)}

    def notes(state: State) -> list[str]:
        label = "Must-haves" if q.key == "require" else "Nice to have"
        ticked = [f"{label}: {', '.join(state[q.key]) or 'none'}"]
        return ticked + (must_have_gaps(catalog, state["require"]) if q.key == "require" else [])

    return Step(q.section, (q.key,), FEATURE_HELP[q.key], build, read, notes=notes)


def _in_use_step(catalog: Catalog, width: int) -> Step:
    """What the scan found in use, offered as must-have candidates: only what the person ticks here
    becomes `require` (issue 22: in use is evidence, not a must-have)."""

    def build(state: State) -> questionary.Question:
        choices = [
            Choice(title=fit(f"{catalog.feature(fid).name} ({fid})", width - 8), value=fid, checked=False)
            for fid in state["in_use"]
            if fid not in state["require"]
        ]
        hint = "(space to tick; unticked ones still count as in use, never as must-haves)"
        longest = max([len(hint), *(len(str(c.title)) + 2 for c in choices)])
        message = fit_message("The scan found these in use. Which are must-haves?", width, hint="x" * longest)
        return questionary.checkbox(message, choices=choices, instruction=hint)

    def read(raw: list[str], state: State) -> State:
        return {"require": tuple(fid for fid in catalog.feature_ids if fid in set(raw) | set(state["require"]))}

    def pending(state: State) -> bool:
        return any(fid not in state["require"] for fid in state.get("in_use", ()))

    help_text = "In use is evidence: tick a capability only if losing it would rule a mesh out."
    # settles nothing itself: what it ticks shows ticked in the must-haves prompt that follows
    return Step("capabilities", (), help_text, build, read, when=pending)


def must_have_gaps(catalog: Catalog, require: tuple[str, ...]) -> list[str]:
    """Which options lack a ticked must-have, by the matrix's levels and the risk rules' blocking levels."""
    if not require:
        return []
    blocking = catalog.rules.blocking_levels
    every_risk = BY_KEY["risk"].choices
    lines: list[str] = []
    for option in catalog.features.options:
        lacks: list[str] = []
        for fid in require:
            level = catalog.feature(fid).cells[option.id].level
            risks = [r for r in every_risk if level in blocking.get(r, ())]
            if len(risks) == len(every_risk):
                lacks.append(f"{fid} ({level})")
            elif risks and level == "partial":
                lines.append(
                    f"{option.name} only partly meets {fid} (partial): a blocker if risk is "
                    f"{' or '.join(risks)}, costs heavily otherwise"
                )
            elif risks:
                lines.append(f"{option.name} has {fid} only at {level}: a blocker if risk is {' or '.join(risks)}")
            elif level == "partial":
                lines.append(f"{option.name} only partly meets {fid} (partial): costs heavily")
        if lacks:
            lines.append(f"{option.name} lacks {', '.join(lacks)}")
    return lines or [f"Every option offers all {len(require)} must-have{'s' if len(require) != 1 else ''}."]


def _titled(value: str, explanation: str) -> str:
    return f"{value} — {explanation}" if explanation else value


def _prices(cpu_usd: float, memory_usd: float) -> str:
    return f"${show_value(cpu_usd)}/vCPU-hour, ${show_value(memory_usd)}/GiB-hour"


# ---------------------------------------------------------------- asking


def _same(q: Question, a: Any, b: Any) -> bool:
    if q.kind == "features":
        return set(a) == set(b)
    return a == b


def _end_input_on_ctrl_d(question: questionary.Question) -> questionary.Question:
    # questionary's lists swallow every unbound key, so Ctrl-D would do nothing there; make it end input everywhere.
    extra = KeyBindings()

    @extra.add("c-d", eager=True)
    def _(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    # An escape sequence typed or pasted at a prompt (`\x1b[31m`) looks to prompt_toolkit like a
    # mouse report, and its mouse handler raised on it ("Unhandled exception in event loop"). The
    # wizard never turns mouse reporting on, so such a sequence is refused: dropped, not typed.
    @extra.add(Keys.Vt100MouseEvent, eager=True)
    def _(event: Any) -> None:
        return None

    return _add_bindings(question, extra)


def _add_bindings(question: questionary.Question, extra: KeyBindings) -> questionary.Question:
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, extra]) if app.key_bindings else extra
    return question


# Shift-Tab (the usual "previous field" key) returns this instead of an answer.
BACK = object()
BACK_KEY = "s-tab"
BACK_HINT = "Shift-Tab goes back to the previous question."


def _back_on_shift_tab(question: questionary.Question) -> questionary.Question:
    back = KeyBindings()

    @back.add(BACK_KEY, eager=True)
    def _(event: Any) -> None:
        event.app.exit(result=BACK)

    return _add_bindings(question, back)


def ask(question: questionary.Question, can_go_back: bool = False) -> Any:
    """Ask one question; Ctrl-C or the end of input become Interrupted (exit 130, nothing saved).

    With `can_go_back`, Shift-Tab returns BACK: the person wants the previous question again.
    """
    if can_go_back:
        question = _back_on_shift_tab(question)
    try:
        return _end_input_on_ctrl_d(question).unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted() from None


def ask_answers(
    catalog: Catalog,
    console: Console,
    flags: Mapping[str, Any] | None = None,
    file_values: Mapping[str, Any] | None = None,
    file_label: str = "answers file",
    pt_input: Input | None = None,
    pt_output: Output | None = None,
    scan_values: Mapping[str, Any] | None = None,
    scan_label: str = "scan",
) -> Resolved:
    """Ask every answer not given as a flag, offering the --answers values, and resolve the result.

    What a scan answered (the cluster's size, its capabilities in use) is not asked: the wizard asks
    only what a scan cannot know (team, risk, sensitivities, prices).

    A value from --answers is what the wizard offers; what the person confirms or types is the answer.
    So an offered value kept unchanged keeps its origin ("file" or "default"), and a changed one is
    "typed" and replaces the file's value; flags are never asked and always win.
    """
    flags = dict(flags or {})
    file_values = dict(file_values or {})
    # Validate flags and the file before the first prompt, so a bad value fails fast with exit 2.
    scan_values = dict(scan_values or {})
    offered = resolve(
        catalog,
        flags=flags,
        file_values=file_values,
        file_label=file_label,
        scan_values=scan_values,
        scan_label=scan_label,
    )
    offered_values = {q.key: getattr(offered.answers, q.key) for q in QUESTIONS}
    state: State = dict(offered_values)
    not_asked = {
        **{k: v for k, v in scan_values.items() if k not in file_values},
        **{k: v for k, v in flags.items() if v is not None},
    }
    inventory = offered.answers.inventory
    if inventory is not None:
        # an inventory (from the file or the scan) gives the counts: they are shown, not asked; but
        # when no namespace gives rps, the inventory splits mesh_rps by pods, so that one is asked
        given = [k for k in DERIVED_KEYS if k != "mesh_rps" or inventory.has_rps]
        not_asked.update({k: getattr(offered.answers, k) for k in given})
    steps = build_steps(catalog, not_asked, width=console.width)
    session = create_app_session(input=pt_input, output=pt_output) if pt_input or pt_output else nullcontext()
    section = None
    if inventory is not None:
        # shown at the top of the Workload section, where the counts would have been asked
        section = "workload"
        console.print()
        console.rule(Text(SECTIONS[section], style="bold"), align="left", style="dim")
        source = file_label if offered.origin.get("pods") == "file" else f"the scan ({scan_label})"
        a = offered.answers
        for i, line in enumerate(summary_lines(inventory, a.mesh_rps, source, a.nodes)):
            # the file's name and the namespaces' names are shown with their control characters escaped
            console.print(Text(visible(line, one_line=True), style="" if i else "bold"))
    # (step index, answers before it) for every question answered, so Shift-Tab can go back to it
    history: list[tuple[int, State]] = []
    index = 0
    with session:
        while index < len(steps):
            step = steps[index]
            if not step.when(state):
                index += 1
                continue
            if step.section != section:
                section = step.section
                console.print()
                console.rule(Text(SECTIONS[section], style="bold"), align="left", style="dim")
            console.print(Text(step.help + (f" ({BACK_HINT})" if history and len(history) == 1 else ""), style="dim"))
            raw = ask(step.build(state), can_go_back=bool(history))
            if raw is BACK:
                index, state = history.pop()
                console.print(Text("  (back to the previous question)", style="dim"))
                continue
            history.append((index, dict(state)))
            state.update(step.read(raw, state))
            for line in step.notes(state):
                # notes quote option names from the data: show their control characters, never obey
                # them; a long note wraps under its own first word, not at the left edge
                console.print(Padding(Text(visible(line)), (0, 0, 0, 2)))
            index += 1
    asked = [k for s in steps for k in s.keys]
    typed = {k: state[k] for k in asked if not _same(BY_KEY[k], state[k], offered_values[k])}
    kept_file_values = {k: v for k, v in file_values.items() if k not in typed}
    return resolve(
        catalog,
        flags=flags,
        file_values=kept_file_values,
        file_label=file_label,
        typed=typed,
        scan_values=scan_values,
        scan_label=scan_label,
    )


# ---------------------------------------------------------------- the result


def save_path_validator(raw: str) -> bool | str:
    """Inline check of a save path: nothing is created here; overwriting is confirmed separately."""
    path = Path(raw.strip() or DEFAULT_SAVE_PATH).expanduser()
    if path.is_dir():
        return f"{path} is a directory; give a file name such as {DEFAULT_SAVE_PATH}"
    if format_of_path(str(path)) is None:
        return f"expected a file name ending in .toml, .json or .md, such as {DEFAULT_SAVE_PATH}"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"directory {parent} does not exist"
    return True


def ask_save_path() -> tuple[str, bool] | None:
    """The file to save to and whether overwriting it was confirmed; None when the person declines."""
    if not ask(questionary.confirm("Save the result as TOML?", default=True)):
        return None
    while True:
        raw = ask(
            _enter_keeps(
                questionary.text(
                    "Save to", instruction=f"(Enter keeps {DEFAULT_SAVE_PATH})", validate=save_path_validator
                ),
                DEFAULT_SAVE_PATH,
            )
        )
        path = str(Path(raw.strip() or DEFAULT_SAVE_PATH).expanduser())
        if not Path(path).exists():
            return path, False
        if ask(questionary.confirm(f"{path} exists. Overwrite it?", default=False)):
            return path, True
