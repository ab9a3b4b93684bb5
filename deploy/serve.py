"""Run N `streamlit run app.py` processes on loopback ports behind HAProxy with session affinity.

    .venv/bin/python deploy/serve.py -n 4 [--port 8501] [--base-port 8601]   (or: make serve N=4)

Students open http://HOST:PORT; HAProxy (deploy/haproxy.cfg, rewritten for N into artifacts/serve/)
keeps each browser on one process with a cookie, websocket, media files and uploads included, and
sends a dead process's students to a live one. The processes share one cookie secret, so an XSRF
token issued by one is valid on the others after such a move.

The class challenge's database must be shared when N > 1: the launcher refuses to start several
processes on the embedded SQLite file (each machine or container would have its own, and several
processes writing one file is not the deployment it is made for). Point it at PostgreSQL in
`.streamlit/secrets.toml` (`[connections.challenge]` `url = "postgresql+psycopg://..."`) or in the
environment (PLAYGROUND_CHALLENGE_URL). Only the standard library is used here, so the checks run fast.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy.cfg"
HOST = "127.0.0.1"
URL_ENV = "PLAYGROUND_CHALLENGE_URL"  # the same names as ui/challenge_page.py (tests/test_deploy.py checks)
DATA_ENV = "PLAYGROUND_DATA_DIR"
SHARED_SCHEMES = ("postgresql",)  # postgresql://, postgresql+psycopg://


class Refused(Exception):
    """The launcher will not start: the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    """The challenge database the processes will use, and where that choice came from."""

    url: str
    source: str  # "secrets.toml", the env var's name, or "default"

    @property
    def shared(self) -> bool:
        return self.url.split(":", 1)[0].split("+", 1)[0] in SHARED_SCHEMES


def _secrets_url(paths: list[Path]) -> str | None:
    """[connections.challenge] from the secrets files Streamlit reads (the project's wins over ~/.streamlit)."""
    found: dict[str, object] = {}
    for p in paths:
        if p.is_file():
            with open(p, "rb") as f:
                conn = tomllib.load(f).get("connections", {}).get("challenge")
            if isinstance(conn, dict):
                found = conn
    if not found:
        return None
    if "url" in found:
        return str(found["url"])
    return f"{found.get('dialect', 'sqlite')}://"  # st.connection builds the URL from dialect, host, ...


