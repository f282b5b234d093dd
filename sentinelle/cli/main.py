"""The `sentinelle` command.

Each sub-command's module is imported only when that sub-command is looked up (when it runs,
or when the help lists every command), so that a long-running command such as
``sentinelle record run`` does not load every domain's libraries (scipy, statsmodels,
matplotlib…) it never uses.
"""

from __future__ import annotations

import importlib

import click
import typer
from typer.core import TyperGroup

from sentinelle import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("sentinelle.cli.db", "app"),
    "cameras": ("sentinelle.cli.cameras", "app"),
    "zones": ("sentinelle.cli.zones", "app"),
    "authorisations": ("sentinelle.cli.authorisations", "app"),
    "evaluate": ("sentinelle.cli.evaluate", "app"),
    "users": ("sentinelle.cli.users", "app"),
    "habilitations": ("sentinelle.cli.habilitations", "app"),
    "audit": ("sentinelle.cli.audit", "app"),
    "compliance": ("sentinelle.cli.compliance", "app"),
    "demo": ("sentinelle.cli.demo", "demo"),
    "basemap": ("sentinelle.cli.basemap", "app"),
    "coverage": ("sentinelle.cli.coverage", "coverage"),
    "plan": ("sentinelle.cli.plan", "app"),
    "record": ("sentinelle.cli.record", "app"),
    "testcam": ("sentinelle.cli.testcam", "app"),
    "log": ("sentinelle.cli.logbook", "log_app"),
    "tickets": ("sentinelle.cli.logbook", "tickets_app"),
    "export": ("sentinelle.cli.export", "app"),
    "requisitions": ("sentinelle.cli.requisitions", "app"),
    "holds": ("sentinelle.cli.holds", "app"),
    # The analytics app, with the event commands (basis, alerts, decide…) that
    # sentinelle.cli.events adds to it when imported.
    "analytics": ("sentinelle.cli.events", "app"),
}
"""Each sub-command: the module and the attribute that define it (a typer app for a group of
commands, a function for a single command), in the order the help lists them."""


def load_command(name: str) -> click.Command:
    """The click command of sub-command `name`, importing its module."""
    module, attr = COMMANDS[name]
    obj = getattr(importlib.import_module(module), attr)
    if isinstance(obj, typer.Typer):
        cmd = typer.main.get_group(obj)
    else:
        single = typer.Typer()
        single.command(name)(obj)
        cmd = typer.main.get_command(single)
    cmd.name = name
    _plain_help(cmd)
    return cmd


def _plain_help(cmd: click.Command) -> None:
    """Help reflowed to the terminal by click: the docstrings' own line breaks, which rich's
    formatting keeps, gave ragged lines in an 80-column terminal."""
    cmd.rich_markup_mode = None
    for sub in getattr(cmd, "commands", {}).values():
        _plain_help(sub)


class LazyGroup(TyperGroup):
    """The root group: sub-commands resolved by name, their modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="sentinelle",
    cls=LazyGroup,
    help="Sentinelle: plan, operate, account for and evaluate a city's video-protection network.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # see `_plain_help`
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sentinelle {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """Settings come from SENTINELLE_HOME and SENTINELLE_DATABASE_URL."""


if __name__ == "__main__":
    app()
