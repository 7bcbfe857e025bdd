"""``wijkdata fetch``: download what a region's config needs into its data folder, with a cache.

Only the standard library (urllib) is used: the client is small, and one less dependency is one
less thing to break on an analyst's locked-down laptop.

Safety rules, in the order they matter to a user:
* a partial or broken download never replaces a good cached copy: everything is written to a
  temporary folder, every JSON page is parsed before it counts, and only then renamed into place;
* a copy is reused unless the server says it changed (ETag / Last-Modified, HTTP 304) or the
  downloaded content hashes differently — then the folder is left byte-for-byte untouched;
* network trouble (timeouts, resets, 5xx, 429, truncated bodies) is retried with exponential
  back-off; when the host cannot be reached at all the message says so, and a cached copy is kept.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wijkdata.core.atomic import write_bytes
from wijkdata.core.clock import build_timestamp
from wijkdata.core.config import Region, Source
from wijkdata.core.errors import DeliveryError

DEFAULT_API = {3: "https://opendata.cbs.nl/ODataApi/odata", 4: "https://odata4.cbs.nl/CBS"}
ENV_API = "WIJKDATA_CBS_API"
METADATA = {3: "DataProperties", 4: "MeasureCodes"}
ENTITY = {3: "TypedDataSet", 4: "Observations"}
USER_AGENT = "wijkdata-fetch (+https://github.com/wijkdata)"


class Unreachable(DeliveryError):
    """The host could not be reached at all (DNS, refused): probably offline."""


@dataclass
class Http:
    """A tiny GET client: timeouts, retries with back-off, verified bodies."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """Return (status, headers, body); 304 is returned, other errors raise DeliveryError."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise DeliveryError(f"{url}: only http and https URLs are fetched")
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            req = urllib.request.Request(  # noqa: S310 - scheme checked above
                url, headers={"User-Agent": USER_AGENT, **(headers or {})})
            self.requests += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                    return resp.status, dict(resp.headers), resp.read()
            except urllib.error.HTTPError as exc:
                if exc.code == 304:
                    return 304, dict(exc.headers), b""
                if exc.code < 500 and exc.code != 429:
                    raise DeliveryError(f"{url}: HTTP {exc.code} {exc.reason}",
                                        hint="check table_id and filters in the config") from None
                last = f"HTTP {exc.code} {exc.reason}"
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, socket.gaierror | ConnectionRefusedError):
                    host = urllib.parse.urlsplit(url).netloc
                    raise Unreachable(
                        f"cannot reach {host} ({reason}); are you offline?",
                        hint=f"the API base URL can be set with ${ENV_API} or 'cbs_api:'",
                    ) from None
                last = f"network error: {reason}"
            except TimeoutError:
                last = f"no answer within {self.timeout:g} s (timeout)"
            except (http.client.IncompleteRead, http.client.RemoteDisconnected,
                    ConnectionResetError) as exc:
                last = f"incomplete response ({type(exc).__name__})"
        raise DeliveryError(f"{url}: {last}, after {self.retries + 1} attempts")


@dataclass
class FetchResult:
    source_id: str
    status: str  # downloaded | unchanged | cached-offline | local | missing
    target: Path
    pages: int = 0
    size: int = 0
    notes: list[str] = field(default_factory=list)


def api_base(region: Region, version: int) -> str:
    base = os.environ.get(ENV_API) or region.config.cbs_api or DEFAULT_API[version]
    return base.rstrip("/")


def odata_filter(filters: dict[str, list[str]]) -> str | None:
    """Config filters -> $filter: every dimension's values OR-ed, dimensions AND-ed.

    ``startswith`` (not ``eq``) because v3 pads dimension keys with spaces ('GM0197    ').
    """
    parts = []
    for dim, values in filters.items():
        alts = " or ".join(f"startswith({dim},'{v.replace(chr(39), chr(39) * 2)}')"
                           for v in values)
        parts.append(f"({alts})")
    return " and ".join(parts) or None


def dataset_url(base: str, source: Source) -> str:
    query = {"$format": "json"} if source.odata_version == 3 else {}
    flt = odata_filter(source.filters)
    if flt:
        query["$filter"] = flt
    q = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()")
    url = f"{base}/{source.table_id}/{ENTITY[source.odata_version]}"
    return f"{url}?{q}" if q else url


def _next_link(page: dict[str, Any]) -> str | None:
    return page.get("odata.nextLink") or page.get("@odata.nextLink")


def rebase(link: str, base: str, table_id: str) -> str:
    """Point a server's absolute nextLink at our base URL (mirrors, tests, proxies)."""
    marker = f"/{table_id.lower()}/"
    i = link.lower().find(marker)
    return base + link[i:] if i >= 0 else link


def _parse_page(url: str, body: bytes) -> dict[str, Any]:
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"{url}: the response is not complete JSON ({exc}); "
                            "nothing was replaced") from None
    if not isinstance(page, dict) or not isinstance(page.get("value"), list):
        raise DeliveryError(f"{url}: expected an OData response with a 'value' list")
    return page


def manifest_path(data_dir: Path, source: Source) -> Path:
    return data_dir / ".fetch" / f"{source.id}.json"


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _conditional(manifest: dict[str, Any]) -> dict[str, str]:
    headers = {}
    if manifest.get("etag"):
        headers["If-None-Match"] = manifest["etag"]
    if manifest.get("last_modified"):
        headers["If-Modified-Since"] = manifest["last_modified"]
    return headers


