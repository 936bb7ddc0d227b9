// The Content-Security-Policy of the built site in headless Chromium, served
// over HTTP under a sub-path as a static host would (no policy header: the
// pages' own <meta> is all the browser has):
// - every page type of the demo carries the policy, and the browser reports
//   no violation on any, while search (search-index/search.js), 大字模式,
//   the charts and print work;
// - a site whose theme override slipped in an inline script, an event
//   handler, a style attribute and a script from another site: the browser
//   refuses each one, and reports each.
//
// usage: node csp.mjs <built demo folder> <built folder of the injected site>
// Prints one line per step and exits 1 if any fails.

import fs from "node:fs";
import path from "node:path";
import { launch, serveFolder, stepper, watch } from "./lib.mjs";

const demo = path.resolve(process.argv[2] || "");
const injected = path.resolve(process.argv[3] || "");
for (const dir of [demo, injected]) {
  if (!fs.existsSync(path.join(dir, "index.html"))) {
    console.error(`usage: node csp.mjs <demo site> <injected site>: no index.html in ${dir}`);
    process.exit(2);
  }
}

const STRICT =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'";
const PAGES = [
  ["home", "index.html"],
  ["year", "2024/index.html"],
  ["report", "2024/zhongtongjie/index.html"],
  ["agency", "agencies/zhongtongjie/index.html"],
  ["agencies", "agencies/index.html"],
  ["search", "search/index.html?q=中同街"],
  ["404", "404.html"],
];
const TIMEOUT = 15000;

const browser = await launch();
const steps = stepper();
const step = steps.step;

/**
 * Opens `url` in a new page that records every violation the browser
 * reports (an init script, which runs before the page's own and which the
 * policy does not govern), and every console error or failed load.
 */
async function open(url) {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.effectiveDirective} refused ${e.blockedURI || "(inline)"}`);
    });
  });
  const problems = watch(page);
  await page.goto(url, { waitUntil: "load" });
  return { page, problems };
}

const violations = (page) => page.evaluate(() => window.__violations);
const policy = (page) =>
  page.evaluate(() => {
    const metas = document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]');
    return [...metas].map((m) => m.content);
  });

function expectNone(what, list) {
  if (list.length) throw new Error(`${what}: ${list.join("; ")}`);
}

// ---- the demo: every page type ----
const site = await serveFolder(demo);
for (const [name, rel] of PAGES) {
  await step(`the ${name} page carries the policy and the browser reports no violation`, async () => {
    const { page, problems } = await open(site.url + rel);
    const found = await policy(page);
    // The search page too: its client is a file of the site.
    const want = STRICT;
    if (found.length !== 1 || found[0] !== want) throw new Error(`policy: ${JSON.stringify(found)}`);
    if (name === "search") {
      // The client reads the index's files from the site.
      await page.waitForSelector("#search-results li a", { timeout: TIMEOUT });
    }
    await page.waitForTimeout(200);
    expectNone("violations", await violations(page));
    expectNone("problems", problems);
    await page.close();
  });
}

await step("search finds 中同街's report under the policy", async () => {
  const { page, problems } = await open(site.url + "search/index.html?q=中同街");
  await page.waitForSelector("#search-results li a", { timeout: TIMEOUT });
  const links = await page.$$eval("#search-results li a", (as) => as.map((a) => a.href));
  if (!links.some((h) => h.endsWith("2024/zhongtongjie/index.html") || h.endsWith("2024/zhongtongjie/")))
    throw new Error(`results: ${links.join(", ")}`);
  expectNone("violations", await violations(page));
  expectNone("problems", problems);
  await page.close();
});

await step("大字模式 switches on under the policy", async () => {
  const { page, problems } = await open(site.url + "2024/zhongtongjie/index.html");
  await page.click("#large-toggle");
  const on = await page.evaluate(() => ({
    cls: document.documentElement.classList.contains("large-text"),
    pressed: document.getElementById("large-toggle").getAttribute("aria-pressed"),
    sheet: !document.getElementById("large-css").disabled,
    size: parseFloat(getComputedStyle(document.body).fontSize),
  }));
  if (!on.cls || on.pressed !== "true" || !on.sheet) throw new Error(JSON.stringify(on));
  await page.click("#large-toggle");
  expectNone("violations", await violations(page));
  expectNone("problems", problems);
  await page.close();
});

await step("the charts are drawn, textures and all, under the policy", async () => {
  for (const rel of ["index.html", "agencies/zhongtongjie/index.html"]) {
    const { page, problems } = await open(site.url + rel);
    const bars = await page.$$eval("svg.chart rect[fill^='url(#bar-fill-']", (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return { w: box.width, fill: getComputedStyle(r).fill };
      }),
    );
    if (bars.length < 3 || !bars.every((b) => b.w > 0 && b.fill.includes("url(")))
      throw new Error(`${rel}: ${JSON.stringify(bars.slice(0, 4))}`);
    expectNone("violations", await violations(page));
    expectNone("problems", problems);
    await page.close();
  }
});

await step("a report prints under the policy, without navigation", async () => {
  const { page, problems } = await open(site.url + "2024/zhongtongjie/index.html");
  await page.emulateMedia({ media: "print" });
  // print.css (a stylesheet of the site's own, as the policy allows) applies.
  const shown = await page.evaluate(() =>
    [".site-header nav", ".site-header .tools", ".crumbs"].filter(
      (s) => getComputedStyle(document.querySelector(s)).display !== "none",
    ),
  );
  if (shown.length) throw new Error(`printed: ${shown.join(", ")}`);
  const pdf = await page.pdf({ format: "A4" });
  if (pdf.length < 10000) throw new Error(`a PDF of ${pdf.length} bytes`);
  expectNone("violations", await violations(page));
  expectNone("problems", problems);
  await page.close();
});
await site.close();

// ---- the injected site ----
const bad = await serveFolder(injected);
await step("injected script, handler, style and foreign script are refused and reported", async () => {
  const { page, problems } = await open(bad.url + "2024/zhongtongjie/index.html");
  await page.waitForTimeout(300);
  const ran = await page.evaluate(() => ({
    inline: window.__inline === undefined ? null : window.__inline,
    handler: window.__handler === undefined ? null : window.__handler,
    foreign: window.__foreign === undefined ? null : window.__foreign,
    color: getComputedStyle(document.getElementById("styled")).color,
  }));
  if (ran.inline !== null || ran.handler !== null || ran.foreign !== null)
    throw new Error(`script ran: ${JSON.stringify(ran)}`);
  if (ran.color === "rgb(255, 0, 0)") throw new Error("the style attribute applied");
  const seen = await violations(page);
  for (const want of [
    "script-src-elem refused inline",
    "script-src-attr refused inline",
    "style-src-attr refused inline",
    "script-src-elem refused http://127.0.0.2:9/evil.js",
  ]) {
    if (!seen.includes(want)) throw new Error(`not reported: ${want}; reported: ${seen.join("; ")}`);
  }
  // The site's own script still runs.
  const own = await page.evaluate(() => !document.getElementById("large-toggle").hidden);
  if (!own) throw new Error("site.js did not run");
  // Chromium also says so on the console, and fails the foreign script's
  // load as blocked by the policy (it never reached the network); nothing
  // else went wrong.
  const other = problems.filter(
    (p) => !p.includes("Content Security Policy") && p !== "failed to load http://127.0.0.2:9/evil.js: csp",
  );
  expectNone("problems", other);
  await page.close();
});
await bad.close();

await browser.close();
process.exit(steps.failed ? 1 : 0);
