"""``wijkdata fetch`` against a real HTTP server on 127.0.0.1 (tests/publishers.py) answering in
the CBS, RIVM and PDOK shapes, rebuilt from ../shared/data: filters, paging, caching,
provenance, retries, and every failure over a real socket (the hostile-server cases of issue 14
item 6 are in the bad-input corpus, tests/bad_inputs/fetch_*)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import tree_snapshot
from tests.publishers import Publishers, point_at, serve
from wijkdata.cli import app
from wijkdata.core.config import load_region
from wijkdata.core.errors import DeliveryError
from wijkdata.ingest.fetch import FetchFailed, fetch_region, fetch_source
from wijkdata.ingest.fetch_http import Http
from wijkdata.ingest.sources import boundaries, cbs_kwb, ggd_monitor

AREAS = ("(startswith(WijkenEnBuurten,'NL') or startswith(WijkenEnBuurten,'GM0197') or "
         "startswith(WijkenEnBuurten,'WK0197') or startswith(WijkenEnBuurten,'BU0197'))")
KEYS = AREAS.replace("WijkenEnBuurten", "Key")
CONFIG = """name: Testregio
gemeenten: [GM0197]
sources:
  - {{id: kwb_2020, kind: cbs_kwb, year: 2020, fetch: {{publisher: cbs, table: 84799NED}}}}
{extra}"""


@pytest.fixture
def api(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    for state in serve(shared_data):
        state.page_size = 15
        point_at(state, monkeypatch)
        yield state


def _region(project: Path, extra: str = "") -> Path:
    (project / "configs" / "t.yml").write_text(CONFIG.format(extra=extra), encoding="utf-8")
    return project / "data" / "raw"


def _urls(api: Publishers) -> list[str]:
    return [urllib.parse.unquote(p) for p, _h in api.log]


def _http(**kw: object) -> Http:
    return Http(sleep=lambda _s: None, **kw)  # type: ignore[arg-type]


def test_v3_fetch_filters_pages_and_records_provenance(
        project: Path, api: Publishers, runner: CliRunner) -> None:
    raw = _region(project)
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0, result.output
    target = raw / "cbs" / "84799NED" / "t" / "kwb_2020"
    assert sorted(p.name for p in target.iterdir()) == [
        "DataProperties.json", "WijkenEnBuurten.json", "page-0001.json", "page-0002.json",
        "page-0003.json", "provenance.json"]
    first = f"/cbs/v3/84799NED/UntypedDataSet?$format=json&$filter={AREAS}"
    assert _urls(api) == [first, first + "&$skip=15", first + "&$skip=30",
                          "/cbs/v3/84799NED/DataProperties?$format=json",
                          f"/cbs/v3/84799NED/WijkenEnBuurten?$format=json&$filter={KEYS}"]
    assert f"kwb_2020             downloaded      {target} (3 pages, " in result.stdout
    prov = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    assert {k: prov[k] for k in ("publisher", "table_id", "entity", "licence", "retrieved_at",
                                 "etag", "pages", "regio", "source_id")} == {
        "publisher": "cbs", "table_id": "84799NED", "entity": "UntypedDataSet",
        "licence": "CC BY 4.0", "retrieved_at": "2026-11-23T00:00:00+00:00",
        "etag": '"2026-11-01"', "pages": 3, "regio": "t", "source_id": "kwb_2020"}
    assert urllib.parse.unquote(prov["url"]) == api.base + first
    region = load_region("t", project)
    loaded = cbs_kwb.read(region.config.sources[0], target)
    assert loaded.rows == 35  # Nederland + Aalten: 1 gemeente, 4 wijken, 29 buurten (2020)
    gm = {r["variable"]: r["value"] for r in
          loaded.observations.filter(area_code="GM0197").iter_rows(named=True)}
    assert (gm["a_inw"], gm["a_man"], gm["a_vrouw"]) == (27121.0, 13649.0, 13472.0)
    names = dict(loaded.areas.select("code", "name").iter_rows())
    assert names["WK019701"] == "Wijk 01 Buitengebied Aalten"  # from WijkenEnBuurten.json


def test_second_fetch_asks_if_changed_and_keeps_the_cache(
        project: Path, api: Publishers, runner: CliRunner) -> None:
    raw = _region(project)
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw)
    api.log.clear()
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0
    assert len(api.log) == 1
    assert api.log[0][1]["If-None-Match"] == '"2026-11-01"'
    assert "unchanged" in result.stdout and "not modified (304)" in result.stdout
    assert tree_snapshot(raw) == before


def test_without_etag_the_content_hash_decides(project: Path, api: Publishers,
                                               shared_data: Path) -> None:
    raw = _region(project)
    api.etag = None
    region = load_region("t", project)
    assert [r.status for r in fetch_region(region, raw, http=_http())] == ["downloaded"]
    before = tree_snapshot(raw)
    second = fetch_region(region, raw, http=_http())
    assert [(r.status, r.notes) for r in second] == [
        ("unchanged", ["same content as the cached copy"])]
    assert tree_snapshot(raw) == before


def _fetch_after_two_failures(project: Path, api: Publishers, mode: str
                              ) -> tuple[list, list[float]]:
    """A fetch while the server fails twice in ``mode``: the results and the client's waits."""
    raw = _region(project)
    api.mode, api.failures_left = mode, 2
    waits: list[float] = []
    results = fetch_region(load_region("t", project), raw,
                           http=Http(retries=3, backoff=0.5, sleep=waits.append))
    return results, waits


