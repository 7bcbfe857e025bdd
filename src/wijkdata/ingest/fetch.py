"""``wijkdata fetch``: download what a region's config needs into its data folder, with a cache.

Per source with a ``fetch:`` block (see config.FetchSpec and docs/data.md):

* CBS and RIVM tables through the OData v3 (``TypedDataSet``/``UntypedDataSet`` +
  ``DataProperties``) or v4 (``Observations`` + ``MeasureCodes`` + ``Dimensions``) API, with a
  ``$filter`` on the region's gemeenten and the source's other dimensions, following
  ``odata.nextLink`` / ``@odata.nextLink``;
* CBS/PDOK wijk and buurt boundaries through PDOK's OGC API Features, one ``gemeentecode`` query
  per gemeente, following the ``next`` links, merged into one GeoJSON FeatureCollection.

What a user can rely on:
* a partial or broken download never replaces a good copy: pages are parsed as they arrive,
  written to a temporary folder and swapped in with renames only when all of them are complete;
* a copy is reused when the server says it did not change (ETag / Last-Modified, HTTP 304) or
  the content hashes the same — the folder is then left byte-for-byte untouched;
* provenance (URL without credentials, publisher, table, retrieval time, licence, sha256) is
  written next to the data as ``provenance.json``;
* every link the server hands back must stay on the configured host (fetch_http.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wijkdata.core.clock import build_timestamp
from wijkdata.core.config import FetchSpec, Region, Source
from wijkdata.core.errors import DeliveryError
from wijkdata.ingest.datapaths import PROVENANCE_FILE, fetched_dir, fetched_path
from wijkdata.ingest.fetch_http import Http, Unreachable, origin_text, redact, same_origin

DEFAULT_API = {
    ("cbs", 3): "https://opendata.cbs.nl/ODataApi/odata",
    ("cbs", 4): "https://odata4.cbs.nl/CBS",
    ("rivm", 3): "https://dataderden.cbs.nl/ODataApi/odata",
    ("pdok", 0): "https://api.pdok.nl/cbs",
}
ENV_API = {"cbs": "WIJKDATA_CBS_API", "rivm": "WIJKDATA_RIVM_API", "pdok": "WIJKDATA_PDOK_API"}
LICENCE = {"cbs": "CC BY 4.0", "rivm": "CC BY 4.0 (RIVM/GGD'en/CBS, via StatLine)",
           "pdok": "CC BY 4.0"}
METADATA = {3: ("DataProperties",), 4: ("MeasureCodes", "Dimensions")}
MAX_PAGES = 10_000
# Above this many gemeenten (nederland) the whole table is cheaper than a URL-long filter.
MAX_FILTERED_GEMEENTEN = 40
PDOK_PAGE = 1000  # PDOK serves at most 1000 features per page


@dataclass
class FetchResult:
    source_id: str
    status: str  # downloaded | unchanged | cached-offline | local | missing | failed
    target: Path
    pages: int = 0
    size: int = 0
    notes: list[str] = field(default_factory=list)


def spec_of(source: Source) -> FetchSpec | None:
    """The source's fetch spec: its ``fetch:`` block, or one its kind derives (cbs_odata)."""
    return source.fetch_spec()


def api_base(region: Region, spec: FetchSpec) -> str:
    key = (spec.publisher, 0 if spec.publisher == "pdok" else spec.odata)
    configured = getattr(region.config, f"{spec.publisher}_api")
    base = os.environ.get(ENV_API[spec.publisher]) or configured or DEFAULT_API.get(key)
    if not base:
        raise DeliveryError(f"no default API for {spec.publisher} OData v{spec.odata}",
                            hint=f"set '{spec.publisher}_api:' in the config or "
                            f"${ENV_API[spec.publisher]}")
    return base.rstrip("/")


def _quote(value: str) -> str:
    return value.replace("'", "''")


def odata_filter(dims: dict[str, list[str]]) -> str | None:
    """Dimension -> values as $filter: values OR-ed, dimensions AND-ed.

    ``startswith`` (not ``eq``) because v3 pads dimension keys with spaces ('GM0197    ').
    """
    parts = []
    for dim, values in dims.items():
        alts = " or ".join(f"startswith({dim},'{_quote(v)}')" for v in values)
        parts.append(f"({alts})")
    return " and ".join(parts) or None


def area_prefixes(region: Region) -> list[str] | None:
    """Code prefixes of the region's gemeenten, their wijken and buurten, and Nederland."""
    gms = region.config.gemeenten
    if len(gms) > MAX_FILTERED_GEMEENTEN:
        return None
    return ["NL"] + [f"{lv}{gm[2:]}" for gm in gms for lv in ("GM", "WK", "BU")]


