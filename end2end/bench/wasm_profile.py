#!/usr/bin/env python3
"""What a wasm module is made of: section sizes, the largest functions (by body size, from
the `name` section that a build without wasm-opt keeps) and their totals by crate (the
first path segment of the name; `<T as Trait>::f` counts for the crate of `T`;
`core::ptr::drop_in_place<T>` for `drop_in_place`). A dependency-free stand-in for
`twiggy top` on this project's 2 busy cores. Used for BENCHMARKS.md.

    python3 end2end/bench/wasm_profile.py target/wasm32-unknown-unknown/wasm-release/dispatch-app.wasm [top N]
"""

import re
import sys
from collections import defaultdict

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
            6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
            12: "datacount"}


def leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def name_of(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = leb(data, pos)
    return data[pos:pos + n].decode("utf-8", "replace"), pos + n


ESCAPES = {"$LT$": "<", "$GT$": ">", "$u20$": " ", "$C$": ",", "$RF$": "&", "$BP$": "*",
           "$u7b$": "{", "$u7d$": "}", "$u27$": "'", "$LP$": "(", "$RP$": ")", "$u5b$": "[",
           "$u5d$": "]", "$SP$": "@", "$u3b$": ";", "$u22$": '"', "$u2b$": "+"}


def demangle(name: str) -> str:
    """Rust's legacy mangling (`_ZN` + length-prefixed segments + hash) made readable."""
    if not name.startswith("_ZN"):
        return name
    pos, parts = 3, []
    while pos < len(name) and name[pos].isdigit():
        m = re.match(r"\d+", name[pos:])
        n = int(m.group(0))
        pos += len(m.group(0))
        parts.append(name[pos:pos + n])
        pos += n
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    out = "::".join(p[1:] if p.startswith("_$") else p for p in parts)
    for k, v in ESCAPES.items():
        out = out.replace(k, v)
    return out.replace("..", "::")


def crate_of(name: str) -> str:
    if name.startswith("core::ptr::drop_in_place"):
        return "drop_in_place"
    s = name.lstrip("<&*")
    s = re.sub(r"^(mut |const |dyn )+", "", s)
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", s)
    return m.group(0) if m else "(other)"


def main() -> None:
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    data = open(path, "rb").read()
    pos = 8
    sections = defaultdict(int)
    imported = 0
    bodies: list[int] = []
    names: dict[int, str] = {}
    while pos < len(data):
        sid = data[pos]
        size, body = leb(data, pos + 1)
        end = body + size
        label = SECTIONS.get(sid, str(sid))
        if sid == 0:
            cname, _ = name_of(data, body)
            label = f"custom:{cname}"
            if cname == "name":
                p = body
                _, p = name_of(data, p)
                while p < end:
                    sub = data[p]
                    ssize, p = leb(data, p + 1)
                    sub_end = p + ssize
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            idx, q = leb(data, q)
                            fname, q = name_of(data, q)
                            names[idx] = demangle(fname)
                    p = sub_end
        elif sid == 2:
            count, p = leb(data, body)
            for _ in range(count):
                _, p = name_of(data, p)
                _, p = name_of(data, p)
                kind = data[p]
                p += 1
                if kind == 0:
                    _, p = leb(data, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
                else:
                    _, p = leb(data, p)
        elif sid == 10:
            count, p = leb(data, body)
            for _ in range(count):
                fsize, q = leb(data, p)
                bodies.append(q - p + fsize)
                p = q + fsize
        sections[label] += end - pos
        pos = end
    total = len(data)
    print(f"{path}: {total:,} bytes")
    for label, size in sorted(sections.items(), key=lambda x: -x[1]):
        print(f"  section {label:<28} {size:>10,}  {100 * size / total:5.1f} %")
    code = sum(bodies)
    funcs = [(size, names.get(imported + i, f"func[{imported + i}]")) for i, size in enumerate(bodies)]
    by_crate = defaultdict(lambda: [0, 0])
    for size, name in funcs:
        c = by_crate[crate_of(name)]
        c[0] += size
        c[1] += 1
    print(f"\ncode by crate ({len(funcs):,} functions, {code:,} bytes of code):")
    for crate, (size, n) in sorted(by_crate.items(), key=lambda x: -x[1][0])[:top]:
        print(f"  {crate:<32} {size:>10,}  {100 * size / code:5.1f} %  ({n} functions)")
    print(f"\nlargest functions:")
    for size, name in sorted(funcs, reverse=True)[:top]:
        print(f"  {size:>8,}  {name[:150]}")


if __name__ == "__main__":
    main()
