// What a first search downloads: opens the search page of a built site
// (served over HTTP), types a query, waits for the results, and prints the
// bytes fetched from the index's folder, split into the client (scripts,
// styles, wasm) and the index itself, with one line per file: as served
// and as gzip (-6) would send them (a host that compresses; pagefind's
// index files are gzip already and barely change).
//
//   node first-query.mjs <site> <index folder> <input selector> <result selector> <query>
//
// Used for the README's comparison with pagefind (measured on the same
// site before it was replaced).

import path from "node:path";
import zlib from "node:zlib";
import { launch, serveFolder } from "./lib.mjs";

const [site, folder, inputSel, resultSel, query] = process.argv.slice(2);
if (!query) {
  console.error("usage: node first-query.mjs <site> <index folder> <input selector> <result selector> <query>");
  process.exit(2);
}
const served = await serveFolder(path.resolve(site));
const browser = await launch();
const page = await browser.context.newPage();
const files = new Map();
page.on("response", async (r) => {
  const url = new URL(r.url());
  const at = url.pathname.indexOf("/" + folder + "/");
  if (at < 0) return;
  try {
    const body = await r.body();
    files.set(url.pathname.slice(at + folder.length + 2), [body.length, zlib.gzipSync(body).length]);
  } catch {
    // A redirect has no body.
  }
});
await page.goto(served.url + "search/index.html", { waitUntil: "load" });
await page.waitForSelector(inputSel);
await page.fill(inputSel, query);
await page.press(inputSel, "Enter").catch(() => {});
await page.waitForSelector(resultSel, { timeout: 60000 });
await page.waitForLoadState("networkidle");
const results = await page.$$eval(resultSel, (as) => as.length);
const sum = { client: [0, 0], index: [0, 0] };
for (const [name, [bytes, gzip]] of [...files].sort()) {
  const kind = /\.(js|css|wasm)$|^wasm\./.test(name) ? "client" : "index";
  sum[kind][0] += bytes;
  sum[kind][1] += gzip;
  console.log(`${kind.padEnd(6)} ${String(bytes).padStart(9)} ${String(gzip).padStart(9)} ${name}`);
}
console.log(
  `query ${JSON.stringify(query)}: ${results} results shown; client ${sum.client[0]} bytes ` +
    `(gzip ${sum.client[1]}), index ${sum.index[0]} bytes (gzip ${sum.index[1]}), ${files.size} files`,
);
await browser.close();
served.close?.();
process.exit(0);
