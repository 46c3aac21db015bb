"""`python -m bench run …` (the load benchmark, bench/run.py) and `python -m bench profile …`
(one request of each load page, in-process, bench/profile.py)."""

import sys


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "profile"):
        sys.exit(
            "usage: python -m bench run [--scale S] [--duration SECONDS] [--users N] …\n"
            "       python -m bench profile [--scale S] [--repeat N] [--only TEXT] [--cprofile N]"
        )
    if sys.argv[1] == "run":
        from bench import run

        run.main(sys.argv[2:])
    else:
        from bench import profile

        profile.main(sys.argv[2:])


if __name__ == "__main__":
    main()
