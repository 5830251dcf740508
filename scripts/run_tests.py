#!/usr/bin/env python3
"""The project's one test command.

1. Engine and script tests (``tests/``) with the current Python, no Odoo.
2. The translation check (every string of the .pot translated in fr and nl).
3. Where an Odoo 19 is found (``ODOO_BIN``, else ``odoo`` or ``odoo-bin`` on PATH):
   a throwaway PostgreSQL cluster (unless ``PGHOST`` names an existing local
   server) and three fresh databases, each from the add-on folder copied alone
   (see :data:`DATABASES`): the module alone without demo data (Odoo 19's
   default, an integrator's production copy), where most tests run, the .pot
   is checked against what Odoo exports and the module is uninstalled at the
   end; the module with demo data; the module with CRM, Sales and Invoicing.
   Tests run with pytest-odoo (``--odoo-http``: browser tours in Chromium). A
   failed install, a failed or skipped Odoo test fails the command.
   Without Odoo it says how many Odoo tests it did not run and why.
"""

import argparse
import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULE = "rgpd_prospection"
ADDON = REPO / MODULE
ODOO_TESTS = ADDON / "tests"
PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")
DB_USER = "rgpd_odoo"
# Apps the module does not depend on but handles when present (leads, sale
# orders, invoices): the demo database has them so that code runs in the tests.
OPTIONAL_APPS = ("crm", "sale_management", "account")
LOG_PROBLEM = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)
LOG_MODULE_WARNING = re.compile(rf"^\S+ \S+ \d+ WARNING .*{MODULE}.*$", re.MULTILINE)


def say(message):
    print(f"[run_tests] {message}", flush=True)


