"""`sentinelle record …` loads only what recording needs: the root command imports each
sub-command's module when that sub-command is used, so the long-running recorder does not
carry every domain's libraries (scipy, statsmodels, matplotlib…)."""

import os
import subprocess
import sys

from typer.testing import CliRunner

from sentinelle.cli.main import COMMANDS, app

HEAVY = ("scipy", "statsmodels", "matplotlib", "pandas", "geopandas", "weasyprint")

_PROBE = """
import sys
from typer.testing import CliRunner
from sentinelle.cli.main import app
res = CliRunner().invoke(app, ["record", "status", "--json"])
assert res.exit_code == 0, res.output
assert '"cameras"' in res.stdout, res.stdout
print(sorted(m for m in {heavy!r} if m in sys.modules))
"""


def test_record_command_imports_no_other_domain(tmp_path):
    env = {**os.environ, "SENTINELLE_HOME": str(tmp_path)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    res = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().splitlines()[-1] == "[]"


def test_every_sub_command_is_listed_and_resolves():
    res = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert res.exit_code == 0, res.output
    for name in COMMANDS:
        assert f" {name} " in res.output, name
        sub = CliRunner().invoke(app, [name, "--help"], terminal_width=200)
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage:" in sub.output
    bad = CliRunner().invoke(app, ["recrod"])
    assert bad.exit_code == 2 and "No such command" in bad.output