def fetch_odata(http: Http, base: str, source: Source, target: Path,
                manifest: dict[str, Any]) -> tuple[str, list[tuple[str, bytes]], dict]:
    """Download every page (and the metadata) of one table; nothing is written here."""
    if not source.table_id:
        raise DeliveryError(f"source '{source.id}': cbs_odata needs 'table_id:'")
    url = dataset_url(base, source)
    have = target.is_dir() and any(target.glob("page-*.json"))
    status, headers, body = http.get(url, _conditional(manifest) if have else None)
    if status == 304:
        return "unchanged", [], manifest
    files: list[tuple[str, bytes]] = []
    first_headers = headers
    n = 0
    while True:
        n += 1
        page = _parse_page(url, body)
        files.append((f"page-{n:04d}.json", body))
        link = _next_link(page)
        if not link:
            break
        url = rebase(link, base, source.table_id)
        if n >= 10_000:
            raise DeliveryError(f"{url}: more than 10,000 pages; is the filter missing?")
        _status, _h, body = http.get(url)
    meta_url = f"{base}/{source.table_id}/{METADATA[source.odata_version]}"
    if source.odata_version == 3:
        meta_url += "?$format=json"
    _s, _h, meta = http.get(meta_url)
    _parse_page(meta_url, meta)
    files.append((f"{METADATA[source.odata_version]}.json", meta))
    info = {"url": dataset_url(base, source), "etag": first_headers.get("ETag"),
            "last_modified": first_headers.get("Last-Modified")}
    return "downloaded", files, info


def fetch_file(http: Http, source: Source, target: Path,
               manifest: dict[str, Any]) -> tuple[str, list[tuple[str, bytes]], dict]:
    assert source.url is not None
    status, headers, body = http.get(source.url,
                                     _conditional(manifest) if target.is_file() else None)
    if status == 304:
        return "unchanged", [], manifest
    if not body:
        raise DeliveryError(f"{source.url}: empty response; nothing was replaced")
    if target.suffix.lower() in (".json", ".geojson"):
        try:
            json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DeliveryError(f"{source.url}: the response is not complete JSON ({exc}); "
                                "nothing was replaced") from None
    info = {"url": source.url, "etag": headers.get("ETag"),
            "last_modified": headers.get("Last-Modified")}
    return "downloaded", [(target.name, body)], info


def _digest(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, body in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
    return h.hexdigest()


def _install(files: list[tuple[str, bytes]], target: Path, folder: bool) -> None:
    """Put verified files in place with renames, so a reader sees old or new, never half."""
    if not folder:
        write_bytes(target, files[0][1])
        return
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for name, body in files:
            (tmp / name).write_bytes(body)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def fetch_source(http: Http, region: Region, source: Source, data_dir: Path) -> FetchResult:
    target = data_dir / source.path
    if source.kind != "cbs_odata" and not source.url:
        status = "local" if target.exists() else "missing"
        return FetchResult(source.id, status, target)
    mpath = manifest_path(data_dir, source)
    manifest = _read_manifest(mpath)
    folder = source.kind == "cbs_odata"
    try:
        if folder:
            status, files, info = fetch_odata(http, api_base(region, source.odata_version),
                                              source, target, manifest)
        else:
            status, files, info = fetch_file(http, source, target, manifest)
    except Unreachable as exc:
        if target.exists():
            return FetchResult(source.id, "cached-offline", target, notes=[str(exc).split("\n")[0]])
        raise
    if status == "unchanged":
        return FetchResult(source.id, status, target, notes=["server: not modified (304)"])
    digest = _digest(files)
    size = sum(len(b) for _n, b in files)
    pages = sum(1 for n, _b in files if n.startswith("page-")) if folder else 1
    if manifest.get("sha256") == digest and target.exists():
        status, notes = "unchanged", ["same content as the cached copy"]
    else:
        _install(files, target, folder)
        notes = []
    record = {**info, "sha256": digest, "bytes": size, "pages": pages,
              "fetched_at": build_timestamp().isoformat()}
    write_bytes(mpath, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
    return FetchResult(source.id, status, target, pages=pages, size=size, notes=notes)


def fetch_region(region: Region, data_dir: Path, *, year: int | None = None,
                 http: Http | None = None,
                 progress: Callable[[str], None] = lambda _m: None) -> list[FetchResult]:
    """Fetch every source of the region (only those of ``year`` if given)."""
    http = http or Http()
    results: list[FetchResult] = []
    failures: list[str] = []
    sources = [s for s in region.config.sources if year is None or s.year == year]
    if not sources:
        raise DeliveryError(f"no sources for year {year} in {region.path.name}")
    for source in sources:
        progress(f"{source.id}: {source.kind} -> {source.path}")
        try:
            result = fetch_source(http, region, source, data_dir)
            results.append(result)
            if result.status == "missing":
                failures.append(f"{source.id}: {result.target} is missing and the source has "
                                "no 'url:' to fetch it from")
        except DeliveryError as exc:
            failures.append(f"{source.id}: {exc.message}")
            results.append(FetchResult(source.id, "failed", data_dir / source.path,
                                       notes=[exc.message]))
    if failures:
        raise FetchFailed(results, failures)
    return results


class FetchFailed(DeliveryError):
    """Some sources could not be fetched; the others (and every cached copy) are fine."""

    def __init__(self, results: list[FetchResult], failures: list[str]) -> None:
        super().__init__(f"{len(failures)} source(s) could not be fetched:\n  "
                         + "\n  ".join(failures),
                         hint="cached copies were kept; run again when the network is back")
        self.results = results
