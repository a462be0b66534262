"""The benchmark of issue 6, run by ``bench/run.sh`` (which checks prerequisites and builds ner-api first).

Measures, in one run on one machine, with the same model weights and the same load client (wrk + the
Lua script ``wrk/corpus.lua`` over ``corpus/news.txt``):

1. the in-process limit: ner-api's own inference classes without HTTP (``limit/InProcessLimit.java``);
2. ner-api over HTTP: closed-loop concurrency 1/4/16/64, the batch endpoint, 20,000-character documents,
   paced load at half of saturation, paced 2x overload (refusals must be fast 503s), one run with the
   result cache on;
3. the original Python stack (``python-baseline/server.py``: FastAPI + uvicorn + PyTorch eager), same points;

then prints a Markdown report (ratios first) and writes it to ``bench/results/<timestamp>.md`` with the raw
figures beside it as JSON. Every server is started here on 127.0.0.1 and stopped by its pid.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = "/usr/bin/python3"
CORPUS = BENCH / "corpus" / "news.txt"
LUA = BENCH / "wrk" / "corpus.lua"
ARTICLE_CHARS = 20_000
ARTICLES = 4
CONCURRENCY = (1, 4, 16, 64)
BATCH_TEXTS = 16
LONG_DOC_CONCURRENCY = 4
HALF_LOAD_CONNECTIONS = 16
# 2x overload: an untimed flood over many connections plus a timed probe (see overload_point).
OVERLOAD_FLOOD_THREADS = 2
OVERLOAD_FLOOD_CONNECTIONS = 256
OVERLOAD_PROBE_CONNECTIONS = 8
OVERLOAD_PROBE_SHARE = 0.02
# What "bounded" and "fast" mean in the overload verdict.
OVERLOAD_ACCEPTED_P99_MS = 1000
OVERLOAD_REFUSED_P99_MS = 50
# Goodput: accepted requests/s under 2x and 3x overload, as a share of the closed-loop capacity.
OVERLOAD_FACTORS = (2, 3)
GOODPUT_SHARE = 0.8
CHECK_LINES = 40
WARM_UP_SECONDS = 8
# The Python interpreter with ONNX Runtime for Python, which makes the fused and int8 variants of a BERT bundle.
VARIANTS_PYTHON = "/opt/nerexport-venv/bin/python"
# ner-api's throughput over the Python stack's, per architecture (issue #16).
PYTHON_TARGET = {"bigru-crf": 5.0, "bert-crf": 3.0}
# A BERT bundle: a 50-character sentence alone on one thread (p50, ms), and sentences/s over HTTP on 2 cores.
BERT_SINGLE_P50_MS = 5.0
BERT_HTTP_PER_S = 300
SINGLE_SENTENCE = "新华社北京3月5日电，国务院总理李强在人民大会堂作政府工作报告，提出今年经济增长预期目标为百分之五左右。"
# The ner-api settings this benchmark may set (environment variables of NerConfig keys); others pass through.
CACHE_OFF = {"NER_CACHE_SIZE": "0"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sh(command: str) -> str:
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# ---- processes --------------------------------------------------------------------------------------


CONTENDED = 0.10  # other processes' share of the CPUs above which a point is measured again
ATTEMPTS = 3  # at most, per point
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (all processes), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS  # minus idle and iowait


def own_cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (wrk runs, stopped servers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CpuMeter:
    """How much of the machine's CPU time this benchmark used during an interval and how much every other
    process did: on a shared machine, other users' builds and tests distort the figures, and the report
    says by how much. ``server``: a running server of ours, whose CPU time is not in os.times() yet."""

    def __init__(self, server: Optional["Server"] = None):
        self.server = server
        self.started = self._read()

    def _read(self):
        server = self.server.cpu_seconds() if self.server else 0.0
        return time.monotonic(), busy_cpu_seconds(), own_cpu_seconds(), server

    def stop(self) -> dict:
        (t0, busy0, own0, server0), (t1, busy1, own1, server1) = self.started, self._read()
        capacity = max(1e-9, (t1 - t0) * (os.cpu_count() or 1))
        own, server, busy = own1 - own0, server1 - server0, busy1 - busy0
        out = {"seconds": round(t1 - t0, 1), "ours_share": round((own + server) / capacity, 3),
               "others_share": round(max(0.0, busy - own - server) / capacity, 3)}
        if self.server:  # own = the load client (wrk) here
            out.update(server_share=round(server / capacity, 3), client_share=round(own / capacity, 3))
        return out


def wait_for_quiet(max_wait_s: float) -> float:
    """Waits (at most ``max_wait_s``) until other processes use less than half of CONTENDED of the CPUs
    over 5 seconds; returns the last share seen."""
    deadline = time.monotonic() + max_wait_s
    while True:
        meter = CpuMeter()
        time.sleep(5)
        share = meter.stop()["others_share"]
        if share < CONTENDED / 2 or time.monotonic() >= deadline:
            if share >= CONTENDED / 2:
                log(f"other processes still use {share:.0%} of the CPUs; measuring anyway")
            return share
        log(f"other processes use {share:.0%} of the CPUs; waiting for a quieter moment")


class Server:
    """A server process this benchmark started; start-up is timed from spawn to the first 200 of its
    readiness URL, and the process is stopped by its own pid only."""

    def __init__(self, name: str, command: List[str], env: Dict[str, str], base_url: str, ready_path: str,
                 log_path: Path):
        self.name, self.command, self.env, self.base_url, self.log_path = name, command, env, base_url, log_path
        self.ready_url = base_url + ready_path
        self.process: Optional[subprocess.Popen] = None
        self.startup_s: Optional[float] = None

    def start(self, timeout_s: float = 180) -> "Server":
        log(f"starting {self.name}: {' '.join(self.command)}")
        log_file = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(self.command, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                                        cwd=REPO, start_new_session=True)
        while time.monotonic() - started < timeout_s:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as response:
                    if response.status == 200:
                        self.startup_s = time.monotonic() - started
                        log(f"{self.name} ready after {self.startup_s:.2f} s (pid {self.process.pid})")
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.02)
        self.stop()
        raise SystemExit(f"{self.name} not ready after {timeout_s} s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (with its reaped children)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / CLOCK_TICKS  # utime, stime, cutime, cstime

    def memory_kb(self) -> Dict[str, int]:
        """VmRSS (now) and VmHWM (peak) of the process, from /proc/PID/status."""
        out = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key = line.split(":")[0]
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(line.split()[1])
        return out

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        log(f"{self.name} stopped")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url: str, body: Optional[dict] = None, timeout: float = 60):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def http_text(url: str, timeout: float = 10) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


# ---- the load client -------------------------------------------------------------------------------


def wrk(server: "Server", path: str, corpus: Path, seconds: float, connections: int, threads: int,
        rate: float = 0, batch: int = 0, model: str = "") -> dict:
    """One point: a wrk run, measured again (at most ATTEMPTS times) while other processes used more than
    CONTENDED of the CPUs; the least disturbed attempt is kept. Returns the Lua script's summary plus
    throughput, the other processes' CPU share and the attempts made."""
    env = dict(os.environ, BENCH_CORPUS=str(corpus), BENCH_PATH=path, BENCH_BATCH=str(batch),
               BENCH_THREADS=str(threads), BENCH_RATE=f"{rate:.3f}", BENCH_MODEL=model)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
               "-s", str(LUA), server.base_url]
    probe = probe_body(batch > 0, model)
    best = None
    for attempt in range(1, ATTEMPTS + 1):
        meter = CpuMeter(server)
        threads_before, threads_started = thread_cpu_seconds(server.process.pid), time.monotonic()
        completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 180)
        cpu = meter.stop()
        profile = thread_profile(threads_before, thread_cpu_seconds(server.process.pid),
                                 time.monotonic() - threads_started)
        line = next((l for l in completed.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
        if line is None:
            raise SystemExit(f"wrk gave no result ({completed.returncode}): {completed.stdout}\n{completed.stderr}")
        result = json.loads(line[len("BENCH_RESULT "):])
        result.update(others_share=cpu["others_share"], server_share=cpu["server_share"],
                      client_share=cpu["client_share"], attempts=attempt, server_threads=profile)
        drain(server.base_url, path, probe)
        if best is None or result["others_share"] < best["others_share"]:
            best = result
        if result["others_share"] <= CONTENDED:
            break
        log(f"other processes used {result['others_share']:.0%} of the CPUs during this point"
            + ("; measuring it again" if attempt < ATTEMPTS else "; keeping the least disturbed attempt"))
    best["attempts"] = attempt
    best["ok_per_s"] = best["statuses"].get("200", 0) / best["duration_s"]
    best["non_200"] = sum(v for k, v in best["statuses"].items() if k != "200")
    best["socket_errors"] = sum(best["errors"][k] for k in ("connect", "read", "write", "timeout"))
    return best


def probe_body(batch: bool, model: str = "") -> dict:
    """A short request for ``model`` (the server's default when empty)."""
    body = {"texts": ["今天天气很好。"]} if batch else {"text": "今天天气很好。"}
    if model:
        body["model"] = model
    return body


def drain(base_url: str, path: str, body: dict) -> None:
    """Waits until the work a finished point left queued is done: wrk stops counting at its deadline, but
    requests still in the server would slow the next point down. One probe request queues behind them."""
    try:
        http_json(base_url + path, body, timeout=180)
    except (urllib.error.URLError, OSError) as e:
        log(f"drain probe failed: {e}")
    time.sleep(1)


def corpus_lines(corpus: Path = CORPUS) -> List[str]:
    """The corpus's sentences, one per non-empty line, in file order (the order wrk cycles them)."""
    return [l for l in corpus.read_text(encoding="utf-8").split("\n") if l]


def corpus_chars(corpus: Path, batch: int = 0) -> float:
    """Mean code points per request when wrk cycles the corpus (with ``batch`` texts per request)."""
    lines = corpus_lines(corpus)
    mean = sum(len(l) for l in lines) / len(lines)
    return mean * max(1, batch)


# Warm-up goes on (in steps of JIT_STEP_S, at most JIT_MAX_S) while the server's JIT compiler threads take more
# than JIT_SETTLED_SHARE of one CPU: on a loaded machine 8 s of load left the C2 compiler busy with 15-25% of a
# CPU through the first measured points, which lowered the capacity the ratios and the overload rate rest on.
JIT_STEP_S = 3
JIT_MAX_S = 60
JIT_SETTLED_SHARE = 0.05


def thread_cpu_seconds(pid: int) -> Dict[str, float]:
    """CPU time per thread group of a process (thread names with digits folded: "vert.x-eventloop-thread-N"),
    a coarse profile of where a server's CPU goes (event loops, inference workers, JIT, GC)."""
    out: Dict[str, float] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = re.sub(r"\d+", "N", text[text.index("(") + 1:text.rindex(")")])
        fields = text[text.rindex(")") + 2:].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return out


def thread_profile(before: Dict[str, float], after: Dict[str, float], seconds: float) -> Dict[str, float]:
    """CPUs used per thread group between two thread_cpu_seconds readings (groups above 1% of a CPU)."""
    used = {k: (v - before.get(k, 0.0)) / max(seconds, 1e-9) for k, v in after.items()}
    return {k: round(v, 3) for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.01}


def compiler_cpu_seconds(pid: int) -> Optional[float]:
    """CPU time of a JVM's JIT compiler threads ("C1/C2 CompilerThre"); None for a process without them."""
    total, found = 0.0, False
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                text = stat.read()
            if "CompilerThre" in text[text.index("("):text.rindex(")")]:
                fields = text[text.rindex(")") + 2:].split()
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
                found = True
    except OSError:
        return None
    return total if found else None


def warm_up(server: "Server", path: str, seconds: float, model: str = "") -> None:
    """Unmeasured load before the first point, so that the JVM's JIT (and any lazy initialisation) is done
    and the first points do not pay for it; the Python stack gets the same. For a JVM, the load goes on until
    its JIT compiler threads are nearly idle (see JIT_SETTLED_SHARE)."""
    env = dict(os.environ, BENCH_CORPUS=str(CORPUS), BENCH_PATH=path, BENCH_BATCH="0", BENCH_THREADS="2",
               BENCH_RATE="0", BENCH_MODEL=model)

    def load(duration: float) -> None:
        subprocess.run(["wrk", "-t2", "-c16", f"-d{max(1, round(duration))}s", "--timeout", "60s", "-s",
                        str(LUA), server.base_url], env=env, capture_output=True, timeout=duration + 120)

    load(seconds)
    waited = seconds
    while waited < JIT_MAX_S:
        before, started = compiler_cpu_seconds(server.process.pid), time.monotonic()
        if before is None:
            break
        load(JIT_STEP_S)
        share = (compiler_cpu_seconds(server.process.pid) - before) / (time.monotonic() - started)
        waited += JIT_STEP_S
        if share <= JIT_SETTLED_SHARE:
            break
        log(f"warm-up: the JIT compiler still took {share:.0%} of a CPU; {JIT_STEP_S} s more")
    drain(server.base_url, path, probe_body(False, model))


def closed_loop_points(name: str, server: "Server", path: str, seconds: float, model: str = "") -> List[dict]:
    points = []
    chars = corpus_chars(CORPUS)
    for c in CONCURRENCY:
        r = wrk(server, path, CORPUS, seconds, connections=c, threads=min(c, 2), model=model)
        r.update(concurrency=c, chars_per_s=r["ok_per_s"] * chars)
        log(f"{name} c={c}: {r['ok_per_s']:.1f} req/s, p50 {r['latency_ms']['p50']:.1f} ms, "
            f"p99 {r['latency_ms']['p99']:.1f} ms, non-200 {r['non_200']}, socket errors {r['socket_errors']}")
        points.append(r)
    return points


def batch_point(name, server, path, seconds, model: str = "") -> dict:
    r = wrk(server, path, CORPUS, seconds, connections=4, threads=2, batch=BATCH_TEXTS, model=model)
    r.update(concurrency=4, texts_per_request=BATCH_TEXTS, texts_per_s=r["ok_per_s"] * BATCH_TEXTS,
             chars_per_s=r["ok_per_s"] * corpus_chars(CORPUS, BATCH_TEXTS))
    log(f"{name} batch of {BATCH_TEXTS}, c=4: {r['texts_per_s']:.1f} texts/s, p99 {r['latency_ms']['p99']:.1f} ms")
    return r


def long_doc_point(name, server, path, articles: Path, seconds, model: str = "") -> dict:
    # At least 10 s: a document takes seconds on the slower stack, and only finished requests count.
    r = wrk(server, path, articles, max(seconds, 10), connections=LONG_DOC_CONCURRENCY, threads=2, model=model)
    r.update(concurrency=LONG_DOC_CONCURRENCY, chars_per_s=r["ok_per_s"] * ARTICLE_CHARS)
    log(f"{name} 20,000-char documents, c={LONG_DOC_CONCURRENCY}: {r['ok_per_s']:.2f} docs/s, "
        f"{r['chars_per_s']:.0f} chars/s, p99 {r['latency_ms']['p99']:.0f} ms")
    return r


def paced_point(name, server, path, rate, connections, seconds, model: str = "") -> dict:
    r = wrk(server, path, CORPUS, seconds, connections=connections, threads=connections, rate=rate, model=model)
    r.update(target_rate=rate, offered_per_s=r["requests"] / r["duration_s"], connections=connections)
    p = r["paced"]
    log(f"{name} paced {rate:.0f} req/s: offered {r['offered_per_s']:.0f}/s, 200: {p['ok_ms']['count']} "
        f"(p50 {fmt(p['ok_ms'].get('p50'))} ms, p99 {fmt(p['ok_ms'].get('p99'))} ms), "
        f"503: {p['refused_ms']['count']} (p99 {fmt(p['refused_ms'].get('p99'))} ms), late sends {r['late_sends']}, "
        f"CPU: server {r['server_share']:.0%}, wrk {r['client_share']:.0%}, others {r['others_share']:.0%}")
    return r


def overload_point(name, server, path, rate, seconds, model: str = "", factor: int = 2) -> dict:
    """2x overload as clients meet it. A flood (wrk, OVERLOAD_FLOOD_CONNECTIONS connections on
    OVERLOAD_FLOOD_THREADS threads, each thread on a fixed schedule over whichever of its connections is free)
    offers the rate however slowly answers come; its requests are counted by status, not timed. At the same
    time a probe (one connection per wrk thread, OVERLOAD_PROBE_SHARE of the rate) times each of its requests,
    split by status: the probe is the latency sample. One wrk thread per connection for the whole load (the
    old way) spent the two CPUs on hundreds of client threads and measured the client."""
    seconds = max(4, round(seconds))
    probe_rate = rate * OVERLOAD_PROBE_SHARE
    env = dict(os.environ, BENCH_CORPUS=str(CORPUS), BENCH_PATH=path, BENCH_BATCH="0", BENCH_MODEL=model)
    flood_env = dict(env, BENCH_THREADS=str(OVERLOAD_FLOOD_THREADS), BENCH_RATE=f"{rate - probe_rate:.3f}",
                     BENCH_UNTIMED="1")
    probe_env = dict(env, BENCH_THREADS=str(OVERLOAD_PROBE_CONNECTIONS), BENCH_RATE=f"{probe_rate:.3f}")

    def command(threads, connections, duration):
        return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "-s", str(LUA),
                server.base_url]

    def parse(completed_stdout: str, what: str) -> dict:
        line = next((l for l in completed_stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
        if line is None:
            raise SystemExit(f"the overload {what} gave no result: {completed_stdout}")
        return json.loads(line[len("BENCH_RESULT "):])

    meter = CpuMeter(server)
    threads_before, threads_started = thread_cpu_seconds(server.process.pid), time.monotonic()
    flood = subprocess.Popen(command(OVERLOAD_FLOOD_THREADS, OVERLOAD_FLOOD_CONNECTIONS, seconds + 2),
                             env=flood_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)  # the probe samples the established overload, not its first second
    probe_run = subprocess.run(command(OVERLOAD_PROBE_CONNECTIONS, OVERLOAD_PROBE_CONNECTIONS, seconds),
                               env=probe_env, capture_output=True, text=True, timeout=seconds + 180)
    flood_stdout, _ = flood.communicate(timeout=seconds + 180)
    cpu = meter.stop()
    profile = thread_profile(threads_before, thread_cpu_seconds(server.process.pid),
                             time.monotonic() - threads_started)
    flood_result, probe = parse(flood_stdout, "flood"), parse(probe_run.stdout, "probe")
    drain(server.base_url, path, probe_body(False, model))

    def per_s(result, status=None):
        n = result["requests"] if status is None else result["statuses"].get(status, 0)
        return n / result["duration_s"]

    r = {"factor": factor, "target_rate": rate, "duration_s": probe["duration_s"], "paced": probe["paced"],
         "connections": OVERLOAD_FLOOD_CONNECTIONS + OVERLOAD_PROBE_CONNECTIONS,
         "offered_per_s": per_s(flood_result) + per_s(probe),
         "accepted_per_s": per_s(flood_result, "200") + per_s(probe, "200"),
         "refused_per_s": per_s(flood_result, "503") + per_s(probe, "503"),
         "missing_retry_after": flood_result["missing_retry_after"] + probe["missing_retry_after"],
         "late_sends": flood_result["late_sends"], "flood": flood_result, "probe_statuses": probe["statuses"],
         "others_share": cpu["others_share"], "server_share": cpu["server_share"],
         "client_share": cpu["client_share"], "server_threads": profile}
    both = (flood_result, probe)
    r["non_200"] = sum(v for res in both for k, v in res["statuses"].items() if k != "200")
    r["other_count"] = sum(v for res in both for k, v in res["statuses"].items() if k not in ("200", "503"))
    r["socket_errors"] = sum(res["errors"][k] for res in both for k in ("connect", "read", "write", "timeout"))
    r["other_per_s"] = r["other_count"] / probe["duration_s"]
    p = probe["paced"]
    log(f"{name} {factor}x overload, {rate:.0f} req/s: offered {r['offered_per_s']:.0f}/s, accepted "
        f"{r['accepted_per_s']:.0f}/s, refused {r['refused_per_s']:.0f}/s; probe: 200 p50 "
        f"{fmt(p['ok_ms'].get('p50'))} p99 {fmt(p['ok_ms'].get('p99'))} ms, 503 p50 "
        f"{fmt(p['refused_ms'].get('p50'), 2)} p99 {fmt(p['refused_ms'].get('p99'), 2)} ms; CPU: server "
        f"{r['server_share']:.0%}, wrk {r['client_share']:.0%}, others {r['others_share']:.0%}")
    return r


def metrics_snapshot(base_url: str) -> Dict[str, float]:
    """The service's own ner_* metrics (Prometheus text), summed over label sets per metric name."""
    try:
        text = http_text(base_url + "/q/metrics")
    except (urllib.error.URLError, OSError):
        return {}
    out: Dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r"^(ner_[a-zA-Z0-9_]+)(\{[^}]*\})?\s+([0-9.eE+-]+|NaN)$", line)
        if m and "_bucket" not in m.group(1):
            key = m.group(1) + (m.group(2) or "")
            out[key] = float(m.group(3))
    return out


# ---- the three subjects -------------------------------------------------------------------------------


def snapshot_app(source: Path, work: Path) -> Path:
    """A private copy of ner-api's packaged app, so a rebuild during the run cannot change what runs."""
    if not (source / "quarkus-run.jar").is_file():
        raise SystemExit(f"{source}/quarkus-run.jar missing: build ner-api first (bench/run.sh does)")
    app = work / "ner-api-app"
    shutil.copytree(source, app)
    return app


def extract_bundles(app: Path, work: Path) -> List[Path]:
    """The model bundles embedded in the app jar (``ner-models/index.txt`` lists them, the default first): the
    weights all three subjects run."""
    jars = list((app / "app").glob("*.jar"))
    out = []
    with zipfile.ZipFile(jars[0]) as jar:
        index = jar.read("ner-models/index.txt").decode("utf-8")
        names = [l.strip() for l in index.splitlines() if l.strip() and not l.strip().startswith("#")]
        for name in names:
            for file in ("model.onnx", "tokenizer.json", "ner-model.json"):
                jar.extract(f"ner-models/{name}/{file}", work / "bundles")
            out.append(work / "bundles" / "ner-models" / name)
    return out


def extract_bundles_paths(work: Path) -> List[Path]:
    """The directories extract_bundles wrote (the embedded bundles, which ner-api serves anyway)."""
    root = work / "bundles" / "ner-models"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def bundle_meta(bundle: Path) -> dict:
    return json.loads((bundle / "ner-model.json").read_text(encoding="utf-8"))


def make_variants(bundle: Path, work: Path, variants: List[str]) -> Dict[str, Path]:
    """The fused and int8 variants of a BERT bundle (``variants/make_variants.py`` with ONNX Runtime for
    Python); none when that interpreter is missing."""
    if not variants or not Path(VARIANTS_PYTHON).exists():
        if variants:
            log(f"{VARIANTS_PYTHON} missing: no fused/int8 variants of {bundle.name}")
        return {}
    out = work / "variants" / bundle.name
    command = ["nice", "-n", "19", VARIANTS_PYTHON, str(BENCH / "variants" / "make_variants.py"), str(bundle),
               str(out), ",".join(variants)]
    log("making variants: " + " ".join(command[3:]))
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if completed.returncode != 0:
        raise SystemExit(f"make_variants.py failed: {completed.stderr[-2000:]}")
    made = json.loads(completed.stdout.strip().splitlines()[-1])
    return {variant: Path(info["dir"]) for variant, info in made.items()}


def write_articles(work: Path) -> Path:
    """Four 20,000-character articles, each the corpus concatenated from a different line."""
    lines = corpus_lines()
    articles = []
    for a in range(ARTICLES):
        text, i = "", a * len(lines) // ARTICLES
        while len(text) < ARTICLE_CHARS:
            text += lines[i % len(lines)]
            i += 1
        articles.append(text[:ARTICLE_CHARS])
    path = work / "articles.txt"
    path.write_text("\n".join(articles) + "\n", encoding="utf-8")
    return path


def detect_settings(server: Server) -> Dict[str, dict]:
    """Each model's serving settings as the running ner-api resolved them (``/api/v1/models``), plus the
    in-flight bound and whether each model's rows run alone, from its start-up log."""
    text = server.log_path.read_text(errors="replace")
    bound = re.search(r"admission: at most (\d+) requests in flight", text)
    out = {}
    for model in http_json(server.base_url + "/api/v1/models")["models"]:
        serving = model["serving"]
        alone = re.search(rf"model {re.escape(model['name'])} \S+ from .*every row alone", text) is not None
        out[model["name"]] = {
            "workers": serving["workers"], "intra_op_threads": serving["intraOpThreads"],
            "max_batch_tokens": serving["maxBatchTokens"],
            # not in the API: the configuration's, else ner-api's defaults (NerConfig)
            "queue_rows": int(os.environ.get("NER_INFERENCE_QUEUE_SIZE", "256")),
            "max_wait": os.environ.get("NER_INFERENCE_MAX_WAIT", "0S"),
            "max_in_flight": int(bound.group(1)) if bound else None, "rows_alone": alone}
    return out


def java_classpath(app: Path) -> str:
    return ":".join(str(app / d / "*") for d in ("app", "lib/boot", "lib/main"))


def run_limit(app: Path, bundle: Path, articles: Path, work: Path, settings: dict, seconds: float,
              quick: bool) -> dict:
    cpus = os.cpu_count() or 1
    # ner-api's own setting (when known) and the other extreme: one thread per caller, or all threads
    # in one caller.
    configs = [f"1x{cpus}", f"{cpus}x1"]
    if settings.get("intra_op_threads") and settings.get("workers"):
        served = f"{settings['intra_op_threads']}x{settings['workers']}"
        configs = [served] + [c for c in configs if c != served]
    out = work / f"limit-{bundle.name}.json"
    command = ["java", "-Xmx2g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
               "-cp", java_classpath(app), str(BENCH / "limit" / "InProcessLimit.java"),
               "--bundle", str(bundle), "--corpus", str(CORPUS), "--articles", str(articles),
               "--configs", ",".join(configs[:2]), "--seconds", str(seconds),
               "--batch-sizes", "1,4,16" if quick else "1,2,4,8,16,32,64",
               "--sorted-batch-sizes", "16" if quick else "8,32,64",
               "--max-batch", str(settings.get("max_batch_tokens") or 512), "--out", str(out)]
    log(f"in-process limit of {bundle.name}: " + " ".join(command[-18:]))
    with open(work / f"limit-{bundle.name}.log", "w") as log_file:
        completed = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO)
    if completed.returncode != 0:
        raise SystemExit(f"the in-process limit failed; see {work / f'limit-{bundle.name}.log'}")
    for line in (work / f"limit-{bundle.name}.log").read_text().splitlines():
        if line.startswith("limit:"):
            log(line)
    return json.loads(out.read_text())


def single_sentence_latency(app: Path, bundle: Path, work: Path, seconds: float) -> dict:
    """SINGLE_SENTENCE alone, one call at a time, on one ONNX Runtime thread, in-process."""
    out = work / f"single-{bundle.parent.name}-{bundle.name}.json"
    command = ["java", "-Xmx2g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
               "-cp", java_classpath(app), str(BENCH / "limit" / "InProcessLimit.java"),
               "--bundle", str(bundle), "--corpus", str(CORPUS), "--configs", "1x1", "--seconds", str(seconds),
               "--single-only", "true", "--single-text", SINGLE_SENTENCE, "--out", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if completed.returncode != 0:
        raise SystemExit(f"single-sentence latency of {bundle} failed: {completed.stdout[-2000:]}")
    result = json.loads(out.read_text())
    single = dict(result["single"], rows_alone=result.get("rows_alone"),
                  model_bytes=(bundle / "model.onnx").stat().st_size)
    log(f"single sentence ({single['chars']} characters), 1 thread, {bundle}: p50 {single['p50_ms']:.2f} ms, "
        f"p99 {single['p99_ms']:.2f} ms")
    return single


def start_ner_api(app: Path, work: Path, extra_env: Dict[str, str], label: str) -> Server:
    port = free_port()
    env = dict(os.environ)
    env.update(extra_env)
    command = ["java", f"-Dquarkus.http.port={port}", "-Dquarkus.http.host=127.0.0.1",
               "-jar", str(app / "quarkus-run.jar")]
    return Server(f"ner-api ({label})", command, env, f"http://127.0.0.1:{port}", "/q/health/ready",
                  work / f"ner-api-{label}.log").start()


def run_ner_api(app: Path, articles: Path, work: Path, env: Dict[str, str], models: List[str], seconds: float,
                cache_run: bool, warm_up_s: float) -> dict:
    """Every model on one ner-api (each has its own queue and workers; one model is measured at a time), then
    the overload points on a freshly started one, then the cache run for the default model."""
    out: dict = {"env": {k: v for k, v in env.items() if k.startswith("NER_")}, "models": {}}
    server = start_ner_api(app, work, dict(env, **CACHE_OFF), "cache-off")
    try:
        url = server.base_url
        out["startup_s"] = server.startup_s
        out["rss_ready_kb"] = server.memory_kb()["VmRSS"]
        out["settings"] = detect_settings(server)
        log(f"ner-api settings: {out['settings']}")
        for model in models:
            result = out["models"][model] = {"settings": out["settings"][model]}
            result["answers"] = [http_json(url + "/api/v1/ner", {"text": t, "model": model})["entities"]
                                 for t in corpus_lines()[:CHECK_LINES]]
            name = f"ner-api [{model}]"
            warm_up(server, "/api/v1/ner", warm_up_s, model)
            result["closed"] = closed_loop_points(name, server, "/api/v1/ner", seconds, model)
            saturation = max(p["ok_per_s"] for p in result["closed"])
            result["half_load"] = paced_point(name, server, "/api/v1/ner", saturation / 2, HALF_LOAD_CONNECTIONS,
                                              seconds, model)
            result["batch"] = batch_point(name, server, "/api/v1/ner/batch", seconds, model)
            result["long"] = long_doc_point(name, server, "/api/v1/ner", articles, seconds, model)
            result["memory_after_load_kb"] = server.memory_kb()
        out["memory_after_load_kb"] = server.memory_kb()
        out["metrics"] = metrics_snapshot(url)
    finally:
        server.stop()

    overload_env = dict(env, **CACHE_OFF)
    out["overload_env"] = {k: v for k, v in overload_env.items() if k.startswith("NER_")}
    server = start_ner_api(app, work, overload_env, "overload")
    try:
        url = server.base_url
        out["startup_2_s"] = server.startup_s
        for model in models:
            result = out["models"][model]
            saturation = max(p["ok_per_s"] for p in result["closed"])
            warm_up(server, "/api/v1/ner", warm_up_s, model)
            result["overloads"] = {}
            for factor in OVERLOAD_FACTORS:
                result["overloads"][factor] = overload_point(f"ner-api [{model}]", server, "/api/v1/ner",
                                                             factor * saturation, seconds, model, factor)
            result["overload"] = result["overloads"][2]
        out["overload_metrics"] = metrics_snapshot(url)
    finally:
        server.stop()

    if cache_run:
        cache_env = dict(env)
        cache_env.setdefault("NER_CACHE_SIZE", "1024")
        server = start_ner_api(app, work, cache_env, "cache-on")
        try:
            url = server.base_url
            warm_up(server, "/api/v1/ner", warm_up_s)
            r = wrk(server, "/api/v1/ner", CORPUS, seconds, connections=16, threads=2)
            r.update(concurrency=16, cache_size=cache_env["NER_CACHE_SIZE"])
            log(f"ner-api cache on ({cache_env['NER_CACHE_SIZE']}), c=16: {r['ok_per_s']:.0f} req/s, "
                f"p99 {r['latency_ms']['p99']:.1f} ms")
            out["cache_on"] = r
            out["cache_metrics"] = metrics_snapshot(url)
        finally:
            server.stop()
    return out


def run_python(bundle: Path, articles: Path, work: Path, torch_threads: int, seconds: float,
               warm_up_s: float) -> dict:
    port = free_port()
    env = dict(os.environ, NER_BUNDLE=str(bundle), TORCH_THREADS=str(torch_threads))
    command = [PYTHON, "-m", "uvicorn", "--app-dir", str(BENCH / "python-baseline"), "--factory",
               "server:create_app", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
               "--log-level", "warning", "--no-access-log"]
    server = Server(f"Python baseline [{bundle.name}]", command, env, f"http://127.0.0.1:{port}", "/health",
                    work / f"python-baseline-{bundle.name}.log").start()
    result: dict = {"torch_threads": torch_threads}
    name = f"python [{bundle.name}]"
    try:
        url = server.base_url
        result["startup_s"] = server.startup_s
        result["rss_ready_kb"] = server.memory_kb()["VmRSS"]
        result["answers"] = [http_json(url + "/predict", {"text": t})["output"] for t in corpus_lines()[:CHECK_LINES]]
        warm_up(server, "/predict", warm_up_s)
        result["closed"] = closed_loop_points(name, server, "/predict", seconds)
        saturation = max(p["ok_per_s"] for p in result["closed"])
        result["half_load"] = paced_point(name, server, "/predict", saturation / 2, HALF_LOAD_CONNECTIONS, seconds)
        result["batch"] = batch_point(name, server, "/batch_predict", seconds)
        result["long"] = long_doc_point(name, server, "/predict", articles, seconds)
        result["overload"] = overload_point(name, server, "/predict", 2 * saturation, seconds)
        result["memory_after_load_kb"] = server.memory_kb()
    finally:
        server.stop()
    return result


def same_answers(api: List[List[dict]], python: List[List[dict]]) -> int:
    key = lambda e: (e["type"], e["start"], e["end"], e["span"])  # noqa: E731
    return sum(1 for a, p in zip(api, python) if [key(e) for e in a] == [key(e) for e in p])


# ---- the report ----------------------------------------------------------------------------------------


def fmt(x, digits=1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and x != x:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def ratio(a, b, digits=2) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.{digits}f}x"


def machine() -> dict:
    meminfo = sh("grep MemTotal /proc/meminfo")
    return {
        "nproc": sh("nproc"),
        "lscpu": sh("lscpu | head -n 20"),
        "model": sh("lscpu | sed -n 's/^Model name: *//p'"),
        "memory": meminfo,
        "memory_gib": round(int(meminfo.split()[1]) / 1024 / 1024, 1) if meminfo else None,
        "kernel": platform.release(),
        "java": sh("java -version 2>&1 | head -n 1"),
        "python": sh(f"{PYTHON} --version"),
        "torch": sh(f"{PYTHON} -c 'import torch; print(torch.__version__)'"),
        "wrk": sh("wrk --version 2>&1 | head -n 1"),
        "load_before": sh("cat /proc/loadavg"),
        "busy_before": sh("ps -eo pcpu,etime,comm --sort=-pcpu | head -n 6"),
        "git": sh(f"git -C {REPO} log -1 --oneline"),
        "git_dirty": sh(f"git -C {REPO} status --short -- ner-api ner-model-export | head -n 40"),
    }


def best_limit(limit: dict, order=("mixed", "sorted")) -> dict:
    return max((p for p in limit["points"] if p["order"] in order), key=lambda p: p["texts_per_s"])


def report_model(results: dict) -> str:
    """The section of one model (``results``: that model's view, see ``model_view``)."""
    m, lim, api, py = results["machine"], results.get("limit"), results.get("ner_api"), results.get("python")
    out: List[str] = []
    w = out.append
    w(f"# ner-api benchmark, {results['started']}")
    w("")
    out.extend(run_lines(results))
    w(f"- Model: {results['model']}")
    if api:
        t = results["threads"]
        w(f"- ner-api settings: defaults of this commit plus `{api['env'] or {}}`, result cache off "
          f"(`NER_CACHE_SIZE=0`) except in the cache run. As ner-api logged them: {t['workers']} inference "
          f"worker(s) x {t['intra_op_threads']} ONNX Runtime thread(s), at most {t['max_in_flight']} requests in "
          f"flight, queue {t['queue_rows']} rows, batches of at most {t['max_batch_tokens']} tokens"
          + (" (every row alone: int8 activations)" if t.get("rows_alone") else "") + f", max wait {t['max_wait']}")
    if py:
        w(f"- Python baseline: FastAPI + uvicorn (1 process), PyTorch eager, "
          f"`torch.set_num_threads({py['torch_threads']})` (= ner-api's ONNX Runtime intra-op threads)")
    w("")

    sat_api = max(api["closed"], key=lambda p: p["ok_per_s"]) if api else None
    sat_py = max(py["closed"], key=lambda p: p["ok_per_s"]) if py else None
    best = best_limit(lim) if lim else None
    best_mixed = best_limit(lim, ("mixed",)) if lim else None
    limit_long = max((p for p in lim["points"] if p["order"] == "long_document"), key=lambda p: p["chars_per_s"],
                     default=None) if lim else None
    chars = corpus_chars(CORPUS)

    w("## Summary")
    w("")
    w("| figure | ner-api (HTTP) | in-process limit | Python stack | ner-api / limit | ner-api / Python |")
    w("|---|---:|---:|---:|---:|---:|")

    def row(name, a, l, p, digits=1, invert=False):
        w(f"| {name} | {fmt(a, digits)} | {fmt(l, digits)} | {fmt(p, digits)} | {ratio(a, l)} | {ratio(a, p)} |")

    row("sentences/s at saturation", sat_api and sat_api["ok_per_s"], best and best["texts_per_s"],
        sat_py and sat_py["ok_per_s"])
    row("characters/s at saturation", sat_api and sat_api["chars_per_s"], best and best["chars_per_s"],
        sat_py and sat_py["chars_per_s"])
    row("20,000-char documents: characters/s", api and api["long"]["chars_per_s"],
        limit_long and limit_long["chars_per_s"], py and py["long"]["chars_per_s"])
    row("single-request latency p50 (c=1), ms", api and api["closed"][0]["latency_ms"]["p50"],
        lim and lim["single"]["p50_ms"], py and py["closed"][0]["latency_ms"]["p50"], 2)
    row("single-request latency p99 (c=1), ms", api and api["closed"][0]["latency_ms"]["p99"],
        lim and lim["single"]["p99_ms"], py and py["closed"][0]["latency_ms"]["p99"], 2)
    row("start-up to ready, s", api and api["startup_s"], lim and lim["startup"]["load_open_warm_up_ms"] / 1000,
        py and py["startup_s"], 2)
    row("RSS after load, MiB", api and api["memory_after_load_kb"]["VmRSS"] / 1024,
        lim and lim["rss_kb"] / 1024, py and py["memory_after_load_kb"]["VmRSS"] / 1024, 0)
    row("peak RSS, MiB", api and api["memory_after_load_kb"]["VmHWM"] / 1024,
        lim and lim["peak_rss_kb"] / 1024, py and py["memory_after_load_kb"]["VmHWM"] / 1024, 0)
    w("")
    if best:
        w(f"Limit: best in-process point, {best['intra_op_threads']} ONNX Runtime thread(s) x {best['callers']} "
          f"caller(s), batches of {best['batch_size']} texts ({best['order']}); best with batches as they come "
          f"(mixed lengths): {fmt(best_mixed['texts_per_s'])} sentences/s "
          f"({best_mixed['intra_op_threads']}x{best_mixed['callers']}, batch {best_mixed['batch_size']}). "
          f"Saturation: ner-api at c={sat_api['concurrency'] if sat_api else '-'}, Python at "
          f"c={sat_py['concurrency'] if sat_py else '-'}. Start-up of the limit: reading the bundle, opening the "
          f"ONNX Runtime session and one warm-up call, in-process (no JVM start). Ratios of latency, start-up "
          f"and memory read the same way: ner-api's figure divided by the other's. "
          f"Corpus: {results['corpus_lines']} lines, {chars:.1f} characters on average.")
        w("")

    w("## Targets")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    if api and lim:
        r = sat_api["ok_per_s"] / best_mixed["texts_per_s"]
        short = 0.9 * best_mixed["texts_per_s"] - sat_api["ok_per_s"]
        miss = f"missed by {(0.9 - r) / 0.9:.0%} ({short:.0f} sentences/s short of 0.9x)"
        w(f"| ner-api throughput at saturation >= 0.9 x in-process limit (its best point with lengths as they "
          f"come) | {r:.2f}x ({fmt(sat_api['ok_per_s'])} vs {fmt(best_mixed['texts_per_s'])} sentences/s) | "
          f"{verdict(r >= 0.9, miss)} |")
        rs = sat_api["ok_per_s"] / best["texts_per_s"]
        w(f"| (stated) against the limit's best point, sorted batches included | {rs:.2f}x "
          f"({fmt(best['texts_per_s'])} sentences/s, {best['order']} batches of {best['batch_size']}) | - |")
    if api and lim:
        served = [p for p in lim["points"] if p["order"] == "mixed"
                  and p["intra_op_threads"] == results["threads"]["intra_op_threads"]
                  and p["callers"] == results["threads"]["workers"]]
        if served:
            b = max(served, key=lambda p: p["texts_per_s"])
            r = sat_api["ok_per_s"] / b["texts_per_s"]
            w(f"| (context) ner-api / the limit with ner-api's own threads and lengths as they come | {r:.2f}x "
              f"({fmt(b['texts_per_s'])} sentences/s at {b['intra_op_threads']}x{b['callers']}, batch "
              f"{b['batch_size']}) | - |")
    if api and py:
        # Two readings. Same load: both stacks under the same closed-loop concurrency. Python's best
        # point: its highest-throughput point, against ner-api's best point whose p99 is not higher.
        same = [(a["concurrency"], a["ok_per_s"] / max(p["ok_per_s"], 1e-9), a["latency_ms"]["p99"],
                 p["latency_ms"]["p99"]) for a, p in zip(api["closed"], py["closed"])]
        c, r, a99, p99 = next(x for x in same if x[0] == sat_api["concurrency"])
        target = PYTHON_TARGET.get(results.get("architecture"), 5.0)
        same_ok = r >= target and a99 <= p99
        within = [a for a in api["closed"] if a["latency_ms"]["p99"] <= sat_py["latency_ms"]["p99"]]
        best_within = max(within, key=lambda a: a["ok_per_s"]) if within else None
        strict = best_within["ok_per_s"] / sat_py["ok_per_s"] if best_within else 0.0
        w(f"| >= {target:g} x the Python stack's throughput at equal or lower p99, under the same load | c={c} (ner-api's "
          f"saturation): {r:.1f}x, p99 {fmt(a99)} vs {fmt(p99)} ms (each c: "
          + ", ".join(f"{x[0]}: {x[1]:.1f}x, p99 {fmt(x[2])} vs {fmt(x[3])} ms" for x in same) + ") | "
          f"{verdict(same_ok, f'{r:.1f}x of {target:g}x' if r < target else 'p99 higher')} |")
        w(f"| the same against Python's best point | Python's best: {fmt(sat_py['ok_per_s'])} req/s at "
          f"c={sat_py['concurrency']}, p99 {fmt(sat_py['latency_ms']['p99'])} ms; ner-api's best point with a "
          f"p99 not higher: "
          + (f"{fmt(best_within['ok_per_s'])} req/s at c={best_within['concurrency']} (p99 "
             f"{fmt(best_within['latency_ms']['p99'])} ms) = {strict:.1f}x" if best_within else "none")
          + f" | {verdict(strict >= target, f'{strict:.1f}x of {target:g}x')} |")
    if api:
        single = api["closed"][0]["latency_ms"]
        half = api["half_load"]["paced"]["ok_ms"].get("p99")
        if half is not None:
            # Two readings of "single-request latency": like for like (the lone request's p99), and the
            # stricter one (its p50), which a faster lone request makes harder to meet.
            r99, r50 = half / single["p99"], half / single["p50"]
            w(f"| p99 at half of saturation load <= 3 x single-request latency (p99 vs the c=1 p99) | p99 "
              f"{fmt(half, 2)} ms at {fmt(api['half_load']['offered_per_s'])} req/s = {r99:.1f}x the c=1 p99 of "
              f"{fmt(single['p99'], 2)} ms | {verdict(r99 <= 3, f'{r99:.1f}x instead of 3x')} |")
            w(f"| (stricter reading) p99 at half load vs the c=1 **p50** | {r50:.1f}x the c=1 p50 of "
              f"{fmt(single['p50'], 2)} ms | {verdict(r50 <= 3, f'{r50:.1f}x instead of 3x')} |")
        o = api["overload"]
        ok_ms, refused_ms = o["paced"]["ok_ms"], o["paced"]["refused_ms"]
        problems = []
        if ok_ms.get("p99") is None or ok_ms["p99"] > OVERLOAD_ACCEPTED_P99_MS:
            problems.append(f"accepted p99 {fmt(ok_ms.get('p99'))} ms > {OVERLOAD_ACCEPTED_P99_MS} ms")
        if o["refused_per_s"] == 0 or refused_ms["count"] == 0:
            problems.append("nothing refused")
        elif refused_ms["p99"] > OVERLOAD_REFUSED_P99_MS:
            problems.append(f"503 p99 {fmt(refused_ms['p99'])} ms > {OVERLOAD_REFUSED_P99_MS} ms")
        if o["missing_retry_after"]:
            problems.append(f"{o['missing_retry_after']} 503s without Retry-After")
        if o["other_count"]:
            problems.append(f"{o['other_count']} answers neither 200 nor 503")
        if o["socket_errors"]:
            problems.append(f"{o['socket_errors']} connection errors or timeouts")
        w(f"| under 2x overload accepted requests keep a bounded p99 (< {OVERLOAD_ACCEPTED_P99_MS} ms), the rest "
          f"are refused fast (503 p99 < {OVERLOAD_REFUSED_P99_MS} ms, with Retry-After) | offered "
          f"{fmt(o['offered_per_s'])} req/s: {fmt(o['accepted_per_s'])}/s accepted (probe p50 "
          f"{fmt(ok_ms.get('p50'))}, p99 {fmt(ok_ms.get('p99'))} ms), {fmt(o['refused_per_s'])}/s refused with 503 "
          f"(probe p50 {fmt(refused_ms.get('p50'), 2)}, p99 {fmt(refused_ms.get('p99'), 2)} ms) | "
          f"{verdict(not problems, '; '.join(problems))} |")
        capacity = sat_api["ok_per_s"]
        for factor, q in sorted(overloads(api).items()):
            share = q["accepted_per_s"] / capacity if capacity else 0.0
            w(f"| goodput under {factor}x overload >= {GOODPUT_SHARE:.0%} of the closed-loop capacity | "
              f"{fmt(q['accepted_per_s'])} of {fmt(capacity)} req/s accepted = {share:.0%} (offered "
              f"{fmt(q['offered_per_s'])}/s; 503 probe p99 {fmt(q['paced']['refused_ms'].get('p99'), 2)} ms) | "
              f"{verdict(share >= GOODPUT_SHARE, f'{share:.0%} instead of {GOODPUT_SHARE:.0%}')} |")
        if results.get("architecture") == "bert-crf":
            w(f"| BERT bundle: >= {BERT_HTTP_PER_S} sentences/s over HTTP on {m['nproc']} cores | "
              f"{fmt(capacity)} sentences/s at c={sat_api['concurrency']} | "
              f"{verdict(capacity >= BERT_HTTP_PER_S, f'{capacity / BERT_HTTP_PER_S:.2f}x of the target')} |")
    w("")

    if lim:
        w("## In-process limit (ner-api's classes, no HTTP)")
        w("")
        w("| ORT threads x callers | batches | texts per call | sentences/s | characters/s | mean ms per call "
          "| others' CPU |")
        w("|---|---|---:|---:|---:|---:|---:|")
        for p in lim["points"]:
            w(f"| {p['intra_op_threads']} x {p['callers']} | {p['order']} | {p['batch_size']} | "
              f"{fmt(p['texts_per_s'])} | {fmt(p['chars_per_s'])} | {fmt(p['mean_call_ms'], 2)} | "
              f"{others(p)} |")
        w("")
        w("`mixed`: consecutive corpus lines (lengths as they come); `sorted`: the corpus sorted by length, so a "
          "call holds texts of about the same length (the best case of grouping by length); `long_document`: "
          "one 20,000-character article per call (sentences/s = documents/s). `others' CPU`: the share of the "
          "machine's CPU time other processes used during the point (a point above 10% is measured again, at "
          "most three times, and the least disturbed attempt kept; `(!)` marks one that stayed above).")
        w("")

    for title, subject in (("ner-api over HTTP", api), ("Python stack over HTTP", py)):
        if not subject:
            continue
        w(f"## {title}")
        w("")
        w("| load | requests/s (200) | characters/s | p50 ms | p90 ms | p99 ms | max ms | non-200 | others' CPU |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for p in subject["closed"]:
            l = p["latency_ms"]
            w(f"| c={p['concurrency']}, one sentence per request | {fmt(p['ok_per_s'])} | {fmt(p['chars_per_s'])} | "
              f"{fmt(l['p50'], 2)} | {fmt(l['p90'], 2)} | {fmt(l['p99'], 2)} | {fmt(l['max'])} | {p['non_200']} | "
              f"{others(p)} |")
        b = subject["batch"]
        l = b["latency_ms"]
        w(f"| c=4, batch endpoint, {BATCH_TEXTS} sentences per request | {fmt(b['ok_per_s'])} "
          f"({fmt(b['texts_per_s'])} sentences/s) | {fmt(b['chars_per_s'])} | {fmt(l['p50'], 2)} | "
          f"{fmt(l['p90'], 2)} | {fmt(l['p99'], 2)} | {fmt(l['max'])} | {b['non_200']} | {others(b)} |")
        d = subject["long"]
        l = d["latency_ms"]
        w(f"| c={LONG_DOC_CONCURRENCY}, 20,000-character documents | {fmt(d['ok_per_s'], 2)} | "
          f"{fmt(d['chars_per_s'])} | {fmt(l['p50'])} | {fmt(l['p90'])} | {fmt(l['p99'])} | {fmt(l['max'])} | "
          f"{d['non_200']} | {others(d)} |")
        p = subject["half_load"]
        ok = p["paced"]["ok_ms"]
        w(f"| paced, half of saturation: {fmt(p['target_rate'])} req/s over {p['connections']} connections | "
          f"{fmt(ok['count'] / p['duration_s'])} | - | {fmt(ok.get('p50'), 2)} | {fmt(ok.get('p90'), 2)} | "
          f"{fmt(ok.get('p99'), 2)} | {fmt(ok.get('max'))} | {p['non_200']} | {others(p)} |")
        p = subject["overload"]
        ok = p["paced"]["ok_ms"]
        w(f"| 2x overload: {fmt(p['target_rate'])} req/s over {p['connections']} connections (latency: the "
          f"probe's 200s) | {fmt(p['accepted_per_s'])} | - | {fmt(ok.get('p50'), 2)} | {fmt(ok.get('p90'), 2)} | "
          f"{fmt(ok.get('p99'), 2)} | {fmt(ok.get('max'))} | {p['non_200']} | {others(p)} |")
        if subject is api and "cache_on" in api:
            p = api["cache_on"]
            l = p["latency_ms"]
            w(f"| c=16, result cache on (size {p['cache_size']}; the corpus repeats, so mostly hits) | "
              f"{fmt(p['ok_per_s'])} | {fmt(p['ok_per_s'] * chars)} | {fmt(l['p50'], 2)} | {fmt(l['p90'], 2)} | "
              f"{fmt(l['p99'], 2)} | {fmt(l['max'])} | {p['non_200']} | {others(p)} |")
        w("")
        w(f"Start-up to ready {fmt(subject['startup_s'], 2)} s; RSS {fmt(subject['rss_ready_kb'] / 1024, 0)} MiB when "
          f"ready, {fmt(subject['memory_after_load_kb']['VmRSS'] / 1024, 0)} MiB after the load "
          f"(peak {fmt(subject['memory_after_load_kb']['VmHWM'] / 1024, 0)} MiB).")
        w("")

    if api:
        o = api["overload"]
        w("## Overload (open loop)")
        w("")
        w(f"ner-api restarted with `{api['overload_env']}`, then {fmt(o['target_rate'])} req/s (2x "
          f"saturation) offered for {o['duration_s']:.0f} s: a flood of {OVERLOAD_FLOOD_CONNECTIONS} connections on "
          f"{OVERLOAD_FLOOD_THREADS} wrk threads keeps a fixed schedule whatever the answers (counted by status, "
          f"not timed), and a probe of {OVERLOAD_PROBE_CONNECTIONS} connections, one per wrk thread, sends "
          f"{OVERLOAD_PROBE_SHARE:.0%} of the rate and times each request: the latencies below are the probe's. "
          f"{o['late_sends']} flood sends were more than 5 ms behind schedule.")
        w("")
        w("| subject | offered req/s | accepted (200) /s | probe: accepted p50 / p99 / max ms | refused (503) /s "
          "| probe: refused p50 / p99 ms | other /s | CPU: server / wrk / others |")
        w("|---|---:|---:|---|---:|---|---:|---|")
        for name, s in (("ner-api", api), ("Python stack", py)):
            if not s:
                continue
            q = s["overload"]
            p = q["paced"]
            w(f"| {name} | {fmt(q['offered_per_s'])} | {fmt(q['accepted_per_s'])} | "
              f"{fmt(p['ok_ms'].get('p50'))} / {fmt(p['ok_ms'].get('p99'))} / {fmt(p['ok_ms'].get('max'))} | "
              f"{fmt(q['refused_per_s'])} | {fmt(p['refused_ms'].get('p50'), 2)} / "
              f"{fmt(p['refused_ms'].get('p99'), 2)} | {fmt(q['other_per_s'])} | {q['server_share']:.0%} / "
              f"{q['client_share']:.0%} / {q['others_share']:.0%} |")
        w("")
        w("Where the server's CPU went (CPUs per thread group, from /proc; ONNX Runtime runs on the "
          "`ner-batcher` threads, HTTP and JSON on the `vert.x-eventloop` ones, the JIT on `CN CompilerThre`):")
        w("")
        w("| point | server CPUs by thread group |")
        w("|---|---|")
        sat_point = max(api["closed"], key=lambda p: p["ok_per_s"])
        for title, point in ([(f"closed loop c={sat_point['concurrency']} (capacity)", sat_point)]
                             + [(f"{f}x overload", q) for f, q in sorted(overloads(api).items())]):
            groups = point.get("server_threads") or {}
            w(f"| {title} | " + (", ".join(f"{k} {v:.2f}" for k, v in list(groups.items())[:6]) or "-") + " |")
        w("")
        w("ner-api metrics after the overload run: " + (", ".join(
            f"`{k} {v:g}`" for k, v in api["overload_metrics"].items()
            if any(s in k for s in ("rejected", "timeout", "queue", "batch"))) or "none exported") + ".")
        w("")
    if api and py:
        w(f"Same answers: for the first {CHECK_LINES} corpus lines, ner-api and the Python stack return the same "
          f"entities (type, start, end, span) for {results['same_answers']} of {CHECK_LINES}.")
        w("")
    w("<details><summary>Machine (lscpu)</summary>")
    w("")
    w("```")
    w(m["lscpu"])
    w(m["memory"])
    w("```")
    w("")
    w("Busiest processes before the run:")
    w("")
    w("```")
    w(m["busy_before"])
    w("```")
    w("</details>")
    return "\n".join(out) + "\n"


def others(point: dict) -> str:
    """Other processes' share of the CPUs during a point; marked when it stayed above CONTENDED."""
    share = point.get("others_share")
    if share is None:
        return "-"
    return f"{share:.0%}" + (" (!)" if share > CONTENDED else "")


def overloads(api: dict) -> Dict[int, dict]:
    """The overload points by factor (JSON turns the int keys into strings)."""
    return {int(k): v for k, v in (api.get("overloads") or {}).items()}


def model_view(results: dict, name: str) -> dict:
    """One model's figures in the shape ``report_model`` reads."""
    sub = results["models"][name]
    view = {k: results[k] for k in ("started", "command", "seconds", "machine", "corpus_lines") if k in results}
    view.update(cpu=results.get("cpu", {}), model=sub["description"], architecture=sub["architecture"],
                limit=sub.get("limit"), python=sub.get("python"), same_answers=sub.get("same_answers"))
    api = results.get("ner_api")
    if api and name in api["models"]:
        view["ner_api"] = dict(api["models"][name], startup_s=api["startup_s"], rss_ready_kb=api["rss_ready_kb"],
                               env=api["env"], overload_env=api["overload_env"],
                               overload_metrics={k: v for k, v in api.get("overload_metrics", {}).items()
                                                 if f'model="{name}"' in k or 'model=""' in k})
        if name == results["default_model"] and "cache_on" in api:
            view["ner_api"]["cache_on"] = api["cache_on"]
        view["threads"] = api["models"][name]["settings"]
    return view


def run_lines(results: dict) -> List[str]:
    """The report's lines on the run itself: command, machine, load, CPU shares, commit."""
    m = results["machine"]
    out = [f"- Command: `{results['command']}` ({results['seconds']} s per point)",
           f"- Machine: {m['model']}, {m['nproc']} CPUs, {m['memory_gib']} GiB RAM, Linux {m['kernel']}; "
           f"{m['java']}; {m['python']}, torch {m['torch']}; {m['wrk']}",
           f"- Load average before the run: {m['load_before']}; after: {m.get('load_after', '-')}"]
    if results.get("cpu"):
        out.append("- CPU used by other processes (a shared machine): " + ", ".join(
            f"{phase} phase {cpu['others_share']:.0%} (this benchmark {cpu['ours_share']:.0%})"
            for phase, cpu in results["cpu"].items()) + " of the machine's CPU time")
    out.append(f"- ner-api: `{m['git']}`"
               + (" plus uncommitted changes in ner-api/ner-model-export" if m["git_dirty"] else ""))
    return out


def report(results: dict) -> str:
    """The whole report: the run, both bundles side by side, the BERT variants, then one section per model."""
    out: List[str] = []
    w = out.append
    names = list(results["models"])
    w(f"# ner-api benchmark, {results['started']}: {', '.join(names)}")
    w("")
    out.extend(run_lines(results))
    for name in names:
        w(f"- Model `{name}`: {results['models'][name]['description']}")
    w("")
    w("## Side by side")
    w("")
    w("| figure | " + " | ".join(f"`{n}`" for n in names) + " |")
    w("|---|" + "---:|" * len(names) + "")
    views = {n: model_view(results, n) for n in names}

    def cell(view, fn):
        try:
            return fn(view)
        except (KeyError, TypeError, ValueError, ZeroDivisionError, StopIteration):
            return "-"

    def sat(v):
        return max(v["ner_api"]["closed"], key=lambda p: p["ok_per_s"])

    def python_of(v):
        return v.get("python") or {}

    rows = [
        ("ner-api sentences/s at saturation (HTTP)", lambda v: f"{fmt(sat(v)['ok_per_s'])} (c={sat(v)['concurrency']})"),
        ("limit, best point with lengths as they come", lambda v: fmt(best_limit(v["limit"], ("mixed",))["texts_per_s"])),
        ("limit, best point with sorted batches", lambda v: fmt(best_limit(v["limit"], ("sorted",))["texts_per_s"])),
        ("ner-api / limit (as they come; sorted)", lambda v: f"{sat(v)['ok_per_s'] / best_limit(v['limit'], ('mixed',))['texts_per_s']:.2f}x; "
                                                             f"{sat(v)['ok_per_s'] / best_limit(v['limit'])['texts_per_s']:.2f}x"),
        ("Python stack sentences/s at its best", lambda v: fmt(max(p["ok_per_s"] for p in python_of(v)["closed"]))),
        ("ner-api / Python (best points)", lambda v: f"{sat(v)['ok_per_s'] / max(p['ok_per_s'] for p in python_of(v)['closed']):.1f}x"),
        ("c=1 p50 / p99, ms", lambda v: f"{fmt(v['ner_api']['closed'][0]['latency_ms']['p50'], 2)} / "
                                        f"{fmt(v['ner_api']['closed'][0]['latency_ms']['p99'], 2)}"),
        ("half load p99 / c=1 p99", lambda v: f"{v['ner_api']['half_load']['paced']['ok_ms']['p99'] / v['ner_api']['closed'][0]['latency_ms']['p99']:.1f}x"),
        ("2x overload: accepted / capacity; 503 p99 ms", lambda v: f"{overloads(v['ner_api'])[2]['accepted_per_s'] / sat(v)['ok_per_s']:.0%}; "
                                                                    f"{fmt(overloads(v['ner_api'])[2]['paced']['refused_ms'].get('p99'), 1)}"),
        ("3x overload: accepted / capacity; 503 p99 ms", lambda v: f"{overloads(v['ner_api'])[3]['accepted_per_s'] / sat(v)['ok_per_s']:.0%}; "
                                                                    f"{fmt(overloads(v['ner_api'])[3]['paced']['refused_ms'].get('p99'), 1)}"),
        ("20,000-char documents: characters/s", lambda v: fmt(v["ner_api"]["long"]["chars_per_s"])),
    ]
    for title, fn in rows:
        w(f"| {title} | " + " | ".join(cell(views[n], fn) for n in names) + " |")
    w("")
    w("A variant (`-int8`) has no Python column of its own: the Python stack runs the fp32 weights it was made "
      "from, so its ratio is against that bundle's Python figures.")
    w("")
    if results.get("single_sentence"):
        w(f"## BERT bundle: one {len(SINGLE_SENTENCE)}-character sentence alone, one ONNX Runtime thread, in-process")
        w("")
        w(f"Target: p50 <= {BERT_SINGLE_P50_MS:g} ms after fusion/int8. The sentence: {SINGLE_SENTENCE}")
        w("")
        w("| bundle | graph | model.onnx MiB | p50 ms | p99 ms | calls | rows alone | verdict |")
        w("|---|---|---:|---:|---:|---:|---|---|")
        for bundle, variants in results["single_sentence"].items():
            for variant, r in variants.items():
                miss = f"{r['p50_ms'] / BERT_SINGLE_P50_MS:.1f}x the target"
                w(f"| `{bundle}` | {variant} | {r['model_bytes'] / 2**20:.0f} | {fmt(r['p50_ms'], 2)} | "
                  f"{fmt(r['p99_ms'], 2)} | {r['calls']} | {'yes' if r.get('rows_alone') else 'no'} | "
                  f"{verdict(r['p50_ms'] <= BERT_SINGLE_P50_MS, miss)} |")
        w("")
    details = ""
    for name in names:
        section = report_model(views[name])
        body = section[section.index("## Summary"):]
        body, _, details = body.partition("<details>")
        w(f"## `{name}`")
        w("")
        w(body.rstrip("\n").replace("\n## ", "\n### ").replace("## Summary", "### Summary", 1))
        w("")
    w("<details>" + details.rstrip("\n"))
    return "\n".join(out) + "\n"


def verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"**missed**: {miss}"


# ---- main ----------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=12, help="length of each measured point (default 12)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 2 s points, fewer limit points; the report stays in bench/target")
    p.add_argument("--only", default="limit,ner-api,python",
                   help="comma-separated subset of limit,ner-api,python (a partial run is not saved in results/)")
    p.add_argument("--no-cache-run", action="store_true", help="skip the extra ner-api run with the result cache on")
    p.add_argument("--variants", default="fused,int8",
                   help="variants of each BERT bundle to make (with ONNX Runtime for Python): the int8 one is "
                        "served and measured like a bundle, all are in the single-sentence table; '' for none")
    p.add_argument("--quiet-wait", type=float, default=300,
                   help="seconds to wait, before each phase, for other processes to leave the CPUs (default 300)")
    p.add_argument("--app", default=str(REPO / "ner-api" / "target" / "quarkus-app"),
                   help="ner-api's packaged app (quarkus-app directory) to measure")
    p.add_argument("--command", default="bench/run.sh", help=argparse.SUPPRESS)
    p.add_argument("--report-from", help="write the report of a finished run's results.json again, and stop")
    args = p.parse_args(argv)
    if args.report_from:
        print(report(json.loads(Path(args.report_from).read_text(encoding="utf-8"))))
        return 0
    seconds = 2 if args.quick else args.seconds
    warm_up_s = 2 if args.quick else WARM_UP_SECONDS
    only = set(args.only.split(","))
    started = datetime.datetime.now()
    work = BENCH / "target" / f"run-{started:%Y%m%d-%H%M%S}"
    work.mkdir(parents=True)
    log(f"work directory {work}")

    results: dict = {"started": f"{started:%Y-%m-%d %H:%M}", "command": args.command, "seconds": seconds,
                     "machine": machine(), "corpus_lines": len(corpus_lines())}
    app = snapshot_app(Path(args.app), work)
    api_env = {k: v for k, v in os.environ.items() if k.startswith("NER_")}
    # The bundles: every one embedded in the measured ner-api, every directory ner-api is told to serve
    # (NER_MODELS_DIRECTORIES, e.g. a BERT bundle not embedded yet), and the int8 variant of each BERT bundle.
    bundles = extract_bundles(app, work)
    bundles += [Path(d) for d in api_env.get("NER_MODELS_DIRECTORIES", "").split(",") if d.strip()]
    subjects: Dict[str, dict] = {}
    for bundle in bundles:
        meta = bundle_meta(bundle)
        # A quantised bundle (nerexport.quantize records it) has no fp32 weights for the Python stack to run.
        quantized = "quantization" in meta.get("provenance", {})
        subjects[meta["name"]] = {"bundle": bundle, "meta": meta, "python": not quantized, "quantized": quantized}
    results["default_model"] = next(iter(subjects))
    variants = [v for v in args.variants.split(",") if v]
    made: Dict[str, Dict[str, Path]] = {}
    for name, sub in list(subjects.items()):
        if sub["meta"].get("architecture") == "bert-crf" and variants and not sub["quantized"]:
            shipped = subjects.get(f"{name}-int8")  # its int8 variant, embedded: measured as shipped
            made[name] = make_variants(sub["bundle"], work, [v for v in variants if not (v == "int8" and shipped)])
            if shipped:
                shipped["of"] = name
                made[name]["int8"] = shipped["bundle"]
            elif "int8" in made[name]:
                meta = bundle_meta(made[name]["int8"])
                subjects[meta["name"]] = {"bundle": made[name]["int8"], "meta": meta, "python": False,
                                          "quantized": True, "of": name}
    extra = [str(sub["bundle"]) for sub in subjects.values() if sub["bundle"] not in extract_bundles_paths(work)]
    if extra:
        api_env["NER_MODELS_DIRECTORIES"] = ",".join(extra)
    results["models"] = {
        name: {"description": f"{sub['meta']['name']} {sub['meta']['version']} ({sub['meta'].get('architecture')}), "
                              f"model.onnx sha256 {sub['meta'].get('modelSha256', '?')[:12]}"
                              + (f", int8 variant of `{sub['of']}`" if sub.get("of") else ""),
               "architecture": sub["meta"].get("architecture"), "bundle": str(sub["bundle"])}
        for name, sub in subjects.items()}
    articles = write_articles(work)
    results["cpu"] = {}

    def phase(name, run, key=None):
        wait_for_quiet(args.quiet_wait)
        meter = CpuMeter()
        out = run()
        if key:
            results[key] = out
        results["cpu"][name] = meter.stop()
        # Saved after every phase: a run stopped later (a starved phase on a loaded machine) keeps what it
        # measured, and --report-from can write its report.
        (work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                           encoding="utf-8")
        cpu = results["cpu"][name]
        log(f"{name}: this benchmark used {cpu['ours_share']:.0%} of the CPUs, other processes "
            f"{cpu['others_share']:.0%}")
        return out

    settings: Dict[str, dict] = {}
    if "ner-api" in only:
        phase("ner-api", lambda: run_ner_api(app, articles, work, api_env, list(subjects), seconds,
                                             not args.no_cache_run, warm_up_s), key="ner_api")
        settings = results["ner_api"]["settings"]
    if "limit" in only:
        def limits():
            for name, sub in subjects.items():
                results["models"][name]["limit"] = run_limit(app, sub["bundle"], articles, work,
                                                             settings.get(name, {}), min(seconds, 3), args.quick)
        phase("limit", limits)
        if made:
            def singles():
                results["single_sentence"] = {}
                for name, variants_of in made.items():
                    graphs = {"fp32": subjects[name]["bundle"], **variants_of}
                    results["single_sentence"][name] = {
                        variant: single_sentence_latency(app, bundle, work, 2 if args.quick else 6)
                        for variant, bundle in graphs.items()}
            phase("single-sentence", singles)
    if "python" in only:
        def pythons():
            for name, sub in subjects.items():
                if not sub["python"]:
                    continue
                # The same CPU threads per inference as ner-api's ONNX Runtime (1 if unknown).
                torch_threads = settings.get(name, {}).get("intra_op_threads") or 1
                results["models"][name]["python"] = run_python(sub["bundle"], articles, work, torch_threads,
                                                               seconds, warm_up_s)
            for name, sub in subjects.items():  # a variant is compared with the stack of the weights it came from
                if sub.get("of") and "python" in results["models"][sub["of"]]:
                    results["models"][name]["python"] = results["models"][sub["of"]]["python"]
        phase("python", pythons)
    if "ner_api" in results:
        for name, sub in results["models"].items():
            if "python" in sub and name in results["ner_api"]["models"]:
                sub["same_answers"] = same_answers(results["ner_api"]["models"][name]["answers"],
                                                   sub["python"]["answers"])
    results["machine"]["load_after"] = sh("cat /proc/loadavg")

    # The raw figures first: a report that fails can be written again from them (--report-from).
    (work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                       encoding="utf-8")
    text = report(results)
    (work / "report.md").write_text(text, encoding="utf-8")
    if not args.quick and only >= {"limit", "ner-api", "python"} and not os.environ.get("BENCH_NO_SAVE"):
        out_dir = BENCH / "results"
        out_dir.mkdir(exist_ok=True)
        stem = f"{started:%Y-%m-%d-%H%M}"
        (out_dir / f"{stem}.md").write_text(text, encoding="utf-8")
        (out_dir / f"{stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        log(f"report written to {out_dir / (stem + '.md')}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
