"""``mentra-desktop``: the coordinators' dashboard.

::

    mentra-desktop                          # the embedded demo platform, signed in as the
                                            # demo coordinator; closing the window stops it
    mentra-desktop --platform URL           # a running platform: login dialog, token kept
    mentra-desktop --screenshot grid.png [--size 1280x800]
        [--view grid|matrix|decision|overlay|dashboard|alerts|planner]
    mentra-desktop export ics|csv|xlsx --out FILE …   # mentra_desktop.export.cli, no Qt

``main()`` checks the arguments and the display before importing Qt, so a missing
display or a broken Qt install is one clear line on stderr, not a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

VIEWS = ("grid", "matrix", "decision", "overlay", "dashboard", "alerts", "planner")
NO_DISPLAY = (
    "mentra-desktop: no display (DISPLAY and WAYLAND_DISPLAY are unset and QT_QPA_PLATFORM "
    "is not set); render a view offscreen with --screenshot FILE.png"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mentra-desktop", description="Mentra Council Coordinator — the desktop dashboard"
    )
    parser.add_argument(
        "--platform",
        metavar="URL",
        default=os.environ.get("MENTRA_PLATFORM_URL") or None,
        help="a running platform (default: start the embedded demo platform)",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="render a view of the embedded demo and exit"
    )
    parser.add_argument("--view", choices=VIEWS, default="grid", help="the view to render")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    if args.screenshot is not None:
        if not args.screenshot.lower().endswith(".png"):
            parser.error("--screenshot needs a .png file name")
        args.platform = None  # screenshots are of the embedded demo
    width, _, height = args.size.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        parser.error(f"--size must be WIDTHxHEIGHT, e.g. 1280x800 (got {args.size!r})")
    return args


def has_display(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """True when Qt has somewhere to draw: a display, or an explicit QPA platform."""
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words[:1] == ["export"]:  # `mentra-desktop export …`: Qt-free, no display needed
        from mentra_desktop.export.cli import main as export_main

        return export_main(words[1:])
    args = parse_args(argv)
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        from mentra_desktop.views.launch import run
    except ImportError as exc:
        print(f"mentra-desktop: cannot load the Qt interface: {exc}", file=sys.stderr)
        return 1
    try:
        return run(args)
    except Exception as exc:
        logging.getLogger("mentra_desktop").debug("start failed", exc_info=True)
        print(f"mentra-desktop: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
