#!/usr/bin/env python3
"""Roll-up of roll-ups at scale: districts, cities over them, a province over those.

    python3 bench/levels.py [--cities 20] [--districts 10] [--agencies 100]
                            [--years 10] [--flat] [--work DIR] [--keep]

`gongkai generate` writes each district (AGENCIES x YEARS reports), which is
built (release, `build --no-sync`) under GNU time; then only its
data/summary.json is kept (the district's site is deleted, so the whole
province needs no more disk than one district at a time). Each city is built
from its districts' summaries, the province from the cities' summaries.
Printed per level: how many builds, their median and largest wall time and
peak RSS, and the total. With --flat, the same reports (every district's
agency folders renamed d<i>-<slug>, side by side in one content/) are also
built as one flat site, for comparison; only where it fits on the disk and
in memory (it keeps every district's content until then).

Needs: cargo, python3, GNU time.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GONGKAI = ROOT / "target" / "release" / "gongkai"


def timed(cmd):
    """Runs cmd under GNU time: (wall s, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r") as out:
        run = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *map(str, cmd)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if run.returncode != 0:
            sys.exit(f"levels: {' '.join(map(str, cmd))} failed:\n{run.stderr}")
        wall, rss = out.read().split()[-2:]
    return float(wall), int(rss) / 1024


def roll_up(dir, title, members):
    """A roll-up site over `members`: (key, name, summary path relative to dir)."""
    dir.mkdir(parents=True)
    lines = [f'title = "{title}"', f'base_url = "https://{dir.name}.example.gov.cn/"', ""]
    for key, name, summary in members:
        lines += ["[[members]]", f'key = "{key}"', f'name = "{name}"', f'summary = "{summary}"', ""]
    (dir / "site.toml").write_text("\n".join(lines), encoding="utf-8")


def report(level, runs):
    walls = [w for w, _ in runs]
    rss = [r for _, r in runs]
    print(
        f"{level:<9} {len(runs):>5} build(s)  median {statistics.median(walls):7.2f} s"
        f"  max {max(walls):7.2f} s  total {sum(walls):8.1f} s"
        f"  peak RSS median {statistics.median(rss):7.1f} MiB  max {max(rss):7.1f} MiB",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=20)
    parser.add_argument("--districts", type=int, default=10, help="per city")
    parser.add_argument("--agencies", type=int, default=100, help="per district")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--flat", action="store_true", help="also build the same reports as one flat site")
    parser.add_argument("--work", help="folder for the sites (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = Path(args.work or tempfile.mkdtemp(prefix="gongkai-levels-"))
    work.mkdir(parents=True, exist_ok=True)
    reports = args.cities * args.districts * args.agencies * args.years
    print(
        f"{args.cities} cities x {args.districts} districts x {args.agencies} agencies x "
        f"{args.years} years = {reports:,} reports; {os.cpu_count()} cores; work {work}",
        flush=True,
    )
    try:
        summaries = work / "summaries"
        summaries.mkdir()
        flat = work / "flat"
        district_runs, generate_walls = [], []
        n = 0
        for c in range(args.cities):
            for d in range(args.districts):
                n += 1
                site = work / f"d{n}"
                wall, _ = timed([GONGKAI, "generate", site, "--agencies", args.agencies,
                                 "--years", args.years, "--seed", n])
                generate_walls.append(wall)
                district_runs.append(timed([GONGKAI, "--root", site, "build", "--no-sync"]))
                shutil.copy(site / "public" / "data" / "summary.json", summaries / f"d{n}.json")
                if args.flat:
                    if n == 1:
                        shutil.copytree(site, flat, ignore=shutil.ignore_patterns("public", "content"))
                        (flat / "content").mkdir()
                    for agency in (site / "content").iterdir():
                        shutil.move(str(agency), flat / "content" / f"d{n}-{agency.name}")
                shutil.rmtree(site)
        print(f"generate  {n:>5} district(s), {sum(generate_walls):.1f} s in all (not a build)")
        report("district", district_runs)

        city_runs = []
        for c in range(args.cities):
            site = work / f"city{c + 1}"
            first = c * args.districts
            roll_up(site, f"示范市{c + 1}", [
                (f"d{first + d + 1}", f"示范区{first + d + 1}", f"../summaries/d{first + d + 1}.json")
                for d in range(args.districts)
            ])
            city_runs.append(timed([GONGKAI, "--root", site, "build", "--no-sync"]))
        report("city", city_runs)

        province = work / "province"
        roll_up(province, "示范省", [
            (f"city{c + 1}", f"示范市{c + 1}", f"../city{c + 1}/public/data/summary.json")
            for c in range(args.cities)
        ])
        report("province", [timed([GONGKAI, "--root", province, "build", "--no-sync"])])

        if args.flat:
            report("flat", [timed([GONGKAI, "--root", flat, "build", "--no-sync"])])
            # The flat site's sums are the province's: the same reports.
            a = (flat / "public" / "data" / "summary.json").read_text(encoding="utf-8")
            b = (province / "public" / "data" / "summary.json").read_text(encoding="utf-8")
            strip = lambda s: s.split('"years"', 1)[1]
            print("flat summary.json years equal the province's:", strip(a) == strip(b))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