def odata_url(region: Region, source: Source, spec: FetchSpec, base: str) -> str:
    dims: dict[str, list[str]] = {}
    if source.fetch is not None:  # a derived spec (legacy cbs_odata) names its own filters
        prefixes = area_prefixes(region)
        if prefixes:
            dims[spec.region_dimension] = prefixes
    dims.update(spec.filters)
    query = {"$format": "json"} if spec.odata == 3 else {}
    flt = odata_filter(dims)
    if flt:
        query["$filter"] = flt
    q = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()")
    url = f"{base}/{spec.table}/{spec.entity_set}"
    return f"{url}?{q}" if q else url


def _parse(url: str, body: bytes, expect: str) -> dict[str, Any]:
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"{redact(url)}: the response is not complete JSON ({exc}); "
                            "nothing was replaced") from None
    if not isinstance(page, dict) or not isinstance(page.get(expect), list):
        raise DeliveryError(f"{redact(url)}: expected a JSON object with a '{expect}' list")
    return page


def _follow(link: object, base: str, url: str) -> str:
    """A server's next-page link, refused when it leaves the configured host."""
    if not isinstance(link, str) or not link:
        raise DeliveryError(f"{redact(url)}: the next-page link is not a URL")
    nxt = urllib.parse.urljoin(url, link)
    if not same_origin(nxt, base):
        raise DeliveryError(f"{redact(url)}: refused to follow a next-page link to "
                            f"{redact(nxt)}: another scheme, host or port than "
                            f"{origin_text(base)}",
                            hint="nothing was replaced")
    return nxt


