// Shared by the browser checks: start Debian's Chromium the way this machine
// allows (no sandbox as root, no background networking on a closed network).

import { chromium } from "playwright-core";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export async function launch(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "gongkai-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--allow-file-access-from-files",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Named steps, each printed as `ok: name` or `FAILED: name: why`. With
 * `stopAtFirst`, the steps after a failure are skipped (they build on it).
 */
export function stepper({ stopAtFirst = false } = {}) {
  const state = { failed: false };
  state.step = async (name, fn) => {
    if (stopAtFirst && state.failed) return;
    try {
      await fn();
      console.log(`ok: ${name}`);
    } catch (e) {
      state.failed = true;
      console.log(`FAILED: ${name}: ${e.message}`);
    }
  };
  return state;
}

/** Collects what a page should never do: console errors, uncaught errors, failed loads. */
export function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    // A failed load is reported below with its URL.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) =>
    problems.push(`failed to load ${r.url()}: ${r.failure()?.errorText}`),
  );
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return problems;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
};

/**
 * Serves a built site as a plain static host would, under a sub-path
 * (`/some/where/`), so that any link that is not relative breaks. Resolves
 * to { url, close }.
 */
export function serveFolder(root, prefix = "/gongkai/demo/", headers = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let rel = decodeURIComponent(url.pathname);
    if (!rel.startsWith(prefix)) {
      res.writeHead(404).end("outside the site");
      return;
    }
    rel = rel.slice(prefix.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(root, rel);
    if (!file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { "Content-Type": TYPES[".html"] });
      res.end(fs.readFileSync(path.join(root, "404.html")));
      return;
    }
    const type = TYPES[path.extname(file)] || "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, ...headers });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}
