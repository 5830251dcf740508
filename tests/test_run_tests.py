"""The test command's own plumbing: finding ``odoo`` in the supported layouts,
deploying the add-on folder alone, and ports that two runs do not share."""

import os
import re
import subprocess
import sys
from pathlib import Path

import run_tests


def fake_source_checkout(root):
    """An Odoo 19-like source tree: ``odoo-bin`` beside an ``odoo`` namespace
    package (no ``__init__.py``) that no Python on the path knows."""
    (root / "odoo").mkdir(parents=True)
    (root / "odoo" / "release.py").write_text("version = '19.0'\n")
    launcher = root / "odoo-bin"
    launcher.write_text(
        f"#!{sys.executable}\nfrom odoo import release\nprint('Odoo Server', release.version)\n"
    )
    return launcher


def test_source_checkout_odoo_is_importable_through_the_launcher_folder(tmp_path):
    launcher = fake_source_checkout(tmp_path / "src")
    alone = subprocess.run([sys.executable, "-c", "from odoo import release"], cwd=tmp_path)
    assert alone.returncode != 0  # not importable without odoo-bin's folder
    found = subprocess.run(
        [sys.executable, "-c", "from odoo import release; print(release.version)"],
        cwd=tmp_path,
        env=run_tests.odoo_environment(launcher),
        capture_output=True,
        text=True,
    )
    assert found.stdout.strip() == "19.0"


def test_a_symlinked_launcher_finds_its_checkout(tmp_path):
    launcher = fake_source_checkout(tmp_path / "src")
    (tmp_path / "bin").mkdir()
    link = tmp_path / "bin" / "odoo-bin"
    link.symlink_to(launcher)
    path = run_tests.odoo_environment(link)["PYTHONPATH"].split(os.pathsep)
    assert str(tmp_path / "src") in path


def test_installed_odoo_keeps_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)
    launcher = tmp_path / "bin" / "odoo"
    launcher.parent.mkdir()
    launcher.write_text("#!/usr/bin/python3\n")
    assert "PYTHONPATH" not in run_tests.odoo_environment(launcher)


def test_the_addon_is_deployed_alone(tmp_path):
    addons = run_tests.deploy_addon_alone(tmp_path)
    assert [p.name for p in addons.iterdir()] == [run_tests.MODULE]
    assert (addons / run_tests.MODULE / "__manifest__.py").exists()
    assert not list(addons.rglob("__pycache__"))


def test_each_run_gets_its_own_ports(tmp_path):
    server = {"db_host": "/tmp/x", "db_port": "5432", "db_user": "u"}
    configs = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        os.environ["ODOO_ADDONS_PATH"] = "/nowhere"
        try:
            text = run_tests.write_odoo_config(
                folder, server, sys.executable, "x", folder
            ).read_text()
        finally:
            del os.environ["ODOO_ADDONS_PATH"]
        configs.append(dict(line.split(" = ", 1) for line in text.splitlines() if " = " in line))
    assert configs[0]["http_port"] != configs[1]["http_port"]
    assert all(int(c["http_port"]) != 8069 for c in configs)


def test_addon_reaches_nothing_outside_its_folder():
    addon = Path(run_tests.ADDON)
    for path in addon.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "parents[2]" not in text and '"scripts"' not in text, path


def test_odoo_bin_finds_every_test_of_the_module_database():
    """``odoo-bin --test-enable`` runs only the test modules the package imports: every
    test file the module's own database runs is imported there; the files that need
    demo data or other apps are left to their databases."""
    tests = run_tests.ODOO_TESTS
    imported = set(re.findall(r"^from \. import (\w+)$", (tests / "__init__.py").read_text(), re.M))
    files = {path.stem for path in tests.glob("test_*.py")}
    bare = {name for name in files if not name.startswith(("test_apps_", "test_demo_"))}
    assert bare - imported == set()
    assert imported <= bare