def _odata_pages(http: Http, url: str, base: str, conditional: dict[str, str],
                 state: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    n = 0
    headers = conditional
    while True:
        n += 1
        if n > MAX_PAGES:
            raise DeliveryError(f"{redact(url)}: more than {MAX_PAGES} pages; is the filter "
                                "missing?")
        resp = http.get(url, headers, allowed_origin=base)
        if resp.status == 304:
            state["unchanged"] = True
            return
        body = resp.read()
        resp.discard()
        if n == 1:
            state["etag"] = resp.headers.get("etag")
            state["last_modified"] = resp.headers.get("last-modified")
        page = _parse(url, body, "value")
        yield f"page-{n:04d}.json", body
        link = page.get("odata.nextLink") or page.get("@odata.nextLink")
        if not link:
            return
        url, headers = _follow(link, base, url), {}


def _odata_files(http: Http, region: Region, source: Source, spec: FetchSpec, base: str,
                 conditional: dict[str, str], state: dict[str, Any]
                 ) -> Iterator[tuple[str, bytes]]:
    url = odata_url(region, source, spec, base)
    state["url"] = url
    yield from _odata_pages(http, url, base, conditional, state)
    if state.get("unchanged"):
        return
    for entity in METADATA[spec.odata]:
        meta_url = f"{base}/{spec.table}/{entity}" + ("?$format=json" if spec.odata == 3 else "")
        resp = http.get(meta_url, allowed_origin=base)
        body = resp.read()
        resp.discard()
        _parse(meta_url, body, "value")
        yield f"{entity}.json", body
    prefixes = area_prefixes(region)
    if spec.odata == 3 and source.fetch is not None:
        # The region dimension's Key/Title: wijk and buurt names (the data rows hold codes).
        q = {"$format": "json"}
        flt = odata_filter({"Key": prefixes}) if prefixes else None
        if flt:
            q["$filter"] = flt
        dim_url = (f"{base}/{spec.table}/{spec.region_dimension}?"
                   + urllib.parse.urlencode(q, quote_via=urllib.parse.quote, safe="$,'()"))
        resp = http.get(dim_url, allowed_origin=base)
        body = resp.read()
        resp.discard()
        _parse(dim_url, body, "value")
        yield f"{spec.region_dimension}.json", body


def pdok_urls(region: Region, spec: FetchSpec, base: str) -> list[str]:
    url = f"{base}/{spec.table}/ogc/v1/collections/{spec.collection}/items"
    if len(region.config.gemeenten) > MAX_FILTERED_GEMEENTEN:
        return [f"{url}?f=json&limit={PDOK_PAGE}"]
    return [f"{url}?f=json&limit={PDOK_PAGE}&gemeentecode={gm}" for gm in region.config.gemeenten]


def _pdok_files(http: Http, region: Region, spec: FetchSpec, base: str,
                state: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    features: list[Any] = []
    urls = pdok_urls(region, spec, base)
    state["url"] = urls[0] if len(urls) == 1 else urls[0].rsplit("&gemeentecode=", 1)[0] + (
        "&gemeentecode=" + ",".join(region.config.gemeenten))
    pages = 0
    for url in urls:
        while url:
            pages += 1
            if pages > MAX_PAGES:
                raise DeliveryError(f"{redact(url)}: more than {MAX_PAGES} pages")
            resp = http.get(url, allowed_origin=base)
            body = resp.read()
            resp.discard()
            page = _parse(url, body, "features")
            features += page["features"]
            nxt = next((ln.get("href") for ln in page.get("links") or []
                        if isinstance(ln, dict) and ln.get("rel") == "next"), None)
            url = _follow(nxt, base, url) if nxt else ""
    state["pages"] = pages
    merged = {"type": "FeatureCollection", "features": features}
    yield "features.geojson", json.dumps(merged, ensure_ascii=False).encode()


def _digest(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, body in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
    return h.hexdigest()


def _read_provenance(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _install(files: list[tuple[str, bytes]], target: Path) -> None:
    """Swap a complete new folder in with renames, so a reader sees old or new, never half.

    fetch only ever replaces a folder it wrote itself (one with its provenance.json): a folder a
    user made there by hand is never deleted.
    """
    if target.exists() and not (target / PROVENANCE_FILE).is_file():
        raise DeliveryError(f"{target} exists but was not written by 'wijkdata fetch' (no "
                            f"{PROVENANCE_FILE}); move it away, fetch never deletes it")
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
    spec = spec_of(source)
    folder = fetched_dir(region, source, data_dir)
    if spec is None or folder is None:
        placed = data_dir / source.path if source.path else data_dir
        return FetchResult(source.id, "local" if placed.exists() else "missing", placed)
    previous = _read_provenance(folder)
    have = folder.is_dir() and bool(previous)
    conditional = {}
    if have and previous.get("etag"):
        conditional["If-None-Match"] = previous["etag"]
    if have and previous.get("last_modified"):
        conditional["If-Modified-Since"] = previous["last_modified"]
    base = api_base(region, spec)
    state: dict[str, Any] = {}
    try:
        if spec.publisher == "pdok":
            files = list(_pdok_files(http, region, spec, base, state))
        else:
            files = list(_odata_files(http, region, source, spec, base, conditional, state))
    except Unreachable as exc:
        if have:
            return FetchResult(source.id, "cached-offline", folder, notes=[exc.message])
        raise
    if state.get("unchanged"):
        return FetchResult(source.id, "unchanged", folder, notes=["server: not modified (304)"])
    digest = _digest(files)
    size = sum(len(b) for _n, b in files)
    pages = state.get("pages") or sum(1 for n, _b in files if n.startswith("page-"))
    if have and previous.get("sha256") == digest:
        return FetchResult(source.id, "unchanged", folder, pages=pages, size=size,
                           notes=["same content as the cached copy"])
    record = {
        "url": redact(state["url"]), "publisher": spec.publisher, "table_id": spec.table,
        "entity": spec.collection if spec.publisher == "pdok" else spec.entity_set,
        "licence": LICENCE[spec.publisher], "retrieved_at": build_timestamp().isoformat(),
        "etag": state.get("etag"), "last_modified": state.get("last_modified"),
        "sha256": digest, "bytes": size, "pages": pages, "source_id": source.id,
        "regio": region.slug,
    }
    files.append((PROVENANCE_FILE, (json.dumps(record, indent=2, sort_keys=True) + "\n")
                  .encode()))
    _install(files, folder)
    return FetchResult(source.id, "downloaded", fetched_path(region, source, data_dir) or folder,
                       pages=pages, size=size)


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
    try:
        for source in sources:
            spec = spec_of(source)
            where = fetched_path(region, source, data_dir) or data_dir
            progress(f"{source.id}: " + (f"{spec.publisher.upper()} {spec.table}" if spec
                                         else f"local file {source.path}"))
            try:
                result = fetch_source(http, region, source, data_dir)
                if result.status == "missing" and source.optional:
                    result.status = "absent (optional)"
                    result.notes.append("a local file without 'fetch:'; the build leaves it out")
                results.append(result)
                if result.status == "missing":
                    failures.append(f"{source.id}: {result.target} is missing and the source "
                                    "has no 'fetch:' to download it from")
            except DeliveryError as exc:
                if source.optional:
                    # e.g. a release a mirror does not hold: the build leaves it out and says so.
                    results.append(FetchResult(source.id, "not fetched (optional)", where,
                                               notes=[exc.message]))
                    continue
                failures.append(f"{source.id}: {exc.message}")
                results.append(FetchResult(source.id, "failed", where, notes=[exc.message]))
    finally:
        http.close()
    if failures:
        raise FetchFailed(results, failures)
    return results


class FetchFailed(DeliveryError):
    """Some sources could not be fetched; the others (and every cached copy) are fine."""

    def __init__(self, results: list[FetchResult], failures: list[str]) -> None:
        super().__init__(f"{len(failures)} source(s) could not be fetched:\n  "
                         + "\n  ".join(failures),
                         hint="nothing was replaced: every copy fetched before is kept")
        self.results = results
