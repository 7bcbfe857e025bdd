"""``wijkdata fetch`` against a real HTTP server on 127.0.0.1 serving real CBS OData shapes.

The server pages real responses from ../shared/data/cbs/odata_fixtures/ (v3 with
``odata.nextLink``, v4 with ``@odata.nextLink``) and can answer 500, stall past the client's
timeout, or cut a body short, so every failure path runs over a real socket.
"""

from __future__ import annotations

import functools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import tree_snapshot
from wijkdata.cli import app
from wijkdata.core.config import load_region
from wijkdata.core.errors import DeliveryError
from wijkdata.ingest.fetch import FetchFailed, Http, fetch_region
from wijkdata.ingest.sources import cbs_odata

KWB_FILTER = ("(startswith(WijkenEnBuurten,'GM0197') or startswith(WijkenEnBuurten,'WK0197') "
              "or startswith(WijkenEnBuurten,'BU0197'))")


@dataclass
class Api:
    """What the fake CBS answers; tests flip ``mode`` to break it."""

    v3_rows: list[dict[str, Any]]
    v3_props: list[dict[str, Any]]
    v4_obs: list[dict[str, Any]]
    v4_measures: dict[str, Any]
    page_size: int = 15
    etag: str | None = '"kwb-2021-03-26"'
    mode: str = "ok"  # ok | 500 | flaky500 | stall | truncate | badjson
    failures_left: int = 0
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.log.append((path, headers))
        url = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(url.query))
        skip = int(query.get("$skip", "0"))
        if url.path == "/v3/84799NED/TypedDataSet":
            if self.etag and headers.get("If-None-Match") == self.etag and skip == 0:
                return 304, {}, b""
            rows = self.v3_rows[skip: skip + self.page_size]
            page: dict[str, Any] = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/"
                                    "84799NED/$metadata#Cbs.OData.WebAPI.TypedDataSet",
                                    "value": rows}
            if skip + self.page_size < len(self.v3_rows):
                nxt = dict(query, **{"$skip": str(skip + self.page_size)})
                # Real CBS links are absolute and point at CBS itself; the client rebases them.
                page["odata.nextLink"] = ("https://opendata.cbs.nl/ODataApi/OData/84799NED/"
                                          "TypedDataSet?" + urllib.parse.urlencode(
                                              nxt, quote_via=urllib.parse.quote))
            extra = {"ETag": self.etag} if self.etag else {}
            return 200, extra, json.dumps(page).encode()
        if url.path == "/v3/84799NED/DataProperties":
            return 200, {}, json.dumps({"value": self.v3_props}).encode()
        if url.path == "/v4/80072ned/Observations":
            rows = self.v4_obs[skip: skip + 3000]
            page = {"@odata.context": "https://odata4.cbs.nl/CBS/80072ned/$metadata#Observations",
                    "value": rows}
            if skip + 3000 < len(self.v4_obs):
                page["@odata.nextLink"] = f"{self.base}/80072ned/Observations?$skip={skip + 3000}"
            return 200, {}, json.dumps(page).encode()
        if url.path == "/v4/80072ned/MeasureCodes":
            return 200, {}, json.dumps(self.v4_measures).encode()
        if url.path == "/files/wijken.geojson":
            return 200, {}, b'{"type": "FeatureCollection", "features": []}'
        return 404, {}, b"not found"


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, headers, body = api.answer(self.path, dict(self.headers))
            mode = api.mode
            if mode == "flaky500" and api.failures_left > 0:
                api.failures_left -= 1
                mode = "500"
            if mode == "500" and status == 200:
                status, body = 500, b"Internal Server Error"
            if mode == "stall":
                time.sleep(1.0)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
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

    return Handler


@functools.cache
def _real_responses(shared_data: Path) -> bytes:
    fx = shared_data / "cbs" / "odata_fixtures"
    props = pl.read_parquet(shared_data / "cbs" / "kwb_2020_84799NED" /
                            "cbs.v3.84799NED_DataProperties.parquet").to_dicts()
    return json.dumps({
        "v3_rows": json.loads((fx / "kwb_84799ned" / "TypedDataSet_Aalten_GM0197.json")
                              .read_bytes())["value"],
        "v3_props": props,
        "v4_obs": json.loads((fx / "v4_80072ned" / "Observations.json").read_bytes())["value"],
        "v4_measures": json.loads((fx / "v4_80072ned" / "MeasureCodes.json").read_bytes()),
    }, default=str).encode()


@pytest.fixture
def api(shared_data: Path) -> Iterator[Api]:
    state = Api(**json.loads(_real_responses(shared_data)))  # a fresh copy: tests mutate it
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


