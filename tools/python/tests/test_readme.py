"""README's "Python" section: its ```python examples run as written, in order, in a directory
holding demo/demo.tape (```py sketches for engines not installed here are not run), and the
package installs with pip."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def _readme_python_blocks():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_example_runs(demo_dir, tmp_path, monkeypatch, capsys):
    import shutil
    blocks = _readme_python_blocks()
    assert blocks, "README has no ```python block in its Python section"
    os.mkdir(tmp_path / "demo")          # demo/demo.tape, as `tape demo demo` makes (a copy: the
    shutil.copy(os.path.join(demo_dir, "demo", "demo.tape"), tmp_path / "demo")   # example adds runs)
    monkeypatch.chdir(tmp_path)
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "1000000" in out
    assert os.path.exists("manual.tape") and os.path.exists("sma_cross.tape")
    assert "demo" in out and "sma_cross" in out and "manual" in out     # summary / SQL over the three runs


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