def database(root: Path = ROOT, env: dict[str, str] | None = None) -> Database:
    """The challenge database URL the app will open, by the app's own precedence: secrets, env, SQLite."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get("HOME", str(Path.home())))
    url = _secrets_url([home / ".streamlit" / "secrets.toml", root / ".streamlit" / "secrets.toml"])
    if url is not None:
        return Database(url, "secrets.toml")
    if env.get(URL_ENV):
        return Database(env[URL_ENV], URL_ENV)
    data = env.get(DATA_ENV) or str(root / "data")
    return Database(f"sqlite:///{Path(data).resolve() / 'challenge.db'}", "default")


def check_processes(n: int, db: Database) -> None:
    """Refuse several processes on a database that is not shared between them."""
    if n < 1:
        raise Refused(f"N must be at least 1 (got {n})")
    if n > 1 and not db.shared:
        raise Refused(
            f"refusing to start {n} processes on the class challenge database {db.url.split('?')[0]} "
            f"(from {db.source}): with N > 1 it must be PostgreSQL, shared by every process. Set "
            f'[connections.challenge] url = "postgresql+psycopg://USER:PASSWORD@HOST/DB" in '
            f".streamlit/secrets.toml or {URL_ENV}=postgresql+psycopg://..., or run one process (N=1)."
        )


def haproxy_config(template: str, listen_port: int, ports: list[int], host: str = HOST) -> str:
    """deploy/haproxy.cfg with its bind address and one `server` line per process port."""
    server_re = re.compile(r"^(\s*)server st\d+ \S+ (.*) cookie st\d+\s*$", re.M)
    m = server_re.search(template)
    if m is None:
        raise ValueError("no `server stK ... cookie stK` line in the template")
    indent, opts = m.group(1), m.group(2)
    lines = [f"{indent}server st{i} {host}:{p} {opts} cookie st{i}" for i, p in enumerate(ports, 1)]
    body = server_re.sub("", template).rstrip() + "\n" + "\n".join(lines) + "\n"
    out, k = re.subn(r"^(\s*)bind \S+", rf"\g<1>bind {host}:{listen_port}", body, count=1, flags=re.M)
    if k != 1:
        raise ValueError("no `bind` line in the template")
    return out


def streamlit_cmd(port: int, host: str = HOST) -> list[str]:
    """One backend process: production settings from .streamlit/config.toml, loopback only."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def healthy(url: str) -> bool:
    """True when /_stcore/health answers `ok`."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except OSError:
        return False


class Cluster:
    """N streamlit processes plus HAProxy; `start` waits (bounded) until all answer, `stop` ends them all."""

    def __init__(
        self,
        n: int,
        port: int,
        base_port: int,
        run_dir: Path,
        env: dict[str, str] | None = None,
        haproxy: str = "haproxy",
        ports: list[int] | None = None,
    ) -> None:
        self.n, self.port = n, port
        self.ports = ports or [base_port + i for i in range(n)]  # explicit ports: tests take free ones
        self.run_dir = run_dir
        self.env = {**os.environ, **(env or {})}
        self.env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # one for all processes
        self.haproxy = haproxy
        self.backends: list[subprocess.Popen[bytes]] = []
        self.proxy: subprocess.Popen[bytes] | None = None
        self.url = f"http://{HOST}:{port}"

    def backend_url(self, i: int) -> str:
        return f"http://{HOST}:{self.ports[i]}"

    def write_config(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        cfg = self.run_dir / "haproxy.cfg"
        cfg.write_text(haproxy_config(TEMPLATE.read_text(), self.port, self.ports))
        return cfg

    def start(self, timeout: float = 120.0) -> Cluster:
        cfg = self.write_config()
        check = subprocess.run([self.haproxy, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy -c rejected {cfg}:\n{check.stdout}{check.stderr}")
        for i, p in enumerate(self.ports):
            with open(self.run_dir / f"streamlit-{i + 1}.log", "wb") as log:  # a file: a full pipe would block
                self.backends.append(
                    subprocess.Popen(streamlit_cmd(p), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env)
                )
        deadline = time.monotonic() + timeout
        for i, proc in enumerate(self.backends):
            while not healthy(self.backend_url(i)):
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = (self.run_dir / f"streamlit-{i + 1}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"process {i + 1} (port {self.ports[i]}) did not become healthy:\n{tail}")
                time.sleep(0.1)
        with open(self.run_dir / "haproxy.log", "wb") as log:
            self.proxy = subprocess.Popen([self.haproxy, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
        while not healthy(self.url):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"haproxy did not answer on {self.url}:\n{(self.run_dir / 'haproxy.log').read_text()}"
                )
            time.sleep(0.05)
        return self

    def kill_backend(self, i: int) -> None:
        """SIGKILL one process (a crash mid-class); the proxy's health check takes it out."""
        self.backends[i].kill()
        self.backends[i].wait(timeout=10)

    def stop(self) -> None:
        for p in [self.proxy, *self.backends]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in [self.proxy, *self.backends]:
            if p is None:
                continue
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=4, help="streamlit processes (default 4)")
    ap.add_argument("--port", type=int, default=8501, help="the proxy's port, where students connect")
    ap.add_argument("--base-port", type=int, default=8601, help="first process port (then +1, +2, ...)")
    ap.add_argument("--run-dir", type=Path, default=ROOT / "artifacts" / "serve", help="config and logs")
    ap.add_argument("--check", action="store_true", help="only check the database and write the config")
    a = ap.parse_args(argv)
    db = database()
    try:
        check_processes(a.n, db)
    except Refused as e:
        print(f"deploy/serve.py: {e}", file=sys.stderr)
        return 2
    cluster = Cluster(a.n, a.port, a.base_port, a.run_dir)
    if a.check:
        print(f"ok: {a.n} process(es), challenge database from {db.source}; config {cluster.write_config()}")
        return 0
    if shutil.which("haproxy") is None:
        print("deploy/serve.py: haproxy is not installed (Debian: apt-get install haproxy)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop() runs in the finally below
    try:
        cluster.start()
        print(f"{a.n} processes on ports {cluster.ports[0]}-{cluster.ports[-1]} behind {cluster.url} (Ctrl-C stops)")
        while True:
            for i, p in enumerate(cluster.backends):
                if p.returncode is None and p.poll() is not None:
                    print(f"process {i + 1} exited ({p.returncode}); its students move to the others", flush=True)
            if cluster.proxy is not None and cluster.proxy.poll() is not None:
                print("haproxy exited; stopping", file=sys.stderr)
                return 1
            time.sleep(1.0)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
