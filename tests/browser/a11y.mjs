// Accessibility, 适老化, print and search of the built demo site in headless
// Chromium, served over HTTP under a sub-path as any static host would:
// - axe-core finds no violation on any page type, at normal size and in
//   大字模式 (the search page with results showing);
// - the keyboard alone (Tab) reaches every link and control of every page
//   type at both sizes, the skip link first, and the focused element is
//   always outlined;
// - 大字模式 switches on, persists across pages, switches off; line spacing
//   is at least 1.5 everywhere; nothing pops up; without JavaScript it is an
//   alternate stylesheet and the search box is a link to the agencies;
// - a report printed on A4 has no navigation, repeats table headers, and
//   keeps the tables that fit on a page whole;
// - screenshots of each page type at desktop and phone width (and phone
//   width in 大字模式): nothing overflows the window except inside the
//   tables' scroll boxes;
// - searching 中同街 lists its report and a click lands on it; 依申请公开,
//   an agency name and a year find reports; the header's box leads there.
//
// usage: node a11y.mjs <built demo site folder> <screenshot folder>
// Prints one line per step and exits 1 if any fails.

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { launch, serveFolder, stepper, watch } from "./lib.mjs";

const root = path.resolve(process.argv[2] || "");
const shots = path.resolve(process.argv[3] || "screenshots");
// The folder `gongkai audit` wrote for the same site (optional): its pages
// are opened from disk, as a district office opens them.
const audit = process.argv[4] ? path.resolve(process.argv[4]) : null;
if (!fs.existsSync(path.join(root, "search/index.html"))) {
  console.error(`usage: node a11y.mjs <built site folder> <screenshots>: no search page in ${root}`);
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// One page of each type.
const PAGES = [
  ["home", "index.html"],
  ["year", "2024/index.html"],
  ["report", "2024/zhongtongjie/index.html"],
  ["agency", "agencies/zhongtongjie/index.html"],
  ["agencies", "agencies/index.html"],
  ["indicators", "about/indicators/index.html"],
  ["search", "search/index.html"],
  ["404", "404.html"],
];
const REPORT = "2024/zhongtongjie/index.html";
const TIMEOUT = 15000;

const served = await serveFolder(root);
const base = served.url;
const browser = await launch();
const problems = [];
const steps = stepper();
const step = steps.step;

/** A new page that records what it must never do: errors, pop-ups, dialogs. */
async function open(rel, context = browser.context) {
  const page = await context.newPage();
  const seen = watch(page);
  page.on("popup", (p) => problems.push(`${rel}: opened a pop-up ${p.url()}`));
  page.on("dialog", (d) => {
    problems.push(`${rel}: showed a ${d.type()} dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(base + rel, { waitUntil: "load" });
  if (rel.startsWith("search/")) await page.waitForSelector("#search-input");
  page.seen = seen;
  return page;
}

async function done(page, rel) {
  // The 404 page is fetched as itself here; anything else failing is a problem.
  for (const p of page.seen) problems.push(`${rel}: ${p}`);
  await page.close();
}

async function searchFor(page, words) {
  await page.fill("#search-input", words);
  await page.press("#search-input", "Enter");
  // The status says how many were found once the results and their
  // excerpts are in.
  await page.waitForFunction(
    (w) => {
      const status = document.getElementById("search-status").textContent;
      const items = document.querySelectorAll("#search-results li .search-excerpt").length;
      return new URL(location.href).searchParams.get("q") === w && /^找到 \d+ 个结果/.test(status) && items > 0;
    },
    words,
    { timeout: TIMEOUT },
  );
  return page.$$eval("#search-results li h2 a", (as) =>
    as.map((a) => ({ title: a.textContent.trim(), href: a.href })),
  );
}

async function axe(page) {
  // Evaluated by the browser's DevTools protocol, which the pages'
  // Content-Security-Policy does not govern (an inline <script> tag would
  // be refused, as it should be).
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
      },
    });
    return result.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")}`,
    );
  });
}

/** Every element with text of its own whose line spacing is under 1.5. */
function tightLines(page) {
  return page.evaluate(() => {
    const out = [];
    for (const e of document.body.querySelectorAll("*")) {
      if (e.closest("svg") || !e.getClientRects().length) continue;
      const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const s = getComputedStyle(e);
      const ratio = parseFloat(s.lineHeight) / parseFloat(s.fontSize);
      if (!(ratio >= 1.499)) out.push(`${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 20)}": ${s.lineHeight} / ${s.fontSize}`);
    }
    return out;
  });
}

/** Elements reaching outside the window, other than inside table scroll boxes. */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const e of document.body.querySelectorAll("*")) {
      const box = e.closest(".table-scroll");
      if ((box && box !== e) || (e.closest("svg") && e.tagName !== "svg")) continue;
      const r = e.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      // The skip link waits above the page until focused.
      if (e.classList.contains("skip")) continue;
      if (r.right > width + 1 || r.left < -1)
        out.push(`${e.tagName.toLowerCase()}.${e.className} (${Math.round(r.left)}…${Math.round(r.right)})`);
    }
    const sideways = document.scrollingElement.scrollWidth - width;
    if (sideways > 1) out.push(`the page scrolls sideways by ${sideways}px`);
    return out.slice(0, 5);
  });
}

