#!/usr/bin/env python3
"""A fake Massive (formerly Polygon.io) REST server for TickStock's tests.

Standard library only. Serves deterministic data in the vendor's documented
JSON shapes on 127.0.0.1 and prints the chosen port on its first stdout line.

  python3 fake_massive.py [--port 0] [--key test-key] [--page-size 100]
                          [--tls-cert CERT.pem --tls-key KEY.pem]   (serve HTTPS)
                          [--latency-ms N]     (every vendor answer waits N ms: a remote API)
                          [--bulk-tickers N]   (grouped daily also lists S0000 .. S<N-1>)

Vendor endpoints:
  GET /v2/aggs/ticker/{T}/range/1/day/{from}/{to}   aggregates, next_url paging
  GET /v2/aggs/grouped/locale/us/market/stocks/{D}  grouped daily
  GET /v3/reference/tickers/{T}                     ticker details
  GET /v3/reference/tickers?market=stocks&active=true[&limit=N]
      the active ticker list, sorted, next_url paging (at most --page-size a page): the
      grouped-daily tickers plus every ticker asked for by details since the last reset
  GET /v3/reference/splits[?ticker=T][&execution_date.gte=D]   splits (one ticker, or all)
Auth: "Authorization: Bearer KEY" or "?apiKey=KEY"; anything else -> 401.

Special tickers:
  GONE    404                          NOPE   200 with no results
  BADBAR  one bar with high < close    SLOW   sleeps 5 s before answering
  TRUNC   body shorter than its Content-Length, then the connection closes
  SPLT    has a 2-for-1 split on 2025-06-02
  DLST    delisted: details say active false; never in the active list
Splits adjust history like the vendor's adjusted=true bars: a bar dated before
a ticker's split execution date has its prices divided by split_to/split_from
and its volume multiplied by it.

Admin endpoints (no auth):
  GET /admin/requests                  JSON list of {"t": unix seconds, "path": ...}
  GET /admin/reset                     clears the log and scripted replies
  GET /admin/script?path=PREFIX&codes=429,500[&retry_after=1]
      the next requests whose path starts with PREFIX get those statuses, in order
  GET /admin/bars/{T}/{from}/{to}      the expected bars as CSV: date,o,h,l,c,v
  GET /admin/split?ticker=T&date=D&from=1&to=2
      announces a split: from now on T's earlier bars are adjusted and it is listed
      (/admin/reset forgets announced splits)
"""
import argparse
import datetime as dt
import hashlib
import json
import ssl
import sys
import threading
import time
import urllib.parse
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NY = zoneinfo.ZoneInfo("America/New_York")
LOCK = threading.Lock()
REQUESTS = []
SCRIPTS = []  # [prefix, [codes], retry_after]
GROUPED_TICKERS = ["AAA", "BBB", "CCC", "DDD", "EEE", "BADBAR"]  # BADBAR's grouped bar is invalid
DEFAULT_SPLITS = [{"id": "split-1", "ticker": "SPLT", "execution_date": "2025-06-02", "split_from": 1, "split_to": 2}]
SPLITS = list(DEFAULT_SPLITS)
DETAILED = set()  # tickers asked for by details: the active list includes them
UNKNOWN_TICKERS = ("GONE", "NOPE")


def seed(ticker, day):
    h = hashlib.sha256(f"{ticker}|{day.isoformat()}".encode()).digest()
    return int.from_bytes(h[:8], "big")


def bar_for(ticker, day):
    """Deterministic daily bar for a weekday; prices exact in binary (multiples of 1/64)."""
    s = seed(ticker, day)
    base = 20 + (s % 4000) / 64.0
    o = base
    c = base + ((s >> 12) % 129 - 64) / 64.0
    h = max(o, c) + ((s >> 20) % 32) / 64.0
    low = min(o, c) - ((s >> 28) % 32) / 64.0
    v = float(1000 + (s >> 36) % 1000000)
    with LOCK:
        for sp in SPLITS:
            if sp["ticker"] == ticker and day < dt.date.fromisoformat(sp["execution_date"]):
                ratio = sp["split_to"] / sp["split_from"]
                o, h, low, c, v = o / ratio, h / ratio, low / ratio, c / ratio, v * ratio
    session = dt.datetime(day.year, day.month, day.day, tzinfo=NY)
    t = int(session.timestamp() * 1000)
    return {"o": o, "h": h, "l": low, "c": c, "v": v, "vw": round((o + c) / 2, 4), "n": int(s % 5000), "t": t}


