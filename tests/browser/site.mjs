// Opens every page of a built site from disk (file://, as a clerk would open
// a copy) in headless Chromium and checks what a reader would notice:
// nothing fails to load, every link and download resolves, tables and charts
// are drawn, a phone-width window never scrolls sideways (wide tables scroll
// inside their own box), and a report prints on A4 without navigation.
//
// usage: node site.mjs <built site folder> [screenshot folder]
// Prints one line per problem and exits 1 if there is any.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { launch, watch } from "./lib.mjs";

const root = path.resolve(process.argv[2] || "");
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
if (!process.argv[2] || !fs.existsSync(path.join(root, "index.html"))) {
  console.error(`usage: node site.mjs <built site folder>: no index.html in ${root}`);
  process.exit(2);
}

function htmlFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

const problems = [];
const fail = (page, msg) => problems.push(`${path.relative(root, page)}: ${msg}`);
const browser = await launch();
const pages = htmlFiles(root);
let tables = 0;
let charts = 0;

for (const file of pages) {
  for (const width of [1280, 375]) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const seen = watch(page);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const facts = await page.evaluate(() => {
      const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
      const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
      const box = (e) => e.getBoundingClientRect();
      return {
        lang: document.documentElement.lang,
        title: document.title,
        h1: document.querySelectorAll("h1").length,
        dup,
        overflow: document.scrollingElement.scrollWidth - window.innerWidth,
        links: [...document.querySelectorAll("a[href], link[href], img[src], script[src]")].map(
          (e) => e.href || e.src,
        ),
        tables: [...document.querySelectorAll("table")].map((t) => ({
          caption: t.caption?.textContent.trim() || "",
          w: box(t).width,
          h: box(t).height,
          cells: t.querySelectorAll("td").length,
          scrolls: !!t.closest(".table-scroll"),
        })),
        charts: [...document.querySelectorAll("svg.chart")].map((s) => ({
          w: box(s).width,
          h: box(s).height,
          title: s.querySelector("title")?.textContent || "",
          bars: s.querySelectorAll("rect").length,
        })),
        stylesheet: getComputedStyle(document.body).fontFamily,
      };
    });
    if (facts.lang !== "zh-CN") fail(file, `lang is ${facts.lang}`);
    if (!facts.title) fail(file, "no <title>");
    if (facts.h1 !== 1) fail(file, `${facts.h1} <h1> elements`);
    if (facts.dup.length) fail(file, `duplicate ids: ${[...new Set(facts.dup)].join(", ")}`);
    if (facts.overflow > 1) fail(file, `at ${width}px the page scrolls sideways by ${facts.overflow}px`);
    if (facts.stylesheet.includes("Times")) fail(file, "the stylesheet did not load");
    for (const t of facts.tables) {
      if (t.w < 100 || t.h < 20) fail(file, `table "${t.caption}" drawn ${t.w}×${t.h}`);
      if (!t.scrolls) fail(file, `table "${t.caption}" is not inside a .table-scroll box`);
    }
    for (const c of facts.charts) {
      if (c.w < 100 || c.h < 50) fail(file, `chart "${c.title}" drawn ${c.w}×${c.h}`);
      if (!c.title) fail(file, "chart without a <title>");
      if (c.bars === 0) fail(file, `chart "${c.title}" has no bars`);
    }
    for (const href of facts.links) {
      const url = new URL(href);
      if (url.protocol !== "file:") {
        // Only the footer's MIIT registry link may leave the site.
        if (url.href !== "https://beian.miit.gov.cn/") fail(file, `external link ${href}`);
        continue;
      }
      const target = fileURLToPath(url);
      if (!target.startsWith(root)) fail(file, `link leaves the site: ${href}`);
      else if (!fs.existsSync(target) || fs.statSync(target).isDirectory())
        fail(file, `broken link ${path.relative(root, target)}`);
    }
    for (const p of seen) fail(file, p);
    if (width === 1280) {
      tables += facts.tables.length;
      charts += facts.charts.length;
    }
    if (shots && width === 1280 && /(^|\/)(index|404)\.html$/.test(file)) {
      const name = path.relative(root, file).replaceAll("/", "_").replace(".html", ".png");
      await page.screenshot({ path: path.join(shots, name), fullPage: true });
    }
    await page.close();
  }
}

// A report on paper: A4, no navigation, tables whole.
const report = pages.find((p) => /\/\d{4}\/[^/]+\/index\.html$/.test(p));
if (!report) problems.push("no report page found");
else {
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(report).href);
  await page.emulateMedia({ media: "print" });
  const print = await page.evaluate(() => ({
    nav: [...document.querySelectorAll("nav")].filter((n) => n.getBoundingClientRect().height > 0)
      .length,
    body: getComputedStyle(document.body).color,
    tables: [...document.querySelectorAll("table.official")].length,
  }));
  if (print.nav) fail(report, `${print.nav} navigation blocks still visible in print`);
  if (print.body !== "rgb(0, 0, 0)") fail(report, `print text colour ${print.body}`);
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  const pageCount = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pageCount < 2 || pageCount > 12) fail(report, `prints on ${pageCount} A4 pages`);
  if (shots) fs.writeFileSync(path.join(shots, "report.pdf"), pdf);
  await page.close();
}

await browser.close();
for (const p of problems) console.log(p);
console.log(
  `${pages.length} pages, ${tables} tables, ${charts} charts checked at 1280px and 375px; ${problems.length} problems`,
);
process.exit(problems.length ? 1 : 0);