// ---- axe, normal size ----

for (const [name, rel] of PAGES) {
  await step(`axe finds no violation on the ${name} page`, async () => {
    const page = await open(rel);
    if (name === "search") await searchFor(page, "依申请公开");
    const found = await axe(page);
    await done(page, rel);
    if (found.length) throw new Error(found.join("; "));
  });
}

// ---- the supervisor's review (gongkai audit), out of the public site ----

if (audit) {
  for (const rel of ["index.html", "2024/index.html"]) {
    await step(`axe finds no violation on the audit page ${rel}`, async () => {
      const page = await browser.context.newPage();
      await page.goto("file://" + path.join(audit, rel), { waitUntil: "load" });
      const found = await axe(page);
      const tight = await tightLines(page);
      await page.close();
      if (found.length) throw new Error(found.join("; "));
      if (tight.length) throw new Error(`line spacing under 1.5: ${tight.slice(0, 3).join("; ")}`);
    });
  }
}

// ---- keyboard ----

/** Tab alone reaches every link and control of each page type, the skip link first. */
async function keyboard(mode) {
  for (const [name, rel] of PAGES) {
    await step(`Tab alone reaches every link and control of the ${name} page${mode}, always outlined`, async () => {
      // Results asked for in the address, so that typing leaves no focus behind.
      const page = await open(name === "search" ? `${rel}?q=中同街` : rel);
      if (name === "search") await page.waitForSelector("#search-results li h2 a", { timeout: TIMEOUT });
      const targets = await page.evaluate(() => {
        const all = [
          ...document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]"),
        ].filter(
          (e) =>
            e.tabIndex >= 0 &&
            !e.disabled &&
            e.getClientRects().length &&
            getComputedStyle(e).visibility !== "hidden",
        );
        all.forEach((e, i) => e.setAttribute("data-kb", i));
        return all.map((e) => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || "").trim().slice(0, 20)}"`);
      });
      const reached = new Set();
      const unmarked = [];
      let first = null;
      for (let i = 0; i < targets.length + 3; i++) {
        await page.keyboard.press("Tab");
        const at = await page.evaluate(() => {
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const s = getComputedStyle(e);
          const r = e.getBoundingClientRect();
          return {
            kb: e.getAttribute("data-kb"),
            skip: e.classList.contains("skip"),
            outlined:
              (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none",
            inView: r.bottom > 0 && r.top < window.innerHeight,
            what: `${e.tagName.toLowerCase()} "${(e.textContent || "").trim().slice(0, 20)}"`,
          };
        });
        if (!at) continue;
        if (first === null) first = at;
        if (at.kb !== null) reached.add(Number(at.kb));
        if (!at.outlined || !at.inView) unmarked.push(at.what);
      }
      const missed = targets.filter((_, i) => !reached.has(i));
      await done(page, rel);
      if (!first?.skip) throw new Error(`the first Tab lands on ${first?.what}, not the skip link`);
      if (missed.length) throw new Error(`never reached: ${missed.slice(0, 5).join(", ")} (${missed.length})`);
      if (unmarked.length) throw new Error(`focus not visible on ${[...new Set(unmarked)].slice(0, 5).join(", ")}`);
    });
  }
}

await keyboard("");

await step("the skip link takes the keyboard past the header to the content", async () => {
  const page = await open(REPORT);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  const inMain = await page.evaluate(() => !!document.activeElement.closest("main"));
  await done(page, REPORT);
  if (!inMain) throw new Error("the next Tab after the skip link is not in <main>");
});

// ---- line spacing, normal size ----

