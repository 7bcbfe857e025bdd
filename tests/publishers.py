"""A local stand-in for CBS, RIVM and PDOK on 127.0.0.1, rebuilt from the real files in
../shared/data, answering in the publishers' real shapes:

* ``/cbs/v3/<table>/UntypedDataSet`` (84799NED from the statline-bq Parquet, 85618NED from the
  KWB 2023 selection), ``DataProperties``, ``WijkenEnBuurten`` — OData v3 JSON with an absolute
  ``odata.nextLink`` per page and an ETag;
* ``/rivm/v3/50090NED/UntypedDataSet`` — the four RIVM 2016/2020 18+/65+ files, by
  ``Leeftijd`` (20300, 80200) and ``Perioden``; values as published (padded text, ``.``);
* ``/cbs/v4/80072ned/Observations``, ``MeasureCodes``, ``Dimensions`` — OData v4 with
  ``@odata.nextLink``;
* ``/pdok/wijken-en-buurten-2023/ogc/v1/collections/wijken/items`` — OGC API Features GeoJSON
  with ``gemeentecode=`` and ``limit=``, paged with ``links: [{rel: next}]``.

``$filter`` is evaluated for the ``startswith(Dim,'x')`` clauses fetch sends. Tests flip
``mode`` to make the server misbehave over a real socket (500s, Retry-After, stalls, a byte at a
time, cut bodies, endless bodies, redirects and next links to another host).
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[1]
KWB_MAP = ROOT / "src" / "wijkdata" / "ingest" / "sources" / "kwb_columns" / "2023.yml"
RIVM_FILES = {("2020JJ00", "20300"): "gezondheid_wijk_buurt_50090NED_2020_18plus.csv",
              ("2020JJ00", "80200"): "gezondheid_wijk_buurt_50090NED_2020_65plus.csv",
              ("2016JJ00", "20300"): "gezondheid_wijk_buurt_50090NED_2016_18plus.xlsx",
              ("2016JJ00", "80200"): "gezondheid_wijk_buurt_50090NED_2016_65plus.xlsx"}
CLAUSE = re.compile(r"startswith\((\w+),'((?:[^']|'')*)'\)")


def _untyped(value: Any) -> Any:
    """How the untyped entity set shows a value: text, right-aligned numbers, null kept."""
    if value is None or isinstance(value, str):
        return value
    return f"{value:>8}"


@functools.cache
def kwb_2020(shared: Path) -> tuple[list[dict], list[dict], list[dict]]:
    folder = shared / "cbs" / "kwb_2020_84799NED"
    rows = pl.read_parquet(folder / "cbs.v3.84799NED_TypedDataSet.parquet").drop(
        "odata_type", strict=False).to_dicts()
    props = pl.read_parquet(folder / "cbs.v3.84799NED_DataProperties.parquet").drop(
        "odata_type", strict=False).to_dicts()
    labels = pl.read_parquet(folder / "cbs.v3.84799NED_WijkenEnBuurten.parquet").drop(
        "odata_type", strict=False).to_dicts()
    return rows, props, labels


@functools.cache
def kwb_2023(shared: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """The KWB 2023 selection with OData keys: the first name in kwb_columns/2023.yml plus a
    positional suffix, as CBS's untyped set would show it ('.' kept, decimal point)."""
    spec = yaml.safe_load(KWB_MAP.read_text(encoding="utf-8"))["columns"]
    odata = {(names[-1] if isinstance(names, list) else names):
             (names[0] if isinstance(names, list) else names) for names in spec.values()}
    df = pl.read_csv(shared / "cbs" / "kwb_2023_selectie.csv", separator=";",
                     infer_schema=False)
    keys = {"gwb_code_10": "WijkenEnBuurten", "gm_naam": "Gemeentenaam_1"}
    for i, col in enumerate(c for c in df.columns if c not in keys):
        keys[col] = f"{odata.get(col, col)}_{i + 5}"
    rows = []
    for r in df.iter_rows(named=True):
        out = {"ID": len(rows)}
        for col, key in keys.items():
            v = r[col]
            if col == "gwb_code_10":
                v = f"{v:<10}"
            elif col == "gm_naam":
                v = f"{v:<40}"
            elif v is not None:
                v = f"{v.replace(',', '.'):>8}"
            out[key] = v
        rows.append(out)
    props = [{"Key": k, "Type": "Topic", "Datatype": "Double"} for k in keys.values()
             if k not in ("WijkenEnBuurten", "Gemeentenaam_1")]
    return rows, props, []