def test_retry_after_is_honoured(project: Path, api: Publishers) -> None:
    results, waits = _fetch_after_two_failures(project, api, "retry_after")
    assert results[0].status == "downloaded"
    assert waits == [7.0, 7.0]  # the server's Retry-After, not the back-off


def test_500_is_retried_with_exponential_back_off(project: Path, api: Publishers) -> None:
    results, waits = _fetch_after_two_failures(project, api, "flaky500")
    assert results[0].status == "downloaded"
    assert waits == [0.5, 1.0]
    assert len(api.log) == 2 + 3 + 2  # two 500s, three pages, DataProperties, WijkenEnBuurten


def test_persistent_500_fails_with_exit_1_and_keeps_the_good_copy(
        project: Path, api: Publishers, runner: CliRunner) -> None:
    raw = _region(project)
    api.etag = None
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw)
    api.mode = "500"
    result = runner.invoke(app, ["fetch", "--regio", "t", "--retries", "0"])
    assert result.exit_code == 1
    url = f"{api.base}/cbs/v3/84799NED/UntypedDataSet?$format=json&$filter="
    assert "error: 1 source(s) could not be fetched:\n  kwb_2020: " + url in result.stderr
    assert "HTTP 500 Internal Server Error, after 1 attempts" in result.stderr
    assert "hint: nothing was replaced: every copy fetched before is kept" in result.stderr
    assert "Traceback" not in result.output
    assert tree_snapshot(raw) == before


def test_a_stalled_server_is_retried_then_reported(project: Path, api: Publishers) -> None:
    raw = _region(project)
    api.mode = "stall"
    with pytest.raises(FetchFailed) as err:
        fetch_region(load_region("t", project), raw, http=_http(timeout=0.3, retries=1))
    assert err.value.message.endswith(": no complete answer within 0.3 s (the deadline covers "
                                      "the whole response), after 2 attempts")
    assert len(api.log) == 2
    assert not (raw / "cbs").exists()


@pytest.mark.parametrize("mode,reason", [
    ("truncate", "incomplete response (RemoteProtocolError), after 2 attempts"),
    ("badjson", "the response is not complete JSON"),
])
def test_cut_off_body_never_replaces_the_cache(project: Path, api: Publishers, mode: str,
                                               reason: str) -> None:
    raw = _region(project)
    api.etag = None
    region = load_region("t", project)
    fetch_region(region, raw, http=_http())
    before = tree_snapshot(raw)
    api.mode = mode
    with pytest.raises(FetchFailed) as err:
        fetch_region(region, raw, http=_http(retries=1))
    assert reason in err.value.message
    assert tree_snapshot(raw) == before
    assert [p.name for p in (raw / "cbs" / "84799NED" / "t").iterdir()] == ["kwb_2020"]