CONFIG = """name: Testregio
gemeenten: [GM0197]
data_dir: data/raw
sources:
  - {{id: kwb_api, kind: cbs_odata, path: cbs/kwb_2020_api, table_id: 84799NED, year: 2020,
     filters: {{WijkenEnBuurten: [GM0197, WK0197, BU0197]}}}}
{extra}"""


def _region(project: Path, extra: str = "") -> Path:
    (project / "configs" / "t.yml").write_text(CONFIG.format(extra=extra), encoding="utf-8")
    return project / "data" / "raw"


def _urls(api: Api) -> list[str]:
    return [urllib.parse.unquote(p) for p, _h in api.log]


def test_fetch_v3_follows_paging_and_the_pages_read_back(
        project: Path, api: Api, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0, result.output
    target = raw / "cbs" / "kwb_2020_api"
    assert sorted(p.name for p in target.iterdir()) == [
        "DataProperties.json", "page-0001.json", "page-0002.json", "page-0003.json"]
    assert _urls(api) == [
        f"/v3/84799NED/TypedDataSet?$format=json&$filter={KWB_FILTER}",
        f"/v3/84799NED/TypedDataSet?$format=json&$filter={KWB_FILTER}&$skip=15",
        f"/v3/84799NED/TypedDataSet?$format=json&$filter={KWB_FILTER}&$skip=30",
        "/v3/84799NED/DataProperties?$format=json",
    ]
    assert "kwb_api              downloaded      " in result.output
    assert "(3 pages, " in result.output
    region = load_region("t", project)
    loaded = cbs_odata.read(region.config.sources[0], target)
    assert loaded.rows == 34  # 1 gemeente, 4 wijken, 29 buurten of Aalten, 2020
    obs = loaded.observations
    gm = {r["variable"]: r["value"] for r in obs.filter(area_code="GM0197").iter_rows(named=True)}
    assert gm["aantal_inwoners"] == 27121.0
    assert gm["mannen"] == 13649.0
    assert gm["vrouwen"] == 13472.0
    # DataProperties decides the measures: the 111 numeric Topics (91 Long + 20 Double).
    assert obs["variable"].n_unique() == 111
    assert obs.height == 34 * 111
    manifest = json.loads((raw / ".fetch" / "kwb_api.json").read_text())
    assert manifest["etag"] == '"kwb-2021-03-26"'
    assert manifest["pages"] == 3


def test_second_fetch_asks_if_changed_and_keeps_the_cache(
        project: Path, api: Api, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw / "cbs")
    api.log.clear()
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0
    assert len(api.log) == 1
    assert api.log[0][1]["If-None-Match"] == '"kwb-2021-03-26"'
    assert "unchanged" in result.output and "not modified (304)" in result.output
    assert tree_snapshot(raw / "cbs") == before


def test_without_etag_the_content_hash_decides(project: Path, api: Api,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    api.etag = None
    region = load_region("t", project)
    first = fetch_region(region, raw, http=Http(sleep=lambda _s: None))
    assert [r.status for r in first] == ["downloaded"]
    before = tree_snapshot(raw / "cbs")
    second = fetch_region(region, raw, http=Http(sleep=lambda _s: None))
    assert [(r.status, r.notes) for r in second] == [
        ("unchanged", ["same content as the cached copy"])]
    assert tree_snapshot(raw / "cbs") == before
    api.v3_rows[0]["AantalInwoners_5"] = 27122  # CBS corrects a figure
    third = fetch_region(region, raw, http=Http(sleep=lambda _s: None))
    assert third[0].status == "downloaded"
    page = json.loads((raw / "cbs" / "kwb_2020_api" / "page-0001.json").read_bytes())
    assert page["value"][0]["AantalInwoners_5"] == 27122


def test_500_is_retried_with_exponential_back_off(project: Path, api: Api,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    api.mode, api.failures_left = "flaky500", 2
    waits: list[float] = []
    results = fetch_region(load_region("t", project), raw,
                           http=Http(retries=3, backoff=0.5, sleep=waits.append))
    assert results[0].status == "downloaded"
    assert waits == [0.5, 1.0]
    assert len(api.log) == 2 + 3 + 1  # two 500s, three pages, DataProperties


def test_persistent_500_fails_with_exit_1_and_keeps_the_good_copy(
        project: Path, api: Api, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    api.etag = None
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw)
    api.mode = "500"
    result = runner.invoke(app, ["fetch", "--regio", "t", "--retries", "0"])
    assert result.exit_code == 1
    url = f"{api.base}/v3/84799NED/TypedDataSet?$format=json&$filter="
    assert "error: 1 source(s) could not be fetched:\n  kwb_api: " + url in result.output
    assert "HTTP 500 Internal Server Error, after 1 attempts" in result.output
    assert "hint: cached copies were kept" in result.output
    assert "Traceback" not in result.output
    assert tree_snapshot(raw) == before


def test_timeout_is_retried_then_reported(project: Path, api: Api,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    api.mode = "stall"
    with pytest.raises(FetchFailed) as err:
        fetch_region(load_region("t", project), raw,
                     http=Http(timeout=0.3, retries=1, sleep=lambda _s: None))
    assert err.value.message.endswith(": no answer within 0.3 s (timeout), after 2 attempts")
    assert len(api.log) == 2
    assert not (raw / "cbs").exists()


@pytest.mark.parametrize("mode,reason", [
    ("truncate", "incomplete response (IncompleteRead), after 2 attempts"),
    ("badjson", "the response is not complete JSON"),
])
def test_cut_off_body_never_replaces_the_cache(project: Path, api: Api, mode: str, reason: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    api.etag = None
    region = load_region("t", project)
    fetch_region(region, raw, http=Http(sleep=lambda _s: None))
    before = tree_snapshot(raw)
    api.v3_rows[0]["AantalInwoners_5"] = 1  # a change, so the new body would be installed
    api.mode = mode
    with pytest.raises(FetchFailed) as err:
        fetch_region(region, raw, http=Http(retries=1, sleep=lambda _s: None))
    assert reason in err.value.message
    assert tree_snapshot(raw) == before
    assert [p.name for p in (raw / "cbs").iterdir()] == ["kwb_2020_api"]  # no temp left


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_without_cache_says_so(project: Path, runner: CliRunner,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _region(project)
    port = _closed_port()
    monkeypatch.setenv("WIJKDATA_CBS_API", f"http://127.0.0.1:{port}/v3")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 1
    assert (f"  kwb_api: cannot reach 127.0.0.1:{port} ([Errno 111] Connection refused); "
            "are you offline?") in result.output


def test_offline_with_cache_keeps_it_and_succeeds(
        project: Path, api: Api, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project)
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw)
    monkeypatch.setenv("WIJKDATA_CBS_API", f"http://127.0.0.1:{_closed_port()}/v3")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0
    assert "kwb_api              cached-offline" in result.output
    assert tree_snapshot(raw) == before


def test_v4_observations_pages_and_config_key_base_url(
        project: Path, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIJKDATA_CBS_API", raising=False)
    raw = _region(project, extra=(
        "  - {id: verzuim, kind: cbs_odata, odata_version: 4, path: cbs/verzuim, "
        "table_id: 80072ned}\n"
        f"cbs_api: {api.base}/v4\n"))
    # Only the v4 source: --year picks sources by year, and this one has none, so filter here.
    region = load_region("t", project)
    from wijkdata.ingest.fetch import fetch_source
    result = fetch_source(Http(sleep=lambda _s: None), region, region.config.sources[1], raw)
    assert (result.status, result.pages) == ("downloaded", 2)
    pages = sorted((raw / "cbs" / "verzuim").glob("page-*.json"))
    rows = [r for p in pages for r in json.loads(p.read_bytes())["value"]]
    assert rows == api.v4_obs  # 4,409 real rows, in order, across the two pages
    codes = json.loads((raw / "cbs" / "verzuim" / "MeasureCodes.json").read_bytes())
    assert codes["value"][0]["Identifier"] == "M001924"
    assert _urls(api)[:2] == ["/v4/80072ned/Observations", "/v4/80072ned/Observations?$skip=3000"]


def test_a_source_with_url_is_downloaded_and_verified(
        project: Path, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project, extra=f"  - {{id: wijken, kind: boundaries, path: geo/w.geojson, "
                                 f"url: '{api.base}/files/wijken.geojson'}}\n")
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    results = fetch_region(load_region("t", project), raw, http=Http(sleep=lambda _s: None))
    assert [(r.source_id, r.status) for r in results] == [("kwb_api", "downloaded"),
                                                          ("wijken", "downloaded")]
    assert (raw / "geo" / "w.geojson").read_bytes() == (
        b'{"type": "FeatureCollection", "features": []}')


def test_fetch_for_a_year_without_sources_is_an_error(project: Path) -> None:
    raw = _region(project)
    with pytest.raises(DeliveryError) as err:
        fetch_region(load_region("t", project), raw, year=2019)
    assert err.value.message == "no sources for year 2019 in t.yml"


def test_a_missing_local_file_without_url_fails_clearly(project: Path, api: Api,
                                                        runner: CliRunner,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project, extra="  - {id: eigen, kind: csv, path: eigen.csv, year: 2024, "
                                 "code_column: code, columns: {x: waarde}}\n")
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 1
    assert f"eigen                missing         {raw / 'eigen.csv'}" in result.output
    assert (f"  eigen: {raw / 'eigen.csv'} is missing and the source has no 'url:' to fetch "
            "it from") in result.output
    assert (raw / "cbs" / "kwb_2020_api" / "page-0001.json").is_file()  # the rest was fetched
