#!/usr/bin/env python3
"""Sizes of a built app as a browser would download it: raw, gzip -9 and brotli q11 of each
wasm, js, css and html file of a dist directory (or of the files given), and their sum.
Used for BENCHMARKS.md's "What the wasm is made of"; needs PyPI's `brotli` module
(`pip install brotli`). The served-bytes budget of `cargo xtask test` measures the wire.

    python3 end2end/bench/sizes.py dist
    python3 end2end/bench/sizes.py some.wasm other.wasm
"""

import gzip
import pathlib
import sys

import brotli

KINDS = (".wasm", ".js", ".css", ".html")


def sizes(path: pathlib.Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    return (
        len(data),
        len(gzip.compress(data, compresslevel=9, mtime=0)),
        len(brotli.compress(data, quality=11)),
    )


def main() -> None:
    files: list[pathlib.Path] = []
    for arg in sys.argv[1:] or ["dist"]:
        p = pathlib.Path(arg)
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix in KINDS)
        else:
            files.append(p)
    total = [0, 0, 0]
    print(f"{'file':<50} {'raw':>10} {'gzip':>10} {'brotli':>10}")
    for f in files:
        s = sizes(f)
        total = [a + b for a, b in zip(total, s)]
        print(f"{f.name:<50} {s[0]:>10,} {s[1]:>10,} {s[2]:>10,}")
    print(f"{'total':<50} {total[0]:>10,} {total[1]:>10,} {total[2]:>10,}")


if __name__ == "__main__":
    main()
