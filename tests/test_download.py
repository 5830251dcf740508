"""The portal client (``bce_engine.portal``) and its command line, against a fake BCE portal
on 127.0.0.1 (never the real one)."""

import io
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import download_bce_extracts as dl
import pytest
from bce_engine import portal as client
from fake_bce_portal import FakeBcePortal

SCRIPT = Path(dl.__file__)
USER = "customer@example.be"
PASSWORD = "Pa55-w0rd!"
WRONG_PASSWORD = "Wr0ng-guess-77"
F127, U127 = "KboOpenData_0127_2024_09_Full.zip", "KboOpenData_0127_2024_09_Update.zip"
F146, U146 = "KboOpenData_0146_2025_10_11_Full.zip", "KboOpenData_0146_2025_10_11_Update.zip"
F147, U147 = "KboOpenData_0147_2025_10_12_Full.zip", "KboOpenData_0147_2025_10_12_Update.zip"
APPLY_ORDER = [F127, U127, F146, U146, F147, U147]
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy")


def extract_zip(name, members=None, compression=zipfile.ZIP_DEFLATED):
    """A tiny ZIP shaped like a BCE extract: ``meta.csv`` saying what the name says."""
    number, kind = name.split("_")[1], name.rsplit("_", 1)[1].removesuffix(".zip").lower()
    if members is None:
        members = {
            "meta.csv": (
                '"Variable","Value"\n"SnapshotDate","11-10-2025"\n'
                f'"ExtractType","{kind}"\n"ExtractNumber","{int(number)}"\n"Version","1.0.0"\n'
            ),
            "enterprise.csv": '"EnterpriseNumber","Status"\n' * (int(number) % 7 + 1),
        }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return buffer.getvalue()


