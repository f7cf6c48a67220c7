"""Make a fresh machine ready for ``make run`` / ``make test``.

Run by the Makefile with the system's ``python3`` *before* the virtualenv
exists, so it uses the standard library only and is run as a script (never
imported as part of the ``tennisbook`` package, whose ``__init__`` needs
Celery). It is idempotent and quick when there is nothing to do:

1. create ``.venv`` if it is missing (installing python3-venv via apt when
   this Python has no ``ensurepip``, as on a bare Debian/Ubuntu);
2. ``pip install`` the pinned requirements only when their content changed,
   remembered by a stamp file inside the virtualenv;
3. install Chromium and chromedriver with apt-get when they are missing
   (``sudo`` when not root; ``apt-get update`` only when apt knows no
   candidate for them).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STAMP = ".tennisbook-requirements"
MIN_PYTHON = (3, 11)
# Debian names first; Ubuntu's equivalents are snap wrappers, tried second.
BROWSER_PACKAGES = (("chromium", "chromium-driver"), ("chromium-browser", "chromium-chromedriver"))


def say(text: str) -> None:
    print(f"bootstrap | {text}", flush=True)  # noqa: T201 - a console script


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, **kwargs)  # noqa: S603 - argv built here


def sudo_prefix() -> list[str]:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") is None:
        raise SystemExit("bootstrap | not root and no sudo: install the packages above by hand")
    # Without a terminal sudo cannot ask for a password: fail instead of hanging.
    return ["sudo"] if sys.stdin.isatty() else ["sudo", "-n"]


def apt_candidate(package: str) -> bool:
    """Whether apt can install ``package`` with the package lists it has now."""
    result = subprocess.run(  # noqa: S603
        ["apt-cache", "policy", package],  # noqa: S607 - found on PATH, like apt-get
        capture_output=True,
        text=True,
        check=False,
    )
    return "Candidate:" in result.stdout and "Candidate: (none)" not in result.stdout


def apt_env() -> dict[str, str]:
    return dict(os.environ, DEBIAN_FRONTEND="noninteractive")


def apt_update_unless_known(*packages: str) -> None:
    """``apt-get update`` only when apt knows none of ``packages`` (fresh images)."""
    if not any(apt_candidate(name) for name in packages):
        say("apt-get update (package lists are missing or stale)")
        run([*sudo_prefix(), "apt-get", "update", "-q"], env=apt_env())


def apt_install(packages: list[str]) -> None:
    say(f"apt-get install {' '.join(packages)}")
    run(
        [*sudo_prefix(), "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env=apt_env(),
    )


def ensure_browser() -> None:
    have_browser = any(shutil.which(name) for name in ("chromium", "chromium-browser"))
    if have_browser and shutil.which("chromedriver"):
        return
    if shutil.which("apt-get") is None:
        say("WARNING: Chromium/chromedriver missing and no apt-get here; install them yourself")
        return
    apt_update_unless_known(*(browser for browser, _ in BROWSER_PACKAGES))
    for browser, driver in BROWSER_PACKAGES:
        if apt_candidate(browser):
            apt_install([browser, driver])
            return
    say("WARNING: apt has no Chromium package; install Chromium and chromedriver yourself")


def python_ok(python: Path) -> bool:
    try:
        out = subprocess.run(  # noqa: S603
            [str(python), "-c", "import sys; print(sys.version_info[:2] >= (3, 11))"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return False
    return out.stdout.strip() == "True"


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists() and python_ok(python):
        return python
    if sys.version_info[:2] < MIN_PYTHON:
        raise SystemExit(
            f"bootstrap | Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed, this is "
            f"{sys.version.split()[0]}: run `make PYTHON=python3.11 ...`"
        )
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        if shutil.which("apt-get") is None:
            raise SystemExit("bootstrap | this Python cannot create virtualenvs") from None
        package = f"python3.{sys.version_info[1]}-venv"
        apt_update_unless_known(package)
        apt_install([package])
    say(f"creating {venv}")
    if venv.exists():
        shutil.rmtree(venv)  # a broken or too old virtualenv
    run([sys.executable, "-m", "venv", str(venv)])
    return python


def requirements_digest(files: list[Path], python: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(str(python.resolve()).encode())
    return digest.hexdigest()


def ensure_requirements(python: Path, venv: Path, dev: bool) -> None:
    files = [ROOT / "requirements.txt"]
    if dev:
        files.append(ROOT / "requirements-dev.txt")
    stamp = venv / STAMP
    installed = set(stamp.read_text().split()) if stamp.exists() else set()
    # One digest per file set: `make test` after `make run` installs the dev
    # extras once, and `make run` afterwards does not reinstall anything.
    wanted = requirements_digest(files, python)
    if wanted in installed:
        return
    say(f"pip install -r {' -r '.join(p.name for p in files)}")
    args = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for path in files:
        args += ["-r", str(path)]
    run(args, cwd=ROOT)
    # A dev install includes the runtime set: remember both.
    installed.add(wanted)
    if dev:
        installed.add(requirements_digest(files[:1], python))
    stamp.write_text("\n".join(sorted(installed)) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--dev", action="store_true", help="also requirements-dev.txt")
    parser.add_argument("--no-browser", action="store_true", help="skip Chromium/chromedriver")
    args = parser.parse_args(argv)
    python = ensure_venv(args.venv)
    ensure_requirements(python, args.venv, args.dev)
    if not args.no_browser and os.environ.get("TENNISBOOK_SKIP_APT") != "1":
        ensure_browser()
    return 0


if __name__ == "__main__":
    sys.exit(main())
