"""README's "Python" section: its example runs as written, and the package installs with pip."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def _readme_python_blocks():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_example_runs(demo_dir, monkeypatch, capsys):
    blocks = _readme_python_blocks()
    assert blocks, "README has no ```python block in its Python section"
    monkeypatch.chdir(demo_dir)          # holds demo/demo.tape, as `tape demo demo` makes
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "1000000" in out


def test_package_installs_with_pip(tmp_path):
    target = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-build-isolation", "--no-deps", "--target", str(target),
                        os.path.join(ROOT, "tools", "python")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    check = "import tape, tape_writer, tape.writer; print(tape.__file__)"
    env = dict(os.environ, PYTHONPATH=str(target))
    p = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(str(target))