def _offline(project: Path, env_base: str) -> subprocess.CompletedProcess[str]:
    """Run `wijkdata fetch` in a network namespace without any network (unshare -n)."""
    env = {"PATH": "/usr/bin:/bin", "WIJKDATA_HOME": str(project), "HOME": str(project),
           "WIJKDATA_CBS_API": env_base, "SOURCE_DATE_EPOCH": "1795392000"}
    exe = str(Path(sys.executable).parent / "wijkdata")
    return subprocess.run(["unshare", "-n", exe, "fetch", "--regio", "t", "--retries", "0"],
                          cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_offline_only_when_the_network_is_really_unreachable(
        project: Path, api: Publishers, runner: CliRunner) -> None:
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-n", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("needs 'unshare -n' (root or user namespaces) to take the network away")
    raw = _region(project)
    done = _offline(project, "https://opendata.cbs.nl/ODataApi/odata")
    assert done.returncode == 1, done.stderr
    assert ("  kwb_2020: cannot look up opendata.cbs.nl: name resolution is failing; are you "
            "offline?") in done.stderr.splitlines()
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    before = tree_snapshot(raw)
    done = _offline(project, api.base + "/cbs/v3")  # an address: no DNS, no route either
    assert done.returncode == 0, done.stderr
    assert ("kwb_2020             cached-offline  "
            f"{raw / 'cbs' / '84799NED' / 't' / 'kwb_2020'} — cannot reach 127.0.0.1: the "
            "network is unreachable; are you offline?") in done.stdout.splitlines()
    assert tree_snapshot(raw) == before


def test_v4_observations_pages_and_config_key_base_url(
        project: Path, api: Publishers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIJKDATA_CBS_API")
    raw = _region(project, extra=(
        "  - {id: verzuim, kind: cbs_odata, odata_version: 4, path: cbs/verzuim, "
        "table_id: 80072ned}\n"
        f"cbs_api: {api.base}/cbs/v4\n"))
    region = load_region("t", project)
    result = fetch_source(_http(), region, region.config.sources[1], raw)
    assert (result.status, result.pages) == ("downloaded", 2)
    pages = sorted((raw / "cbs" / "verzuim").glob("page-*.json"))
    rows = [r for p in pages for r in json.loads(p.read_bytes())["value"]]
    assert rows == api.v4["Observations"]["value"]  # 4,409 real rows, in order, two pages
    assert _urls(api) == ["/cbs/v4/80072ned/Observations",
                          "/cbs/v4/80072ned/Observations?$skip=3000",
                          "/cbs/v4/80072ned/MeasureCodes", "/cbs/v4/80072ned/Dimensions"]


def test_pdok_boundaries_one_query_per_gemeente_following_next_links(
        project: Path, api: Publishers, shared_data: Path) -> None:
    (project / "configs" / "t.yml").write_text(
        "name: T\ngemeenten: [GM0197, GM0301]\nsources:\n"
        "  - {id: wijken, kind: boundaries, fetch: {publisher: pdok, "
        "table: wijken-en-buurten-2023, collection: wijken}}\n", encoding="utf-8")
    raw = project / "data" / "raw"
    region = load_region("t", project)
    [result] = fetch_region(region, raw, http=_http())
    items = "/pdok/wijken-en-buurten-2023/ogc/v1/collections/wijken/items?f=json&limit=1000"
    assert _urls(api) == [f"{items}&gemeentecode=GM0197", f"{items}&gemeentecode=GM0197&offset=3",
                          f"{items}&gemeentecode=GM0301", f"{items}&gemeentecode=GM0301&offset=3"]
    assert (result.status, result.pages) == ("downloaded", 4)
    loaded = boundaries.read(region.config.sources[0], result.target)
    real = json.loads((shared_data / "geo" / "cbs_wijken_2024_doelgemeenten.geojson").read_bytes())
    want = sorted(f["properties"]["wijkcode"] for f in real["features"]
                  if f["properties"]["gemeentecode"] in ("GM0197", "GM0301"))
    assert sorted(loaded.areas["code"].to_list()) == want  # 4 Aalten + 6 Zutphen wijken
    assert len(want) == 10


def test_rivm_source_takes_its_age_group_and_year(project: Path, api: Publishers,
                                                  shared_data: Path) -> None:
    raw = _region(project, extra=(
        "  - {id: ggd_65, kind: ggd_monitor, age_group: '65+', year: 2020, "
        "variable_suffix: _65plus, fetch: "
        "{publisher: rivm, table: 50090NED, filters: {Leeftijd: ['80200'], "
        "Perioden: [2020JJ00]}}}\n"))
    region = load_region("t", project)
    result = fetch_source(_http(), region, region.config.sources[1], raw)
    assert result.status == "downloaded"
    assert _urls(api)[0] == (f"/rivm/v3/50090NED/UntypedDataSet?$format=json&$filter={AREAS}"
                             " and (startswith(Leeftijd,'80200')) and "
                             "(startswith(Perioden,'2020JJ00'))")
    loaded = ggd_monitor.read(region.config.sources[1], result.target)
    csv = pl.read_csv(shared_data / "rivm" / "gezondheid_wijk_buurt_50090NED_2020_65plus.csv",
                      separator=";", infer_schema=False)
    want = csv.filter(pl.col("WijkenEnBuurten").str.strip_chars() == "GM0197")[
        "ErvarenGezondheidGoedZeerGoed_4"][0]
    got = loaded.observations.filter(
        area_code="GM0197", variable="ervaren_gezondheid_goed_zeer_goed_65plus")["value"][0]
    assert got == float(want)


def test_an_optional_source_the_server_lacks_is_reported_not_fatal(
        project: Path, api: Publishers, runner: CliRunner) -> None:
    _region(project, extra="  - {id: kwb_2025, kind: cbs_kwb, year: 2025, optional: true, "
                           "fetch: {publisher: cbs, table: 86165NED}}\n")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("kwb_2025"))
    assert line.startswith("kwb_2025             not fetched (optional) ")
    assert line.endswith(": HTTP 404 Not Found")


def test_fetch_never_deletes_a_folder_it_did_not_write(project: Path, api: Publishers) -> None:
    raw = _region(project)
    mine = raw / "cbs" / "84799NED" / "t" / "kwb_2020"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mijn aantekeningen", encoding="utf-8")
    with pytest.raises(FetchFailed) as err:
        fetch_region(load_region("t", project), raw, http=_http())
    assert (f"kwb_2020: {mine} exists but was not written by 'wijkdata fetch' (no "
            "provenance.json); move it away, fetch never deletes it") in err.value.message
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mijn aantekeningen"


def test_fetch_for_a_year_without_sources_is_an_error(project: Path) -> None:
    raw = _region(project)
    with pytest.raises(DeliveryError) as err:
        fetch_region(load_region("t", project), raw, year=2019)
    assert err.value.message == "no sources for year 2019 in t.yml"


def test_a_missing_local_file_without_fetch_fails_clearly(project: Path, api: Publishers,
                                                         runner: CliRunner) -> None:
    raw = _region(project, extra="  - {id: eigen, kind: csv, path: eigen.csv, year: 2024, "
                                 "code_column: code, columns: {x: waarde}}\n")
    result = runner.invoke(app, ["fetch", "--regio", "t"])
    assert result.exit_code == 1
    assert f"eigen                missing         {raw / 'eigen.csv'}" in result.stdout
    assert (f"  eigen: {raw / 'eigen.csv'} is missing and the source has no 'fetch:' to "
            "download it from") in result.stderr
    assert (raw / "cbs" / "84799NED" / "t" / "kwb_2020" / "page-0001.json").is_file()
