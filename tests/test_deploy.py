"""Deployment: the Kubernetes example validates, the launcher refuses SQLite with N > 1, the HAProxy config
parses, and real processes behind the proxy keep each session on its process (and take over a dead one's).

The HAProxy tests skip loudly without `haproxy` (Debian: apt-get install haproxy); `.ci/run` installs it,
and under CI (PLAYGROUND_REQUIRE_BROWSER=1 or PLAYGROUND_REQUIRE_PROXY=1) a missing haproxy fails them.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from benchmarks.load_test import BACKEND_HEADER, ProxySession
from deploy.serve import DATA_ENV, TEMPLATE, URL_ENV, Cluster, Refused, check_processes, database, haproxy_config
from tests.st_client import Session, free_port, run_coro

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
REQUIRE = os.environ.get("PLAYGROUND_REQUIRE_PROXY") == "1" or os.environ.get("PLAYGROUND_REQUIRE_BROWSER") == "1"


def _need_haproxy() -> str:
    exe = shutil.which("haproxy")
    if exe is None:
        msg = "haproxy is not installed (apt-get install haproxy): the proxy tests did NOT run"
        if REQUIRE:
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


# --- Kubernetes ----------------------------------------------------------------------------------


def _docs() -> list[dict]:
    out = []
    for p in sorted(K8S.glob("*.yaml")):
        out += [d for d in yaml.safe_load_all(p.read_text()) if d]
    return out


def _one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


def test_k8s_manifests_validate_against_the_bundled_schemas() -> None:
    import kubernetes_validate
    from kubernetes_validate.utils import ValidationError

    docs = _docs()
    assert {d["kind"] for d in docs} == {"Deployment", "Service", "Ingress", "Secret"}
    for d in docs:
        kubernetes_validate.validate(d, "1.30.0", strict=True)  # raises on a schema error
    broken = _one(_docs(), "Deployment")
    broken["spec"]["replicas"] = "four"  # the validator does reject a wrong manifest
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(broken, "1.30.0", strict=True)
    typo = _one(_docs(), "Deployment")
    typo["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}  # an unknown field, strict mode
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(typo, "1.30.0", strict=True)


def test_k8s_example_wires_replicas_health_affinity_and_the_database_secret() -> None:
    docs = _docs()
    dep, svc, ing = _one(docs, "Deployment"), _one(docs, "Service"), _one(docs, "Ingress")
    assert dep["spec"]["replicas"] >= 2
    pod = dep["spec"]["template"]
    assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (c,) = pod["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert f"--server.port={ports['http']}" in c["args"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/_stcore/health", "port": "http"}
    env = {e["name"]: e for e in c["env"]}
    assert URL_ENV in env
    ref = env[URL_ENV]["valueFrom"]["secretKeyRef"]
    secret = _one(docs, "Secret", ref["name"])
    url = secret["stringData"][ref["key"]]
    assert url.startswith("postgresql"), url  # replicas share PostgreSQL, never a per-pod SQLite file
    cookie_ref = env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]
    assert cookie_ref["key"] in _one(docs, "Secret", cookie_ref["name"])["stringData"]
    ann = ing["metadata"]["annotations"]
    assert ann["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in svc["spec"]["ports"]}


# --- the launcher's database check ------------------------------------------------------------------


def test_launcher_reads_the_database_as_the_app_does(tmp_path: Path) -> None:
    from ui import challenge_page

    assert (URL_ENV, DATA_ENV) == (challenge_page.URL_ENV, challenge_page.DATA_ENV)
    home = tmp_path / "home"
    env = {"HOME": str(home)}
    assert database(tmp_path, env).url == f"sqlite:///{(tmp_path / 'data' / 'challenge.db').resolve()}"
    assert database(tmp_path, {**env, DATA_ENV: str(tmp_path / "d")}).url.endswith("/d/challenge.db")
    pg = "postgresql+psycopg://u:p@db:5432/class"
    assert database(tmp_path, {**env, URL_ENV: pg}) == database(tmp_path, {**env, URL_ENV: pg})
    assert database(tmp_path, {**env, URL_ENV: pg}).source == URL_ENV
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text('[connections.challenge]\nurl = "sqlite:///home.db"\n')
    assert database(tmp_path, {**env, URL_ENV: pg}).url == "sqlite:///home.db"  # secrets win over the env
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'[connections.challenge]\nurl = "{pg}"\n')
    db = database(tmp_path, env)
    assert (db.url, db.source, db.shared) == (pg, "secrets.toml", True)  # the project's file wins over ~/


def test_launcher_refuses_several_processes_on_sqlite(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    sqlite = database(tmp_path, env)
    check_processes(1, sqlite)  # one process on the embedded file is fine
    with pytest.raises(Refused, match=r"refusing to start 2 processes .* must be PostgreSQL"):
        check_processes(2, sqlite)
    check_processes(8, database(tmp_path, {**env, URL_ENV: "postgresql://u@db/c"}))
    with pytest.raises(Refused):
        check_processes(0, sqlite)
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("this checkout has .streamlit/secrets.toml, which the command line would read")
    base = {k: v for k, v in os.environ.items() if k != URL_ENV} | {"HOME": str(tmp_path)}
    cmd = [sys.executable, "deploy/serve.py", "-n", "2", "--check", "--run-dir", str(tmp_path / "run")]
    out = subprocess.run(cmd, cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out
    assert "refusing to start 2 processes" in out.stderr and URL_ENV in out.stderr
    assert not (tmp_path / "run").exists()  # nothing was started or written
    ok = subprocess.run(
        cmd, cwd=ROOT, env=base | {URL_ENV: "postgresql+psycopg://u:p@db/c"}, capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok
    assert (tmp_path / "run" / "haproxy.cfg").is_file()


# --- HAProxy -----------------------------------------------------------------------------------------


def test_haproxy_config_lists_one_server_per_process() -> None:
    cfg = haproxy_config(TEMPLATE.read_text(), 9000, [9101, 9102, 9107])
    servers = re.findall(r"^\s*server (\S+) (\S+) .* cookie (\S+)$", cfg, re.M)
    assert servers == [
        ("st1", "127.0.0.1:9101", "st1"),
        ("st2", "127.0.0.1:9102", "st2"),
        ("st3", "127.0.0.1:9107", "st3"),
    ]
    assert re.findall(r"^\s*bind (\S+)", cfg, re.M) == ["127.0.0.1:9000"]
    assert "cookie PLAYGROUND_BACKEND insert" in cfg


@pytest.mark.parametrize("n", [1, 2, 7])
def test_haproxy_accepts_the_config(n: int, tmp_path: Path) -> None:
    exe = _need_haproxy()
    files = [TEMPLATE, tmp_path / "haproxy.cfg"]
    files[1].write_text(haproxy_config(TEMPLATE.read_text(), 9000, [9100 + i for i in range(n)]))
    for f in files:
        out = subprocess.run([exe, "-c", "-f", str(f)], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stdout + out.stderr
    bad = tmp_path / "bad.cfg"
    bad.write_text(files[1].read_text().replace("balance leastconn", "balance sometimes"))
    assert subprocess.run([exe, "-c", "-f", str(bad)], capture_output=True, timeout=30).returncode != 0


def _cluster(n: int, tmp_path: Path) -> Cluster:
    _need_haproxy()
    ports: list[int] = []
    while len(ports) < n:
        if (p := free_port()) not in ports:
            ports.append(p)
    return Cluster(n, free_port(), 0, tmp_path / "serve", ports=ports)


def _backend_of_http(url: str, cookie: str) -> str:
    req = urllib.request.Request(f"{url}/_stcore/host-config", headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers.get(BACKEND_HEADER, "")


def test_two_processes_keep_each_session_on_its_process(tmp_path: Path) -> None:
    with _cluster(2, tmp_path) as c:

        async def scenario() -> None:
            tabs = [ProxySession(c.url) for _ in range(6)]
            for s in tabs:
                await s.connect()
                r = await s.rerun(timeout=90)
                assert r.ok, r.errors
                assert s.cookie.startswith("PLAYGROUND_BACKEND=st")
                assert s.page_backend == s.ws_backend == s.cookie.split("=")[1]
                assert s.session_id
            assert {s.ws_backend for s in tabs} == {"st1", "st2"}  # both processes take students
            a = tabs[0]
            other = c.ports[1] if a.ws_backend == "st1" else c.ports[0]
            for _ in range(3):  # a dropped connection comes back to the same process: the session resumes
                sid = a.session_id
                a.abort()
                await a.connect(existing_session_id=sid)
                r = await a.rerun(timeout=90)
                assert r.ok, r.errors
                assert a.session_id == sid, "the websocket reached a process that does not hold the session"
                assert _backend_of_http(c.url, a.cookie) == a.ws_backend  # media, uploads: plain HTTP follows
            # Control: the same resume request sent straight to the other process gets a new session there.
            from websockets.asyncio.client import connect

            stray = Session(f"ws://127.0.0.1:{other}/_stcore/stream")
            stray.ws = await connect(stray.ws_url, subprotocols=["streamlit", "no-xsrf", a.session_id], proxy=None)
            await stray.send_rerun()
            fm = await stray.read_until(lambda m: m.WhichOneof("type") == "new_session", timeout=90)
            assert fm is not None and fm.new_session.initialize.session_id not in ("", a.session_id)
            await stray.close()
            for s in tabs:
                await s.close()

        run_coro(asyncio.wait_for(scenario(), 300))


def _slider_value(s: Session, key: str) -> str:
    _, el = s.widgets[key]
    return el.raw_value[0] if el.raw_value else f"{el.value[0]:g}"


def test_a_killed_process_sends_its_students_to_another_with_their_url_settings(tmp_path: Path) -> None:
    with _cluster(2, tmp_path) as c:

        async def scenario() -> None:
            link = "n=21&degree=3"
            tabs = [ProxySession(c.url, link) for _ in range(4)]
            for s in tabs:
                await s.connect()
                assert (await s.rerun(timeout=90)).ok
                assert (_slider_value(s, "n"), _slider_value(s, "degree")) == ("21", "3")
            victim = tabs[0].ws_backend
            gone = [s for s in tabs if s.ws_backend == victim]
            kept = [s for s in tabs if s.ws_backend != victim]
            assert gone and kept, [s.ws_backend for s in tabs]
            c.kill_backend(int(victim[2:]) - 1)  # SIGKILL mid-class
            for s in gone:  # the page notices the closed websocket and reconnects through the proxy
                old = s.session_id
                s.abort()
                await s.connect(existing_session_id=old)
                r = await s.rerun(query_string=link, timeout=90)
                assert r.ok, r.errors
                assert s.ws_backend != victim and s.session_id != old  # a new session on a live process
                assert (_slider_value(s, "n"), _slider_value(s, "degree")) == ("21", "3")  # settings from the URL
            for s in kept:  # the other process's students notice nothing: same websocket, same session
                sid = s.session_id
                r = await s.rerun({"degree": 4}, timeout=90)
                assert r.ok and s.session_id == sid and _slider_value(s, "degree") == "4"
            for s in tabs:
                await s.close()

        run_coro(asyncio.wait_for(scenario(), 300))