@functools.cache
def rivm(shared: Path, period: str, age: str) -> list[dict]:
    path = shared / "rivm" / RIVM_FILES[(period, age)]
    if path.suffix == ".csv":
        df = pl.read_csv(path, separator=";", infer_schema=False)
    else:
        df = pl.read_excel(path, infer_schema_length=0)
    return df.to_dicts()


@functools.cache
def wijken(shared: Path) -> list[dict]:
    data = json.loads((shared / "geo" / "cbs_wijken_2024_doelgemeenten.geojson").read_bytes())
    return list(data["features"])


def keep(rows: list[dict], flt: str) -> list[dict]:
    wanted: dict[str, list[str]] = {}
    for dim, value in CLAUSE.findall(flt):
        wanted.setdefault(dim, []).append(value.replace("''", "'"))
    return [r for r in rows if all(str(r.get(d) or "").strip().startswith(tuple(v))
                                   for d, v in wanted.items())]


@dataclass
class Publishers:
    shared: Path
    base: str = ""
    page_size: int = 200
    mode: str = "ok"
    failures_left: int = 0
    etag: str | None = '"2026-11-01"'
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: int = 0  # body bytes written in the slow or endless modes
    v4: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def v3_page(self, path: str, query: dict[str, str], rows: list[dict],
                table: str) -> dict[str, Any]:
        rows = keep(rows, query.get("$filter", ""))
        skip = int(query.get("$skip", "0"))
        page: dict[str, Any] = {
            "odata.metadata": self.url(f"{path.rsplit('/', 1)[0]}/$metadata#"
                                       f"Cbs.OData.WebAPI.{path.rsplit('/', 1)[1]}"),
            "value": rows[skip: skip + self.page_size]}
        if skip + self.page_size < len(rows):
            nxt = dict(query, **{"$skip": str(skip + self.page_size)})
            page["odata.nextLink"] = self.next_link(path, nxt)
        return page

    def next_link(self, path: str, query: dict[str, str]) -> str:
        q = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()")
        base = self.base
        if self.mode == "next_offsite":
            base = base.replace("127.0.0.1", "localhost")
        elif self.mode == "next_scheme":
            base = base.replace("http://", "https://")
        return f"{base}{path}?{q}"

    def answer(self, raw: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.log.append((raw, headers))
        url = urllib.parse.urlsplit(raw)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query))
        m = re.fullmatch(r"/(cbs|rivm)/v3/(\w+)/(\w+)", path)
        if m:
            return self.v3(m[1], m[2], m[3], path, query, headers)
        m = re.fullmatch(r"/cbs/v4/80072ned/(\w+)", path)
        if m and m[1] in self.v4:
            if m[1] != "Observations":
                return 200, {}, json.dumps(self.v4[m[1]]).encode()
            rows = self.v4["Observations"]["value"]
            skip = int(query.get("$skip", "0"))
            page = {"@odata.context": self.url("/cbs/v4/80072ned/$metadata#Observations"),
                    "value": rows[skip: skip + 3000]}
            if skip + 3000 < len(rows):
                page["@odata.nextLink"] = self.next_link(path, {"$skip": str(skip + 3000)})
            return 200, {}, json.dumps(page).encode()
        if path == "/pdok/wijken-en-buurten-2023/ogc/v1/collections/wijken/items":
            feats = [f for f in wijken(self.shared)
                     if f["properties"]["gemeentecode"] == query.get("gemeentecode",
                                                                     f["properties"]
                                                                     ["gemeentecode"])]
            limit = min(int(query.get("limit", "10")), 3)  # small pages: paging must work
            start = int(query.get("offset", "0"))
            links = [{"rel": "self", "type": "application/geo+json", "href": self.url(raw)}]
            if start + limit < len(feats):
                links.append({"rel": "next", "type": "application/geo+json",
                              "href": self.next_link(path, dict(query,
                                                                offset=str(start + limit)))})
            body = {"type": "FeatureCollection", "timeStamp": "2026-11-30T12:00:00Z",
                    "links": links, "numberReturned": len(feats[start:start + limit]),
                    "features": feats[start: start + limit]}
            return 200, {"Content-Type": "application/geo+json"}, json.dumps(body).encode()
        return 404, {}, b'{"odata.error": {"message": {"value": "Resource not found"}}}'

    def v3(self, publisher: str, table: str, entity: str, path: str, query: dict[str, str],
           headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if publisher == "cbs" and table in ("84799NED", "85618NED"):
            rows, props, labels = (kwb_2020 if table == "84799NED" else kwb_2023)(self.shared)
        elif publisher == "rivm" and table == "50090NED":
            flt = query.get("$filter", "")
            periods = re.findall(r"startswith\(Perioden,'(\w+)'\)", flt) or ["2020JJ00"]
            ages = re.findall(r"startswith\(Leeftijd,'(\w+)'\)", flt) or ["20300"]
            rows = [r for p in periods for a in ages if (p, a) in RIVM_FILES
                    for r in rivm(self.shared, p, a)]
            props = [{"Key": k, "Type": "Topic"} for k in (rows[0] if rows else {})]
            labels = []
        else:
            return 404, {}, b'{"odata.error": {"message": {"value": "Resource not found"}}}'
        if entity == "DataProperties":
            return 200, {}, json.dumps({"value": props}).encode()
        if entity == "WijkenEnBuurten":
            return 200, {}, json.dumps({"value": keep(labels, query.get("$filter", ""))}).encode()
        if entity not in ("UntypedDataSet", "TypedDataSet"):
            return 404, {}, b"{}"
        if self.etag and headers.get("If-None-Match") == self.etag and "$skip" not in query:
            return 304, {"ETag": self.etag}, b""
        page = self.v3_page(path, query, rows, table)
        if entity == "UntypedDataSet" and table == "84799NED":  # the Parquet holds typed values
            page["value"] = [{k: _untyped(v) for k, v in r.items()} for r in page["value"]]
        extra = {"ETag": self.etag} if self.etag else {}
        return 200, extra, json.dumps(page).encode()


def _handler(api: Publishers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, headers, body = api.answer(self.path, dict(self.headers))
            mode = api.mode
            if mode in ("flaky500", "retry_after") and api.failures_left > 0:
                api.failures_left -= 1
                status, body = 503 if mode == "retry_after" else 500, b"busy"
                headers = {"Retry-After": "7"} if mode == "retry_after" else {}
            elif mode == "500" and status == 200:
                status, body = 500, b"Internal Server Error"
            elif mode in ("redirect_offsite", "redirect_same") and "moved" not in self.path:
                host = "localhost" if mode == "redirect_offsite" else "127.0.0.1"
                sep = "&" if "?" in self.path else "?"
                port = self.server.server_address[1]
                status, body = 302, b""
                headers = {"Location": f"http://{host}:{port}{self.path}{sep}moved=1"}
            if mode == "stall":
                time.sleep(1.0)
            if mode == "dribble" and status == 200:
                return self._dribble(body)
            if mode == "endless" and status == 200:
                return self._endless(declared=None)
            if mode == "huge_declared" and status == 200:
                return self._endless(declared=10**9)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if mode == "truncate" and status == 200:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            if mode == "badjson" and status == 200:
                body = body[: len(body) - 10].ljust(len(body))
            self.wfile.write(body)

        def _dribble(self, body: bytes) -> None:
            """Headers at once, then one body byte every 0.2 s: each read succeeds."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i: i + 1])
                    self.wfile.flush()
                    api.sent += 1
                    time.sleep(0.2)
            except OSError:
                pass  # the client hung up: what the deadline is for
            self.close_connection = True

        def _endless(self, declared: int | None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if declared is not None:
                self.send_header("Content-Length", str(declared))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            chunk = b" " * 65536
            try:
                while api.sent < 50 * 1024 * 1024:
                    self.wfile.write(chunk)
                    api.sent += len(chunk)
            except OSError:
                pass
            self.close_connection = True

    return Handler


@functools.cache
def _v4(shared: Path) -> bytes:
    fx = shared / "cbs" / "odata_fixtures" / "v4_80072ned"
    return json.dumps({name: json.loads((fx / f"{name}.json").read_bytes())
                       for name in ("Observations", "MeasureCodes", "Dimensions")}).encode()


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up on a slow or endless answer is what those tests do


def serve(shared: Path) -> Iterator[Publishers]:
    state = Publishers(shared=shared, v4=json.loads(_v4(shared)))
    server = _Quiet(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def point_at(state: Publishers, env: Any) -> None:
    """Set the three base-URL variables (env: a MonkeyPatch or a dict) to the stand-in."""
    for name, path in (("WIJKDATA_CBS_API", "/cbs/v3"), ("WIJKDATA_RIVM_API", "/rivm/v3"),
                       ("WIJKDATA_PDOK_API", "/pdok")):
        if isinstance(env, dict):
            env[name] = state.base + path
        else:
            env.setenv(name, state.base + path)