def portal_files():
    """Newest first, as a listing page may show them: the downloader must sort."""
    return {name: extract_zip(name) for name in reversed(APPLY_ORDER)}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """A proxy from the environment would send the loopback requests elsewhere."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture
def portal():
    with FakeBcePortal(portal_files(), USER, PASSWORD) as fake:
        yield fake


def names_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_new_extracts_are_downloaded_whole_in_apply_order(portal, tmp_path):
    inbox = tmp_path / "inbox"
    written = client.download_new_extracts(portal.url, USER, PASSWORD, inbox)
    assert [p.name for p in written] == APPLY_ORDER
    assert all(p.parent == inbox and p.read_bytes() == portal.files[p.name] for p in written)
    assert names_in(inbox) == sorted(APPLY_ORDER)
    assert portal.login_attempts == [USER]


def test_files_already_present_are_kept_and_a_second_run_fetches_nothing(portal, tmp_path):
    same_size = b"k" * len(portal.files[F146])
    (tmp_path / F146).write_bytes(same_size)
    (tmp_path / U147).write_bytes(b"an earlier, shorter copy")
    written = client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    assert [p.name for p in written] == [F127, U127, U146, F147, U147]
    assert (tmp_path / F146).read_bytes() == same_size
    assert (tmp_path / U147).read_bytes() == portal.files[U147]
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path) == []
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def test_bad_login_raises_a_clear_login_error_without_the_password(portal, tmp_path):
    with pytest.raises(client.LoginError, match="refused the login") as raised:
        client.download_new_extracts(portal.url, USER, WRONG_PASSWORD, tmp_path)
    assert isinstance(raised.value, client.PortalError)
    assert USER in str(raised.value) and WRONG_PASSWORD not in str(raised.value)
    assert portal.served == [] and list(tmp_path.iterdir()) == []


def test_cli_bad_login_exits_3_with_one_line_on_stderr(portal, tmp_path):
    env = {**os.environ, "BCE_USER": USER, "BCE_PASSWORD": WRONG_PASSWORD}
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", portal.url, "--dest", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 3
    assert len(run.stderr.splitlines()) == 1 and "refused the login" in run.stderr
    assert WRONG_PASSWORD not in run.stderr + run.stdout
    assert list(tmp_path.iterdir()) == []


def test_cli_without_credentials_is_refused(portal, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("BCE_USER", raising=False)
    monkeypatch.delenv("BCE_PASSWORD", raising=False)
    assert dl.main(["--url", portal.url, "--dest", str(tmp_path)]) == 3
    assert "BCE_USER" in capsys.readouterr().err
    assert portal.login_attempts == []


def test_cli_downloads_with_credentials_from_the_environment(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BCE_USER", USER)
    monkeypatch.setenv("BCE_PASSWORD", PASSWORD)
    argv = ["--url", portal.url, "--dest", str(tmp_path), "--only", "update", "--since", "127"]
    assert dl.main(argv) == 0
    out, err = capsys.readouterr()
    assert f"downloaded {U146}" in out and f"downloaded {U147}" in out
    assert "2 extract(s) downloaded" in out and err == ""
    assert PASSWORD not in out
    assert names_in(tmp_path) == [U146, U147]


def test_empty_listing_is_an_error(tmp_path, monkeypatch, capsys):
    with FakeBcePortal({}, USER, PASSWORD) as fake:
        with pytest.raises(client.PortalError, match="lists no extract"):
            client.download_new_extracts(fake.url, USER, PASSWORD, tmp_path)
        monkeypatch.setenv("BCE_PASSWORD", PASSWORD)
        assert dl.main(["--url", fake.url, "--user", USER, "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "lists no extract" in err


def test_listing_answered_with_the_login_form_is_a_login_error(portal, tmp_path):
    portal.expire_before_listing = True
    with pytest.raises(client.LoginError, match="login page"):
        client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    assert portal.served == []


def test_truncated_download_is_kept_apart_and_resumed(portal, tmp_path):
    portal.truncated.add(U146)
    with pytest.raises(client.PortalError, match=rf"{U146} stopped after \d+ of \d+ bytes"):
        client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    half = len(portal.files[U146]) // 2
    assert names_in(tmp_path) == sorted([F127, U127, F146, U146 + ".part"])
    assert (tmp_path / (U146 + ".part")).read_bytes() == portal.files[U146][:half]
    portal.truncated.clear()
    written = client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    assert [p.name for p in written] == [U146, F147, U147]
    assert portal.range_requests == [(U146, f"bytes={half}-")]
    assert (tmp_path / U146).read_bytes() == portal.files[U146]
    assert names_in(tmp_path) == sorted(APPLY_ORDER)


def test_resume_without_range_support_starts_again(portal, tmp_path):
    portal.ranges = False
    (tmp_path / (F147 + ".part")).write_bytes(b"stale bytes of an earlier attempt")
    written = client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path, "full", 146)
    assert [p.name for p in written] == [F147]
    assert (tmp_path / F147).read_bytes() == portal.files[F147]
    assert names_in(tmp_path) == [F147]


def test_part_longer_than_the_file_starts_again(portal, tmp_path):
    (tmp_path / (F147 + ".part")).write_bytes(b"x" * (len(portal.files[F147]) + 10))
    written = client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path, "full", 146)
    assert [p.name for p in written] == [F147]
    assert (tmp_path / F147).read_bytes() == portal.files[F147]


def test_download_next_extract_fetches_one_file_per_call(portal, tmp_path):
    steps = []
    while step := client.download_next_extract(portal.url, USER, PASSWORD, tmp_path, since=145):
        steps.append(step)
    assert steps == [
        client.DownloadStep(U146, finished=True, more=True),
        client.DownloadStep(U147, finished=True, more=False),
    ]
    assert names_in(tmp_path) == [U146, U147]
    assert portal.login_attempts == [USER] * 3


def test_download_next_extract_stops_at_its_time_budget_and_resumes(portal, tmp_path, monkeypatch):
    monkeypatch.setattr(client, "CHUNK_SIZE", 100)
    portal.files[F147] = extract_zip(F147, members={"meta.csv": os.urandom(5000).hex()})
    first = client.download_next_extract(portal.url, USER, PASSWORD, tmp_path, seconds=0)
    assert first == client.DownloadStep(F147, finished=False, more=True)
    assert names_in(tmp_path) == [F147 + ".part"]
    assert (tmp_path / (F147 + ".part")).stat().st_size == 100
    second = client.download_next_extract(portal.url, USER, PASSWORD, tmp_path)
    assert second == client.DownloadStep(F147, finished=True, more=False)
    assert portal.range_requests == [(F147, "bytes=100-")]
    assert (tmp_path / F147).read_bytes() == portal.files[F147]
    assert client.download_next_extract(portal.url, USER, PASSWORD, tmp_path) is None


def test_download_next_extract_bad_login_is_a_login_error(portal, tmp_path):
    with pytest.raises(client.LoginError, match="refused the login"):
        client.download_next_extract(portal.url, USER, WRONG_PASSWORD, tmp_path)
    assert portal.served == [] and list(tmp_path.iterdir()) == []


def _not_a_zip(name):
    return b"PK\x03\x04" + b"\x00" * 200


def _crc_broken(name):
    data = bytearray(extract_zip(name, compression=zipfile.ZIP_STORED))
    position = data.index(b"ExtractType")
    data[position] ^= 0xFF
    return bytes(data)


def _no_meta(name):
    return extract_zip(name, members={"readme.txt": "not an extract"})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (_not_a_zip, "not a readable ZIP"),
        (_crc_broken, "damaged: meta.csv fails its CRC check"),
        (_no_meta, r"not a BCE extract \(no meta.csv\)"),
    ],
)
def test_bad_zip_is_refused_and_removed(portal, tmp_path, payload, message):
    portal.files[F127] = payload(F127)
    with pytest.raises(client.PortalError, match=message):
        client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_web_page_instead_of_a_zip_is_refused(portal, tmp_path):
    portal.html_instead.add(F146)
    with pytest.raises(client.PortalError, match=f"web page instead of {F146}"):
        client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path)
    assert names_in(tmp_path) == sorted([F127, U127])


@pytest.mark.parametrize(
    ("only", "since", "expected"),
    [
        ("full", None, [F127, F146, F147]),
        ("update", None, [U127, U146, U147]),
        ("all", 127, [F146, U146, F147, U147]),
        ("update", 146, [U147]),
        ("full", 147, []),
        ("needed", None, [F147]),
        ("needed", 145, [U146, U147]),
        ("needed", 146, [U147]),
        ("needed", 127, [F147]),
        ("needed", 147, []),
    ],
)
def test_only_and_since_filters(portal, tmp_path, only, since, expected):
    written = client.download_new_extracts(portal.url, USER, PASSWORD, tmp_path, only, since)
    assert [p.name for p in written] == expected
    assert names_in(tmp_path) == sorted(expected)


def test_needed_without_a_full_to_restart_from_is_an_error():
    updates = [
        client.PortalExtract(n, "update", f"u{n}", f"http://127.0.0.1/u{n}") for n in (146, 147)
    ]
    with pytest.raises(client.PortalError, match="updates after extract 140 are missing"):
        client.select_extracts(updates, "needed", 140)


def test_dry_run_lists_without_downloading(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BCE_PASSWORD", PASSWORD)
    (tmp_path / F147).write_bytes(portal.files[F147])
    argv = ["--url", portal.url, "--user", USER, "--dest", str(tmp_path), "--since", "146"]
    assert dl.main([*argv, "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{F147}\tpresent", f"{U147}\tnew"]
    assert portal.served == [] and names_in(tmp_path) == [F147]


def test_unreachable_portal_is_a_portal_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/kbo-open-data"
    with pytest.raises(client.PortalError, match="cannot reach the BCE portal"):
        client.download_new_extracts(url, USER, PASSWORD, tmp_path, timeout=5)


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        (F147, (147, "full")),
        (U147, (147, "update")),
        (F127, (127, "full")),
        (U127, (127, "update")),
        ("KboOpenData_0147_2025_10_12_Full.zip.md5", None),
        ("KboOpenData_147_2025_10_12_Full.zip", None),
        ("KboOpenData_0147_2025_10_12_Delta.zip", None),
        ("KBOCookbook_EN.pdf", None),
    ],
)
def test_parse_extract_name(name, parsed):
    assert client.parse_extract_name(name) == parsed
