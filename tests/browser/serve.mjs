// A clerk's session with `gongkai serve`, in headless Chromium: a report page
// is open; the report's YAML is edited on disk and the page shows the new
// number by itself; a broken file brings up the overlay naming the line, and
// fixing it takes the overlay away; a stylesheet edit restyles the page
// without a reload; the search page finds a report through the index that
// serve makes when first asked for.
//
// usage: node serve.mjs <server url> <site folder>
// Prints one line per step and exits 1 at the first that fails.

import fs from "node:fs";
import path from "node:path";
import { launch, stepper, watch } from "./lib.mjs";

const [url, site] = process.argv.slice(2);
const yaml = path.join(site, "content/weibin/2024.yaml");
const TIMEOUT = 15000;

function save(file, text) {
  // As editors save: a temp file beside it, renamed over it.
  const tmp = file + ".tmp~";
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function edit(from, to) {
  const text = fs.readFileSync(yaml, "utf8");
  if (!text.includes(from)) throw new Error(`${yaml} has no ${from}`);
  save(yaml, text.replace(from, to));
}

const cell = (page) =>
  page.evaluate(() => document.querySelector('[data-key="active.licensing"]')?.textContent);

const browser = await launch();
const page = await browser.context.newPage();
const problems = watch(page);
const steps = stepper({ stopAtFirst: true });
const step = steps.step;

await step("the report page opens", async () => {
  await page.goto(url + "2024/weibin/");
  const v = await cell(page);
  if (v !== "1532") throw new Error(`licensing cell is ${v}`);
  // Mark this document: a reload would lose the mark.
  await page.evaluate(() => (window.__mark = 1));
});

await step("an edit shows without being asked to reload", async () => {
  // Give the event stream a moment to connect.
  await page.waitForFunction(() => window.__gongkai && window.__gongkai.generation >= 1);
  await new Promise((r) => setTimeout(r, 300));
  edit("licensing: 1532", "licensing: 1533");
  await page.waitForFunction(
    () => document.querySelector('[data-key="active.licensing"]')?.textContent === "1533",
    null,
    { timeout: TIMEOUT },
  );
});

await step("a broken file shows the overlay with file, line and rule", async () => {
  edit("licensing: 1533", "licensing: [1533");
  const overlay = await page.waitForSelector("#gongkai-overlay", { timeout: TIMEOUT });
  const text = await overlay.textContent();
  if (!text.includes("content/weibin/2024.yaml:12:13") || !text.includes("(yaml)"))
    throw new Error(`overlay says: ${text.slice(0, 300)}`);
  // The last good page is still there under it.
  if ((await cell(page)) !== "1533") throw new Error("the page under the overlay changed");
});

await step("fixing it takes the overlay away", async () => {
  edit("licensing: [1533", "licensing: 1533");
  await page.waitForSelector("#gongkai-overlay", { state: "detached", timeout: TIMEOUT });
});

await step("a wrong total names the cell", async () => {
  edit("granted:           [5, 1, 0, 0, 0, 0, 6]", "granted:           [5, 1, 0, 0, 0, 0, 7]");
  const overlay = await page.waitForSelector("#gongkai-overlay", { timeout: TIMEOUT });
  const text = await overlay.textContent();
  if (!text.includes("content/weibin/2024.yaml:20:41: 三（一）予以公开 · 总计 is 7"))
    throw new Error(`overlay says: ${text.slice(0, 300)}`);
  edit("granted:           [5, 1, 0, 0, 0, 0, 7]", "granted:           [5, 1, 0, 0, 0, 0, 6]");
  await page.waitForSelector("#gongkai-overlay", { state: "detached", timeout: TIMEOUT });
});

await step("a stylesheet edit restyles the page without a reload", async () => {
  await page.evaluate(() => (window.__mark = 2));
  const dir = path.join(site, "themes/default/static");
  fs.mkdirSync(dir, { recursive: true });
  save(path.join(dir, "style.css"), "body { background: rgb(1, 2, 3); }\n");
  await page.waitForFunction(
    () => getComputedStyle(document.body).backgroundColor === "rgb(1, 2, 3)",
    null,
    { timeout: TIMEOUT },
  );
  if ((await page.evaluate(() => window.__mark)) !== 2) throw new Error("the page reloaded");
});

// (gongkai built without the `search` feature has no search page.)
const searchable = (await fetch(url + "search/")).status === 200;
if (searchable) await step("the served site searches itself (the index made on request)", async () => {
  const search = await browser.context.newPage();
  const seen = watch(search);
  await search.goto(url + "search/?q=" + encodeURIComponent("依申请公开"));
  await search.waitForSelector('#search-results a[href$="2024/weibin/index.html"]', {
    timeout: TIMEOUT,
  });
  const real = seen.filter((p) => !p.includes("__gongkai/events"));
  await search.close();
  if (real.length) throw new Error(real.join("; "));
});

await step("no errors in the page", async () => {
  const real = problems.filter((p) => !p.includes("__gongkai/events"));
  if (real.length) throw new Error(real.join("; "));
});

await browser.close();
process.exit(steps.failed ? 1 : 0);