def count_odoo_tests():
    """Count the test methods of the Odoo suite by reading its source, so the
    number can be told even where Odoo cannot import it."""
    count = 0
    for path in sorted(ODOO_TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                count += sum(
                    1
                    for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test")
                )
    return count


def junit_counts(path):
    """(passed, failed, skipped) from a pytest junit XML file."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def with_python_path(folders, environment=None):
    """A copy of the environment with ``folders`` first on PYTHONPATH."""
    environment = dict(os.environ if environment is None else environment)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [*map(str, folders), environment.get("PYTHONPATH")])
    )
    return environment


def run_pytest(python, args, junit, environment=None):
    command = [python, "-m", "pytest", *args, f"--junitxml={junit}"]
    say(" ".join(command))
    environment = with_python_path([REPO / "scripts"], environment)
    code = subprocess.call(command, cwd=REPO, env=environment)
    if not Path(junit).exists():
        return code, (0, 1, 0)
    return code, junit_counts(junit)


def odoo_environment(launcher):
    """The environment in which the launcher's Python can ``import odoo``.

    Two layouts are supported: a source checkout, where the ``odoo`` package
    sits beside ``odoo-bin`` (a symlink to it is followed) and is importable
    only through that folder, and an installed Odoo (pip, Debian), where the
    launcher's Python has ``odoo`` on its own path."""
    folder = Path(os.path.realpath(launcher)).parent
    # Odoo 19's ``odoo`` is a namespace package: no __init__.py, but release.py
    if (folder / "odoo" / "release.py").exists():
        return with_python_path([folder])
    return dict(os.environ)


def free_port():
    """A TCP port of the loopback that nothing listens on now, so that two test
    runs on one machine do not meet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_odoo():
    """The Odoo launcher and the Python that runs it, or (None, reason)."""
    launcher = os.environ.get("ODOO_BIN")
    if launcher:
        if not Path(launcher).exists():
            return None, None, f"ODOO_BIN={launcher} does not exist"
    else:
        launcher = shutil.which("odoo") or shutil.which("odoo-bin")
        if not launcher:
            return None, None, "no Odoo 19 found (no odoo/odoo-bin on PATH, ODOO_BIN not set)"
    python = os.environ.get("ODOO_PYTHON") or launcher_python(launcher)
    try:
        version = subprocess.run(
            [python, launcher, "--version"], capture_output=True, text=True, timeout=120
        ).stdout
    except OSError as error:
        return None, None, f"{launcher} cannot be started with {python}: {error}"
    if "19.0" not in version:
        return None, None, f"{launcher} is not Odoo 19 ({version.strip() or 'no version'})"
    return launcher, python, None


def launcher_python(launcher):
    """The interpreter named by the launcher's shebang (a venv's Python, often)."""
    with open(os.path.realpath(launcher), "rb") as handle:
        first = handle.readline().decode(errors="replace").strip()
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and Path(parts[0]).name == "env" and len(parts) > 1:
            return shutil.which(parts[1]) or parts[1]
        if parts:
            return parts[0]
    return sys.executable


def pg_tool(name):
    for folder in PG_BIN_CANDIDATES:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"PostgreSQL tool {name} not found (install postgresql-15)")
    return found


def as_postgres(command):
    """initdb and postgres refuse to run as root: use the postgres system user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def throwaway_cluster(workdir):
    """A PostgreSQL cluster in a temporary folder, reachable on a unix socket only."""
    data = workdir / "pgdata"
    socket_dir = workdir / "pgsocket"
    socket_dir.mkdir()
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        for path in (data, socket_dir):
            shutil.chown(path, "postgres")
    subprocess.run(
        as_postgres([pg_tool("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = str(free_port())
    options = f"-k {socket_dir} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        as_postgres(
            [
                pg_tool("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(workdir / "pg.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                pg_tool("psql"),
                "-h",
                str(socket_dir),
                "-p",
                port,
                "-U",
                "postgres",
                "-q",
                "-c",
                f"CREATE ROLE {DB_USER} SUPERUSER LOGIN",
            ],
            check=True,
        )
        yield {"db_host": str(socket_dir), "db_port": port, "db_user": DB_USER}
    finally:
        subprocess.run(
            as_postgres([pg_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
        )


@contextmanager
def database_server(workdir):
    """An existing local server when PGHOST is set, else a throwaway cluster."""
    host = os.environ.get("PGHOST")
    if host:
        if not (host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")):
            raise SystemExit(f"PGHOST={host}: tests only use a local server")
        yield {
            "db_host": host,
            "db_port": os.environ.get("PGPORT", "5432"),
            "db_user": os.environ.get("PGUSER", DB_USER),
            "db_password": os.environ.get("PGPASSWORD", ""),
        }
        return
    with throwaway_cluster(workdir) as server:
        yield server


def default_addons_path(python, launcher):
    code = (
        "import odoo.tools; odoo.tools.config.parse_config([]); "
        "print(odoo.tools.config['addons_path'])"
    )
    output = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        env=odoo_environment(launcher),
    )
    if output.returncode:
        raise SystemExit(f"{python} cannot import odoo:\n{output.stderr[-2000:]}")
    return output.stdout.strip().splitlines()[-1]


def deploy_addon_alone(workdir):
    """Copy the add-on folder, and nothing else of the repository, into a fresh
    addons folder: the way integrators deploy it, so every run proves the
    folder installs and passes its tests on its own."""
    addons = workdir / "addons"
    shutil.copytree(ADDON, addons / MODULE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return addons


def write_odoo_config(workdir, server, python, launcher, own_addons):
    addons = os.environ.get("ODOO_ADDONS_PATH") or default_addons_path(python, launcher)
    lines = [
        "[options]",
        f"addons_path = {addons},{own_addons}",
        f"data_dir = {workdir / 'data'}",
    ]
    lines += [f"{key} = {value}" for key, value in server.items()]
    lines += [
        "db_password = " + server.get("db_password", "False"),
        "list_db = False",
        "http_interface = 127.0.0.1",
        f"http_port = {free_port()}",
        f"gevent_port = {free_port()}",
        "max_cron_threads = 0",
    ]
    config = workdir / "odoo.conf"
    config.write_text("\n".join(dict.fromkeys(lines)) + "\n")
    return config


def run_odoo(python, launcher, config, args, log_name, workdir):
    """Run Odoo to completion; return the log text (also kept on failure)."""
    log = workdir / log_name
    command = [python, launcher, "-c", str(config), "--stop-after-init", "--log-level=warn", *args]
    say(" ".join(command[2:]))
    with open(log, "w") as handle:
        code = subprocess.call(command, stdout=handle, stderr=subprocess.STDOUT, cwd=workdir)
    text = log.read_text(errors="replace")
    problems = LOG_PROBLEM.findall(text) or LOG_MODULE_WARNING.findall(text)
    if code or problems:
        print(text[-6000:])
        raise SystemExit(f"Odoo {' '.join(args)} failed (exit {code}); log: {log}")
    return text


def odoo_shell(python, launcher, config, database, workdir, shell_code, what):
    """Run ``shell_code`` in ``odoo-bin shell`` on ``database``; stop on a failure."""
    command = [python, launcher, "shell", "-c", str(config), "-d", database, "--log-level=warn"]
    say(" ".join(command[2:]) + f" ({what})")
    result = subprocess.run(command, input=shell_code, text=True, capture_output=True, cwd=workdir)
    if result.returncode or "Traceback" in result.stderr + result.stdout:
        print(result.stdout[-4000:], result.stderr[-4000:])
        raise SystemExit(f"{what} failed")


def uninstall_in(python, launcher, config, database, workdir):
    shell_code = (
        f"module = env['ir.module.module'].search([('name', '=', '{MODULE}')])\n"
        "module.button_immediate_uninstall()\n"
        "env.cr.commit()\n"
        "assert module.state == 'uninstalled', module.state\n"
    )
    odoo_shell(python, launcher, config, database, workdir, shell_code, f"uninstalling {MODULE}")


def pregenerate_assets(python, launcher, config, database, workdir):
    """Build the web asset bundles before the browser tours, as Odoo's own test
    runner does before its HTTP cases: else the first tour waits for them and its
    page may not be ready within the 60 s a tour is given."""
    shell_code = "env['ir.qweb']._pregenerate_assets_bundles()\nenv.cr.commit()\n"
    odoo_shell(python, launcher, config, database, workdir, shell_code, "asset bundles")


def pot_is_current(python, launcher, config, database, workdir):
    """True when the committed .pot holds every string Odoo exports for the module."""
    exported = workdir / f"{MODULE}.pot"
    command = [python, launcher, "i18n", "export", "-c", str(config), "-d", database]
    command += ["-o", str(exported), MODULE]
    say(" ".join(command[2:]))
    log = workdir / "export.log"
    with open(log, "w") as handle:
        code = subprocess.call(command, stdout=handle, stderr=subprocess.STDOUT, cwd=workdir)
    if code or not exported.exists():
        print(log.read_text(errors="replace")[-4000:])
        raise SystemExit(f"exporting the .pot failed (exit {code}); log: {log}")
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "check_translations.py"),
            "--exported",
            str(exported),
        ]
    )
    return result.returncode == 0


# The three databases of the Odoo suite, each from the add-on folder copied alone:
# (name, modules installed, demo data, the test files it runs). A test that needs
# another app or demo data lives in a file named for that database.
DATABASES = (
    ("bare", (MODULE,), False, lambda name: not name.startswith(("test_apps_", "test_demo_"))),
    ("demo", (MODULE,), True, lambda name: name.startswith("test_demo_")),
    ("apps", (MODULE, *OPTIONAL_APPS), False, lambda name: name.startswith("test_apps_")),
)


def odoo_test_files(selected):
    return sorted(path.name for path in ODOO_TESTS.glob("test_*.py") if selected(path.name))


def run_odoo_suite(launcher, python, keep):
    """Install the module in each database of :data:`DATABASES` and run its
    tests there; in the bare one, also check the .pot and the uninstall."""
    workdir = Path(tempfile.mkdtemp(prefix="rgpd_odoo_tests_"))
    os.chmod(workdir, 0o755)
    code, totals, pot_current = 0, [0, 0, 0], True
    try:
        with database_server(workdir) as server:
            own_addons = deploy_addon_alone(workdir)
            config = write_odoo_config(workdir, server, python, launcher, own_addons)
            stamp = time.strftime("%H%M%S")
            for name, modules, demo, selected in DATABASES:
                database = f"rgpd_{name}_{stamp}"
                run_odoo(
                    python,
                    launcher,
                    config,
                    ["-d", database, "-i", ",".join(modules)] + (["--with-demo"] if demo else []),
                    f"install_{name}.log",
                    workdir,
                )
                if name == "bare":
                    # the .pot as the module makes it with its dependencies only:
                    # other apps add their own terms to the module's models
                    pot_current = pot_is_current(python, launcher, config, database, workdir)
                pregenerate_assets(python, launcher, config, database, workdir)
                files = odoo_test_files(selected)
                say(f"{name} database: {len(files)} test files")
                db_code, counts = run_pytest(
                    python,
                    [
                        "-p",
                        "pytest_odoo_current_test",
                        f"--odoo-config={config}",
                        f"--odoo-database={database}",
                        "--odoo-http",
                        "-q",
                        "-o",
                        "addopts=",
                        "-o",
                        "pythonpath=",
                        *(str(own_addons / MODULE / "tests" / file) for file in files),
                    ],
                    workdir / f"odoo-junit-{name}.xml",
                    odoo_environment(launcher),
                )
                code = code or db_code
                totals = [a + b for a, b in zip(totals, counts, strict=True)]
                if name == "bare":
                    uninstall_in(python, launcher, config, database, workdir)
            return code, tuple(totals), pot_current
    finally:
        if keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-odoo", action="store_true", help="skip the Odoo suite")
    parser.add_argument("--keep", action="store_true", help="keep the Odoo work folder")
    parser.add_argument(
        "--odoo-python", action="store_true", help="print the Python of the Odoo found, and stop"
    )
    options = parser.parse_args()
    if options.odoo_python:
        _launcher, python, _reason = find_odoo()
        if python:
            print(python)
        return 0

    failures = []
    junit_dir = Path(tempfile.mkdtemp(prefix="rgpd_junit_"))
    code, (passed, failed, skipped) = run_pytest(
        sys.executable, ["-p", "no:odoo", "-q", "tests"], junit_dir / "engine.xml"
    )
    if code:
        failures.append("engine and script tests")
    if subprocess.call([sys.executable, str(REPO / "scripts" / "check_translations.py")]):
        failures.append("translations")
        failed += 1
    else:
        passed += 1

    odoo_total = count_odoo_tests()
    launcher, python, reason = (None, None, "--no-odoo given") if options.no_odoo else find_odoo()
    if launcher:
        say(f"Odoo found: {launcher} (Python {python}); {odoo_total} Odoo tests to run")
        odoo_code, (o_passed, o_failed, o_skipped), pot_current = run_odoo_suite(
            launcher, python, options.keep
        )
        if pot_current:
            passed += 1
        else:
            failures.append("the committed .pot misses strings Odoo exports")
            failed += 1
        say(f"Odoo tests: {o_passed} passed, {o_failed} failed, {o_skipped} skipped")
        if odoo_code or o_failed:
            failures.append("Odoo tests")
        if o_skipped:
            failures.append(f"{o_skipped} Odoo tests skipped (a skipped Odoo test is a failure)")
        if o_passed + o_failed + o_skipped < odoo_total:
            ran = o_passed + o_failed + o_skipped
            failures.append(f"only {ran} of {odoo_total} Odoo tests ran")
        passed, failed, skipped = passed + o_passed, failed + o_failed, skipped + o_skipped
    else:
        say(f"{odoo_total} Odoo tests not run: {reason}")

    shutil.rmtree(junit_dir, ignore_errors=True)
    if failures:
        say("FAILED: " + "; ".join(failures))
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
