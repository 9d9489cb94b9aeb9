#!/usr/bin/env python3
"""Golden indicator fixtures: pandas-ta (with TA-Lib) over the scenario year of 1m candles.

Run from the repository root (see README.md in this folder):
    python tools/indicator-fixtures/generate.py
It writes libs/indicators/src/fixtures/golden-year.json.gz, which the Jest tests read (no Python
needed by `npm test`). The candles come from the TypeScript generator the tests use
(scenarioYearCandles), written to a temporary CSV by src/write-candles.ts.
"""
import gzip
import io
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version

import numpy as np
import pandas as pd
import pandas_ta as ta  # noqa: F401  (registers the df.ta accessor)
from pandas_ta.maps import Imports

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "libs", "indicators", "src", "fixtures", "golden-year.json.gz")
SPECS = ["EMA_50", "EMA_200", "RSI_14", "VWAP_D", "ATR_30", "EMA_21", "RSI_7", "ATR_14", "EMA_2", "RSI_2", "ATR_1"]
DENSE_HEAD = 400  # every row while the longest warm-up (EMA_200) ends
EVERY = 61  # then every 61st row (prime: hits every minute of the day over the year)
NEAR = 3  # plus rows this close after a day boundary, a gap or a large move


def reference(df: pd.DataFrame, spec: str) -> pd.Series:
    kind, arg = spec.split("_")
    if kind == "VWAP":
        return df.ta.vwap(anchor=arg)
    n = int(arg)
    # The design's prototype called exactly these accessors; pandas-ta uses TA-Lib for EMA/RSI/ATR when installed.
    return {"EMA": df.ta.ema, "RSI": df.ta.rsi, "ATR": df.ta.atr}[kind](length=n)


def sampled_rows(df: pd.DataFrame) -> list:
    open_time = df["open_time"].to_numpy()
    close = df["close"].to_numpy()
    n = len(df)
    keep = np.zeros(n, dtype=bool)
    keep[:DENSE_HEAD] = True
    keep[::EVERY] = True
    events = np.zeros(n, dtype=bool)
    events[(open_time // 60_000) % 1440 == 0] = True  # first candle of a UTC day
    events[1:][np.diff(open_time) > 60_000] = True  # first candle after a gap
    events[1:][np.abs(close[1:] / close[:-1] - 1) > 0.1] = True  # large move
    for i in np.flatnonzero(events):
        keep[max(0, i - NEAR): i + NEAR + 1] = True
    return np.flatnonzero(keep).tolist()


def fingerprint(df: pd.DataFrame) -> str:
    """sha256 of (open_time, high, low, close, volume) per candle as little-endian float64, row by row."""
    return hashlib.sha256(df[["open_time", "high", "low", "close", "volume"]].to_numpy(dtype="<f8").tobytes(order="C")).hexdigest()


def null_runs(values: np.ndarray) -> list:
    """[start, end) index ranges where the reference is NaN."""
    runs, start = [], None
    for i, is_nan in enumerate(np.isnan(values)):
        if is_nan and start is None:
            start = i
        elif not is_nan and start is not None:
            runs.append([start, i])
            start = None
    if start is not None:
        runs.append([start, len(values)])
    return runs


def main() -> None:
    if not Imports["talib"]:
        sys.exit("TA-Lib is not importable: the reference is pandas-ta WITH TA-Lib (pip install TA-Lib)")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = os.path.join(tmp, "candles.csv")
        subprocess.run(["npx", "tsx", "tools/indicator-fixtures/src/write-candles.ts", csv_path], cwd=ROOT, check=True)
        with open(csv_path, "rb") as f:
            csv_bytes = f.read()
    # Python's float() is correctly rounded, so the reference sees exactly the doubles the tests build.
    df = pd.read_csv(io.BytesIO(csv_bytes), dtype=str)
    df["open_time"] = df["open_time"].astype("int64")
    for column in ["high", "low", "close", "volume"]:
        df[column] = np.array([float(text) for text in df[column]], dtype=float)
    df.index = pd.to_datetime(df["open_time"], unit="ms")  # naive UTC: VWAP_D groups by UTC calendar day
    rows = sampled_rows(df)
    values, nulls = {}, {}
    for spec in SPECS:
        series = reference(df, spec).to_numpy(dtype=float)
        assert len(series) == len(df), spec
        values[spec] = [None if math.isnan(v) else float(v) for v in series[rows]]
        nulls[spec] = null_runs(series)
    fixture = {
        "generator": "scenarioYearCandles() from @streamforge/indicators/testing, written by candlesToCsv",
        "candles": len(df),
        "candles_sha256": fingerprint(df),
        "reference": {name: version(name) for name in ["pandas-ta", "TA-Lib", "pandas", "numpy"]},
        "specs": SPECS,
        "rows": rows,
        "values": values,
        "nulls": nulls,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with gzip.GzipFile(OUT, "wb", compresslevel=9, mtime=0) as out:
        out.write(json.dumps(fixture, separators=(",", ":")).encode())
    print(f"{OUT}: {len(df)} candles, {len(rows)} sampled rows, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
