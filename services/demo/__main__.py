"""`python -m services.demo [--workers N] [--seed S]`: migrate, load regions, seed the demo if the database is empty."""

import argparse

from services.demo.bootstrap import bootstrap


def main() -> None:  # pragma: no cover - thin CLI
    parser = argparse.ArgumentParser(description="Siapkan basis data; isi demo Kota Tangerang bila kosong.")
    parser.add_argument("--workers", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    print(bootstrap(n_workers=args.workers, seed=args.seed))


if __name__ == "__main__":
    main()