def days(start, end):
    d = start
    while d <= end:
        if d.weekday() < 5:
            yield d
        d += dt.timedelta(days=1)


def parse_day(text):
    if text.isdigit() and len(text) > 8:  # ms timestamp (next_url cursor form)
        return dt.datetime.fromtimestamp(int(text) / 1000, NY).date()
    return dt.date.fromisoformat(text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out separately
    server_version = "FakeMassive/1.0"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_text(self, text):
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if parts[:1] == ["admin"]:
            return self.admin(parts[1:], query)
        with LOCK:
            REQUESTS.append({"t": time.time(), "path": url.path})
            scripted = None
            for s in SCRIPTS:
                if url.path.startswith(s[0]) and s[1]:
                    scripted = (s[1].pop(0), s[2])
                    break
        key = self.server.key
        auth = self.headers.get("Authorization", "")
        if auth != "Bearer " + key and query.get("apiKey", [""])[0] != key:
            return self.send_json(401, {"status": "ERROR", "request_id": "req-401",
                                        "error": "Unknown API Key"})
        if self.server.latency > 0:
            time.sleep(self.server.latency)
        if scripted:
            code, retry_after = scripted
            headers = {"Retry-After": retry_after} if code == 429 and retry_after else {}
            return self.send_json(code, {"status": "ERROR", "request_id": "req-scripted",
                                         "error": f"scripted {code}"}, headers)
        if parts[:4] == ["v2", "aggs", "ticker"] or parts[:3] == ["v2", "aggs", "ticker"]:
            return self.aggregates(parts, query)
        if parts[:6] == ["v2", "aggs", "grouped", "locale", "us", "market"] and len(parts) == 8:
            return self.grouped(parts[7])
        if parts[:3] == ["v3", "reference", "tickers"] and len(parts) == 4:
            return self.details(parts[3])
        if parts == ["v3", "reference", "tickers"]:
            return self.ticker_list(query)
        if parts[:3] == ["v3", "reference", "splits"]:
            return self.splits(query.get("ticker", [""])[0], query.get("execution_date.gte", [""])[0])
        return self.send_json(404, {"status": "NOT_FOUND", "request_id": "req-404", "message": "no route"})

    def admin(self, parts, query):
        if parts == ["requests"]:
            with LOCK:
                return self.send_json(200, list(REQUESTS))
        if parts == ["reset"]:
            with LOCK:
                REQUESTS.clear()
                SCRIPTS.clear()
                SPLITS[:] = DEFAULT_SPLITS
                DETAILED.clear()
            return self.send_json(200, {"ok": True})
        if parts == ["script"]:
            codes = [int(c) for c in query.get("codes", [""])[0].split(",") if c]
            with LOCK:
                SCRIPTS.append([query.get("path", ["/"])[0], codes, query.get("retry_after", [""])[0]])
            return self.send_json(200, {"ok": True})
        if parts == ["split"]:
            sp = {"id": f"split-{len(SPLITS) + 1}", "ticker": query["ticker"][0],
                  "execution_date": query["date"][0], "split_from": float(query.get("from", ["1"])[0]),
                  "split_to": float(query.get("to", ["2"])[0])}
            with LOCK:
                SPLITS.append(sp)
            return self.send_json(200, {"ok": True})
        if len(parts) == 4 and parts[0] == "bars":
            lines = []
            for d in days(parse_day(parts[2]), parse_day(parts[3])):
                b = bar_for(parts[1], d)
                lines.append(f"{d.isoformat()},{b['o']!r},{b['h']!r},{b['l']!r},{b['c']!r},{b['v']!r}")
            return self.send_text("".join(line + "\n" for line in lines))
        return self.send_json(404, {"error": "unknown admin call"})

    def aggregates(self, parts, query):
        # /v2/aggs/ticker/{T}/range/1/day/{from}/{to}
        if len(parts) != 9 or parts[4:7] != ["range", "1", "day"]:
            return self.send_json(400, {"status": "ERROR", "request_id": "req-400", "error": "bad path"})
        ticker = parts[3]
        rid = f"req-{ticker}-{parts[7]}"
        if ticker == "GONE":
            return self.send_json(404, {"status": "NOT_FOUND", "request_id": rid, "message": "not found"})
        if ticker == "SLOW":
            time.sleep(5)
        start, end = parse_day(parts[7]), parse_day(parts[8])
        bars = [bar_for(ticker, d) for d in days(start, end)] if ticker != "NOPE" else []
        if ticker == "BADBAR" and len(bars) > 2:
            bars[2]["h"] = bars[2]["c"] - 1.0
        page = self.server.page_size
        out = {"ticker": ticker, "queryCount": len(bars), "resultsCount": min(len(bars), page),
               "adjusted": True, "status": "OK", "request_id": rid, "results": bars[:page]}
        if not bars:
            del out["results"]
        if len(bars) > page:
            host = self.headers.get("Host", "127.0.0.1")
            nxt = bars[page]["t"]
            out["next_url"] = (f"http://{host}/v2/aggs/ticker/{ticker}/range/1/day/{nxt}/{parts[8]}"
                               f"?cursor=c{nxt}")
        if ticker == "TRUNC":
            body = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        return self.send_json(200, out)

    def grouped(self, day_text):
        day = dt.date.fromisoformat(day_text)
        results = []
        if day.weekday() < 5:
            for t in GROUPED_TICKERS:
                b = bar_for(t, day)
                b["T"] = t
                if t == "BADBAR":
                    b["h"] = b["c"] - 1.0
                results.append(b)
        self.send_json(200, {"queryCount": len(results), "resultsCount": len(results), "adjusted": True,
                             "status": "OK", "request_id": f"req-grouped-{day_text}", "results": results})

    @staticmethod
    def ticker_info(ticker):
        return {"ticker": ticker, "name": f"{ticker} Corp.", "market": "stocks", "locale": "us",
                "primary_exchange": "XNAS" if ticker != "SPY" else "ARCX", "type": "CS" if ticker != "SPY" else "ETF",
                "active": ticker != "DLST", "currency_name": "usd"}

    def details(self, ticker):
        if ticker in UNKNOWN_TICKERS:
            return self.send_json(404, {"status": "NOT_FOUND", "request_id": "req-details"})
        with LOCK:
            DETAILED.add(ticker)
        self.send_json(200, {"status": "OK", "request_id": f"req-details-{ticker}", "results": self.ticker_info(ticker)})

    def ticker_list(self, query):
        # /v3/reference/tickers?market=stocks&active=true&limit=N[&cursor=AFTER]
        if query.get("market", ["stocks"])[0] != "stocks" or query.get("active", ["true"])[0] != "true":
            return self.send_json(400, {"status": "ERROR", "request_id": "req-400",
                                        "error": "the fake lists active stocks only"})
        limit = min(int(query.get("limit", ["100"])[0]), 1000, self.server.page_size)
        after = query.get("cursor", [""])[0]
        with LOCK:
            names = set(GROUPED_TICKERS) | DETAILED
        names = sorted(t for t in names if t not in UNKNOWN_TICKERS and t != "DLST" and t > after)
        page = names[:limit]
        out = {"status": "OK", "request_id": f"req-tickers-{after or 'first'}", "count": len(page),
               "results": [self.ticker_info(t) for t in page]}
        if len(names) > limit:
            host = self.headers.get("Host", "127.0.0.1")
            out["next_url"] = (f"http://{host}/v3/reference/tickers?market=stocks&active=true"
                               f"&limit={limit}&cursor={urllib.parse.quote(page[-1])}")
        self.send_json(200, out)

    def splits(self, ticker, since):
        with LOCK:
            results = [dict(sp) for sp in SPLITS
                       if (not ticker or sp["ticker"] == ticker) and (not since or sp["execution_date"] >= since)]
        results.sort(key=lambda sp: sp["execution_date"])
        self.send_json(200, {"status": "OK", "request_id": f"req-splits-{ticker or 'all'}", "results": results})


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # listen backlog: concurrent clients of the benchmark


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="test-key")
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--bulk-tickers", type=int, default=0)
    args = ap.parse_args()
    GROUPED_TICKERS.extend(f"S{i:04d}" for i in range(args.bulk_tickers))
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.key = args.key
    srv.page_size = args.page_size
    srv.latency = args.latency_ms / 1000.0
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