await step("line spacing is at least 1.5 on every page type", async () => {
  const found = [];
  for (const [name, rel] of PAGES) {
    const page = await open(rel);
    if (name === "search") await searchFor(page, "依申请公开");
    found.push(...(await tightLines(page)).map((t) => `${rel}: ${t}`));
    await done(page, rel);
  }
  if (found.length) throw new Error(found.slice(0, 8).join("; "));
});

// ---- screenshots and overflow, normal size ----

async function screenshots(large) {
  const found = [];
  for (const [name, rel] of PAGES) {
    for (const width of large ? [375] : [1280, 375]) {
      const page = await open(rel);
      await page.setViewportSize({ width, height: 900 });
      if (name === "search") await searchFor(page, "依申请公开");
      found.push(...(await overflow(page)).map((o) => `${rel} at ${width}px: ${o}`));
      await page.screenshot({
        path: path.join(shots, `${name}-${width}${large ? "-large" : ""}.png`),
        fullPage: true,
      });
      await done(page, rel);
    }
  }
  if (found.length) throw new Error(found.slice(0, 8).join("; "));
}

await step("nothing overflows at 1280px and 375px but table scroll boxes (screenshots taken)", () =>
  screenshots(false),
);

// ---- search ----

await step("a search for 中同街 lists its report, and a click lands on it", async () => {
  const page = await open("search/index.html");
  const results = await searchFor(page, "中同街");
  const want = base + REPORT;
  const hit = results.find((r) => r.href === want);
  if (!hit) throw new Error(`results: ${JSON.stringify(results)}`);
  if (!hit.title.includes("中同街")) throw new Error(`result title ${hit.title}`);
  await page.click(`#search-results a[href$="2024/zhongtongjie/index.html"]`);
  await page.waitForURL(want, { timeout: TIMEOUT });
  const h1 = await page.textContent("h1");
  await done(page, "search/index.html");
  if (h1 !== "卫滨区中同街街道办事处2024年政府信息公开工作年度报告") throw new Error(`landed on ${h1}`);
});

await step("依申请公开, an agency's name and a year find reports", async () => {
  const page = await open("search/index.html");
  const prose = await searchFor(page, "依申请公开");
  const name = await searchFor(page, "洪泽区");
  const year = await searchFor(page, "2023");
  await done(page, "search/index.html");
  const reports = (rs) => rs.filter((r) => /\/\d{4}\/[^/]+\/index\.html$/.test(r.href)).length;
  if (reports(prose) < 5) throw new Error(`依申请公开: ${JSON.stringify(prose)}`);
  if (!name.some((r) => r.href === base + "2024/hongzequ/index.html"))
    throw new Error(`洪泽区: ${JSON.stringify(name)}`);
  if (!year.some((r) => r.href === base + "2023/pingtan/index.html"))
    throw new Error(`2023: ${JSON.stringify(year)}`);
});

await step("the search box of every page leads to the results", async () => {
  const page = await open("index.html");
  await page.fill("#site-search", "中同街");
  await page.press("#site-search", "Enter");
  await page.waitForURL(/search\/index\.html\?q=/, { timeout: TIMEOUT });
  await page.waitForSelector(`#search-results a[href$="2024/zhongtongjie/index.html"]`, {
    timeout: TIMEOUT,
  });
  await done(page, "index.html");
});

// ---- 大字模式 ----

await step("大字模式 switches on and persists across pages", async () => {
  const page = await open("index.html");
  const size = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  if ((await size()) !== "16px") throw new Error(`normal size is ${await size()}`);
  await page.click("#large-toggle");
  // The stylesheet loads after the click.
  await page.waitForFunction(() => getComputedStyle(document.documentElement).fontSize === "20px", null, {
    timeout: TIMEOUT,
  });
  await page.goto(base + REPORT);
  const state = await page.evaluate(() => ({
    size: getComputedStyle(document.documentElement).fontSize,
    pressed: document.getElementById("large-toggle").getAttribute("aria-pressed"),
    rel: document.getElementById("large-css").rel,
  }));
  await done(page, "index.html");
  if (state.size !== "20px" || state.pressed !== "true" || state.rel !== "stylesheet")
    throw new Error(`on the next page: ${JSON.stringify(state)}`);
});

for (const [name, rel] of PAGES) {
  await step(`axe finds no violation on the ${name} page in 大字模式`, async () => {
    const page = await open(rel);
    const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    if (size !== "20px") throw new Error(`大字模式 is off here (${size})`);
    if (name === "search") await searchFor(page, "依申请公开");
    const found = await axe(page);
    await done(page, rel);
    if (found.length) throw new Error(found.join("; "));
  });
}

