#!/usr/bin/env python3
"""Markdown rows of the TA ratio table (docs/PERFORMANCE.md) from one ta_bench JSON run.

    ta_table.py ta_bench.json            # non-candle rows of the main table
    ta_table.py ta_bench.json multi      # the core set's run_multi rows
    ta_table.py ta_bench.json below      # rows with a 1M ratio below 1.0, worst first
    ta_table.py ta_bench.json candles    # the 61 candlestick rows (1M; 2000x5000 where run)
    ta_table.py ta_bench.json summary    # counts: rows >= 1.0x and >= 2.0x, candles and the rest

Every figure is the `min` aggregate of the ns/bar counter (run with
--benchmark_repetitions=N); a ratio is TA-Lib's time divided by ours in the same run.
"""
import json
import re
import sys

CORE = ["SMA", "EMA", "BBANDS", "RSI", "MACD", "STOCH", "ADX", "PLUS_DI", "MINUS_DI", "MFI", "WILLR", "CCI",
        "ATR", "OBV"]


def load(path):
    mins, order = {}, []
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") != "min" or b.get("error_occurred"):
            continue
        mins[b["run_name"]] = b["ns/bar"] * 1e9
        if b["run_name"].startswith("ours/1M/"):
            order.append(b["run_name"][len("ours/1M/"):])
    return mins, order


def ratio_1m(mins, key):
    theirs = mins.get(f"talib/1M/{key.split('(')[0]}")
    return theirs / mins[f"ours/1M/{key}"] if theirs else None


def label(key):
    name = key.split("(")[0]
    values = re.findall(r"=([^,)]+)", key)
    return f"{name}({','.join(values)})" if values else name


def ratio(theirs, ours):
    r = theirs / ours
    return f"**{r:.2f}x**" if r >= 2 else f"{r:.2f}x"


def main():
    mins, order = load(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "table"
    keys = [k for k in order if not k.startswith("CDL")]
    by_name = {k.split("(")[0]: k for k in keys}
    if mode == "multi":
        for name in CORE:
            key = by_name.get(name)
            u, t, m = (mins.get(f"{p}/2000x5000/{x}") for p, x in
                       (("ours", key), ("talib", name), ("multi", key)))
            if key and u and t and m:
                print(f"| {label(key)} | {u:.2f} | {m:.2f} | {t:.2f} | {ratio(t, u)} | {ratio(t, m)} |")
        return
    if mode == "candles":
        first = ["CDLDOJI", "CDLHAMMER", "CDLENGULFING"]  # the core candles, also on 2000x5000
        candles = [k for k in order if k.startswith("CDL")]
        for key in sorted(candles, key=lambda k: (first.index(k) if k in first else len(first), k)):
            name = key.split("(")[0]
            o, t = mins[f"ours/1M/{key}"], mins.get(f"talib/1M/{name}")
            u, tu = mins.get(f"ours/2000x5000/{key}"), mins.get(f"talib/2000x5000/{name}")
            wide = f"{u:.2f} | {tu:.2f} | {ratio(tu, u)}" if u and tu else "– | – | –"
            print(f"| {label(key)} ¹ | {o:.2f} | {t:.2f} | {ratio(t, o)} | {wide} |")
        return
    if mode == "summary":
        for title, group in (("candles", [k for k in order if k.startswith("CDL")]), ("others", keys)):
            rs = [r for r in (ratio_1m(mins, k) for k in group) if r is not None]
            if not rs:  # a run filtered to other rows (the candles alone, say)
                print(f"{title}: no rows")
                continue
            print(f"{title}: {len(rs)} rows, {sum(r >= 1.0 for r in rs)} >= 1.0x, {sum(r >= 2.0 for r in rs)} >= 2.0x, "
                  f"lowest {min(rs):.2f}x")
        return
    if mode == "below":
        rows = [(mins[f"talib/1M/{k.split('(')[0]}"] / mins[f"ours/1M/{k}"], k) for k in keys
                if f"talib/1M/{k.split('(')[0]}" in mins]
        for r, k in sorted(rows):
            if r < 1.0:
                print(f"{label(k)}: {r:.3f}x")
        return
    ordered = [by_name[n] for n in CORE if n in by_name]
    ordered += [k for k in keys if k not in ordered and f"talib/1M/{k.split('(')[0]}" in mins]
    ordered += [k for k in keys if k not in ordered]
    for key in ordered:
        name = key.split("(")[0]
        o, t = mins[f"ours/1M/{key}"], mins.get(f"talib/1M/{name}")
        if t is None:
            print(f"| {label(key)} (extra) | {o:.2f} | – | – | – | – | – |")
            continue
        u, tu = mins.get(f"ours/2000x5000/{key}"), mins.get(f"talib/2000x5000/{name}")
        wide = f"{u:.2f} | {tu:.2f} | {ratio(tu, u)}" if u and tu else "– | – | –"
        print(f"| {label(key)} | {o:.2f} | {t:.2f} | {ratio(t, o)} | {wide} |")


if __name__ == "__main__":
    main()
