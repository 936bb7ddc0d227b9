// The search query set in Chromium: a built site served over HTTP under a
// sub-path, its search page, and a list of queries each with the pages that
// must come first. Prints one line per query (`ok: …` or `FAILED: …`), then
// what the first query downloaded.
//
//   node search.mjs <built site folder> <cases.json>
//
// A case: {"q": "中同街", "first": ["agencies/zhongtongjie/index.html", …]
// (the first results, in any order), "only": true (no other result),
// "year": "2024" / "category": "街道办事处" (a filter chosen after the query:
// every result must have it), "mark": "中同街" (highlighted in the first
// result's excerpt or title), "none": true (no result at all)}.

import fs from "node:fs";
import path from "node:path";
import { launch, serveFolder, stepper, watch } from "./lib.mjs";

const root = path.resolve(process.argv[2] || "");
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const TIMEOUT = 20000;
// The strict policy another page may be served with: scripts from the
// site's own files only (no inline script, no eval). A violation is a
// console error, which fails the last step.
const served = await serveFolder(root, "/gongkai/demo/", { "Content-Security-Policy": "script-src 'self'" });
const base = served.url;
const browser = await launch();
const steps = stepper();
const step = steps.step;
const page = await browser.context.newPage();
const problems = watch(page);
const bytes = new Map();
page.on("response", async (r) => {
  if (!r.url().includes("/search-index/")) return;
  try {
    bytes.set(r.url(), (await r.body()).length);
  } catch {
    // No body (a redirect).
  }
});
await page.goto(base + "search/index.html", { waitUntil: "load" });
await page.waitForSelector("#search-input:visible");

/** The results shown now: link (relative to the site), facts, excerpt, marks. */
function results() {
  return page.$$eval("#search-results li", (lis) =>
    lis.map((li) => ({
      href: li.querySelector("h2 a").href,
      facts: li.querySelector(".search-facts").textContent,
      marks: [...li.querySelectorAll("mark")].map((m) => m.textContent),
    })),
  );
}

async function settled(q) {
  await page.waitForFunction(
    (q) => {
      const status = document.getElementById("search-status").textContent;
      const shown = document.querySelectorAll("#search-results li").length;
      const m = /(\d+) 个结果/.exec(status);
      const done = m ? shown === Math.min(10, +m[1]) : /^没有找到/.test(status);
      return new URL(location.href).searchParams.get("q") === q && done;
    },
    q,
    { timeout: TIMEOUT },
  );
}

let first = null;
for (const c of cases) {
  await step(`${c.q}${c.year ? " in " + c.year : ""}${c.category ? " in " + c.category : ""}`, async () => {
    await page.selectOption("#search-year", "");
    await page.selectOption("#search-category", "");
    await page.fill("#search-input", c.q);
    await page.press("#search-input", "Enter");
    await settled(c.q);
    if (first === null) {
      first = [...bytes.values()].reduce((a, b) => a + b, 0);
    }
    if (c.year || c.category) {
      const select = c.year ? "#search-year" : "#search-category";
      const label = c.year ? c.year + "年" : c.category;
      const value = await page.$eval(
        select,
        (s, label) => [...s.options].find((o) => o.textContent.startsWith(label + "（"))?.value,
        label,
      );
      if (!value) throw new Error(`no ${label} in the filter`);
      await page.selectOption(select, value);
      await settled(c.q);
    }
    const got = await results();
    const rel = got.map((r) => r.href.slice(base.length));
    if (c.none) {
      if (got.length) throw new Error(`expected nothing, got ${rel.join(", ")}`);
      return;
    }
    const want = c.first || [];
    const top = rel.slice(0, want.length).sort();
    if (JSON.stringify(top) !== JSON.stringify([...want].sort()))
      throw new Error(`first ${want.length}: ${rel.slice(0, want.length + 3).join(", ")}`);
    if (c.only && rel.length !== want.length) throw new Error(`more than those: ${rel.join(", ")}`);
    for (const r of got) {
      if (c.year && !r.facts.startsWith(c.year + "年度")) throw new Error(`${r.href}: ${r.facts}`);
      if (c.category && !r.facts.endsWith(c.category)) throw new Error(`${r.href}: ${r.facts}`);
    }
    if (c.mark && !got[0].marks.includes(c.mark))
      throw new Error(`first result marks ${JSON.stringify(got[0].marks)}`);
    // A result's link opens its page.
    if (c === cases[0]) {
      await page.click(`#search-results a[href$="${rel[0]}"]`);
      await page.waitForURL(base + rel[0], { timeout: TIMEOUT });
      await page.goBack();
      await page.waitForSelector("#search-input:visible");
    }
  });
}
await step("nothing failed to load and no error in the page", async () => {
  if (problems.length) throw new Error(problems.join("; "));
});
const client = [...bytes].filter(([u]) => u.endsWith(".js")).reduce((a, [, b]) => a + b, 0);
console.log(`first query downloaded ${first} bytes (client ${client} bytes)`);
await browser.close();
served.close?.();
process.exit(steps.failed ? 1 : 0);
