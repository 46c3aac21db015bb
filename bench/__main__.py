"""`python -m bench run …`: see bench/run.py."""

import sys


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        sys.exit("usage: python -m bench run [--scale S] [--duration SECONDS] [--users N] …")
    from bench import run

    run.main(sys.argv[2:])


if __name__ == "__main__":
    main()