await keyboard(" in 大字模式");

await step("line spacing is at least 1.5 in 大字模式", async () => {
  const found = [];
  for (const [, rel] of PAGES) {
    const page = await open(rel);
    found.push(...(await tightLines(page)).map((t) => `${rel}: ${t}`));
    await done(page, rel);
  }
  if (found.length) throw new Error(found.slice(0, 8).join("; "));
});

await step("nothing overflows a phone in 大字模式 (screenshots taken)", () => screenshots(true));

await step("大字模式 switches off again, and stays off", async () => {
  const page = await open(REPORT);
  await page.click("#large-toggle");
  await page.goto(base + "index.html");
  const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  await done(page, REPORT);
  if (size !== "16px") throw new Error(`after switching off: ${size}`);
});

// ---- without JavaScript ----

await step("without JavaScript: 大字模式 is an alternate stylesheet, search a link to the agencies", async () => {
  const plain = await launch({ javaScriptEnabled: false });
  try {
    const page = await open("index.html", plain.context);
    const facts = await page.evaluate(() => {
      const link = document.getElementById("large-css");
      const visible = (sel) => !!document.querySelector(sel)?.getClientRects().length;
      return {
        rel: link.rel,
        title: link.title,
        href: link.href,
        searchLink: visible(".search-link") && document.querySelector(".search-link").href,
        form: visible(".search-form"),
        toggle: visible("#large-toggle"),
      };
    });
    const css = await plain.context.request.get(facts.href);
    await page.goto(base + "search/index.html");
    const fallback = await page.evaluate(
      () => [...document.querySelectorAll("#search a")].filter((a) => a.getClientRects().length).map((a) => a.href),
    );
    await done(page, "index.html");
    if (facts.rel !== "alternate stylesheet" || facts.title !== "大字模式" || css.status() !== 200)
      throw new Error(`large-text stylesheet: ${JSON.stringify(facts)} (${css.status()})`);
    if (facts.searchLink !== base + "agencies/index.html" || facts.form || facts.toggle)
      throw new Error(`header: ${JSON.stringify(facts)}`);
    if (!fallback.includes(base + "agencies/index.html"))
      throw new Error(`the search page without JavaScript links to ${fallback.join(", ")}`);
  } finally {
    await plain.close();
  }
});

// ---- print ----

await step("a report prints on A4 with no navigation, headers repeated, small tables whole", async () => {
  const page = await open(REPORT);
  await page.emulateMedia({ media: "print" });
  const facts = await page.evaluate(() => ({
    shown: [...document.querySelectorAll("nav, .tools, .skip, aside.related")]
      .filter((e) => e.getClientRects().length && e.getBoundingClientRect().height > 0)
      .map((e) => e.tagName.toLowerCase() + "." + e.className),
    heads: [...document.querySelectorAll("table.official thead")].map((t) => getComputedStyle(t).display),
  }));
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  await done(page, REPORT);
  fs.writeFileSync(path.join(shots, "report.pdf"), pdf);
  if (facts.shown.length) throw new Error(`still shown in print: ${facts.shown.join(", ")}`);
  if (!facts.heads.length || facts.heads.some((d) => d !== "table-header-group"))
    throw new Error(`thead display: ${facts.heads.join(", ")}`);
  const text = execFileSync("pdftotext", ["-layout", path.join(shots, "report.pdf"), "-"], {
    encoding: "utf8",
  });
  const pages = text.split("\f").map((p) => p.replace(/\s+/g, ""));
  const samePage = (a, b) => pages.some((p) => p.includes(a) && p.includes(b));
  // 表一 and 表三 are short: each must print on one page.
  if (!samePage("表一主动公开政府信息情况", "行政事业性收费")) throw new Error("表一 is split across pages");
  if (!samePage("表三政府信息公开行政复议、行政诉讼情况", "复议后起诉")) throw new Error("表三 is split across pages");
  // 表二 is long: every page holding its rows repeats its header.
  for (const [i, p] of pages.entries())
    if (/（七）总计|结转下年度继续办理|（四）无法提供/.test(p) && !p.includes("申请人情况"))
      throw new Error(`page ${i + 1} has rows of 表二 without its header`);
});

await step("nothing popped up and nothing failed to load", async () => {
  if (problems.length) throw new Error(problems.slice(0, 8).join("; "));
});

await browser.close();
await served.close();
process.exit(steps.failed ? 1 : 0);
