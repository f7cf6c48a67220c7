"""``python -m tennisbook.devstack run | emulator | prepare``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tennisbook.devstack")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the whole stack (what `make run` does)")
    run.add_argument("--var-dir", type=Path, help="data directory (default: TENNISBOOK_VAR_DIR)")
    run.add_argument("--web-port", type=int, help="overrides TENNISBOOK_SITE_URL's port")
    run.add_argument("--emulator-port", type=int, help="overrides DYNAMODB_ENDPOINT_URL")
    run.add_argument("--democlub-port", type=int, help="overrides DEMOCLUB_URL's port")
    run.add_argument(
        "--democlub-second-port", type=int, help="overrides DEMOCLUB_SECOND_URL's port"
    )

    commands.add_parser("emulator", help="the persistent DynamoDB + KMS emulator alone",
                        add_help=False)  # fmt: skip
    prepare = commands.add_parser("prepare", help="migrate, tables, keys, seed, collectstatic")
    prepare.add_argument(
        "--no-static", action="store_true", help="skip collectstatic (an image has them)"
    )
    prepare.add_argument(
        "--demo-booking",
        action="store_true",
        help="then book the running demo portal's demo release for the demo member",
    )

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["emulator"]:
        from .emulator import main as emulator_main

        return emulator_main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "prepare":
        from .prepare import main as prepare_main

        return prepare_main(collect_static=not args.no_static, demo_booking=args.demo_booking)
    from .supervisor import main_from_args

    return main_from_args(args)


if __name__ == "__main__":
    sys.exit(main())
