// gongkai's search client: reads the static index that `gongkai build`
// writes beside it (search-index/) and shows ranked results with excerpts,
// the words found highlighted, and filters by year and category. A plain
// file with no eval and no inline script, so a strict
// `Content-Security-Policy: script-src 'self'` allows it. Every URL is
// relative to the page, so the site works under any path on any host.
//
// The terms of a query are made exactly as the index's (src/render/search/
// terms.rs): full-width ASCII folded, lower case, Han runs as overlapping
// pairs (one character alone as itself), ASCII letters and digits as words.
// Each term is in one shard (FNV-1a of its UTF-8 bytes modulo the number of
// shards), so a query downloads only its terms' shards.
(function () {
  "use strict";
  var PAGE = 10;
  var box = document.getElementById("search");
  var form = document.getElementById("search-form");
  if (!box || !form || !window.fetch || !window.TextEncoder) return;
  var input = document.getElementById("search-input");
  var yearSelect = document.getElementById("search-year");
  var categorySelect = document.getElementById("search-category");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var root = new URL(box.getAttribute("data-root"), window.location.href);
  var base = new URL(box.getAttribute("data-index"), window.location.href);
  var utf8 = new TextEncoder();

  var meta = null; // meta.json, and docs.bin as `docs`
  var shards = {}; // shard number → promise of its bytes
  var chunks = {}; // text chunk number → promise of its pages
  var found = []; // the results of the current query, best first
  var shown = 0;
  var marks = []; // the strings to highlight in excerpts
  var serial = 0; // the newest query (an older one's answer is dropped)
  var partial = false; // no page has every term: pages with the most

  function load(name, kind) {
    return window.fetch(new URL(name, base).href).then(function (r) {
      if (!r.ok) throw new Error(name + ": " + r.status);
      return kind === "json" ? r.json() : r.arrayBuffer();
    });
  }

  function start() {
    if (!meta) {
      meta = Promise.all([load("meta.json", "json"), load("docs.bin", "bytes")]).then(function (both) {
        var m = both[0];
        m.docs = new Uint8Array(both[1]);
        return m;
      });
    }
    return meta;
  }

  function isHan(code) {
    return (
      code === 0x3007 ||
      (code >= 0x3400 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0x20000 && code <= 0x3134f)
    );
  }

  // One character folded as the index folds it (full-width ASCII, case).
  function fold(ch) {
    var code = ch.codePointAt(0);
    if (code >= 0xff01 && code <= 0xff5e) ch = String.fromCharCode(code - 0xfee0);
    return ch.length === 1 && ch < "\u0080" ? ch.toLowerCase() : ch;
  }

  // The query's terms, and its runs of Han characters and words (what
  // excerpts highlight).
  function analyse(query) {
    var terms = [];
    var runs = [];
    var run = [];
    var word = "";
    function add(t) {
      if (terms.indexOf(t) < 0) terms.push(t);
    }
    // A run of more than six characters is covered by pairs that do not
    // overlap (卫滨|区中|同街|街道|办事|处: the last overlaps when the run is
    // odd): fewer shards to download, and so long a run rarely occurs but
    // as itself. Shorter runs keep every pair, so 信息处理费 does not find
    // 信息公开处理费.
    function endRun() {
      var n = run.length;
      if (n === 1) add(run[0]);
      var step = n > 6 ? 2 : 1;
      for (var i = 1; i < n; i += step) add(run[i - 1] + run[i]);
      if (step === 2 && n % 2) add(run[n - 2] + run[n - 1]);
      if (run.length) runs.push(run.join(""));
      run = [];
    }
    function endWord() {
      if (word) {
        add(word);
        runs.push(word);
      }
      word = "";
    }
    Array.from(query).forEach(function (c) {
      c = fold(c);
      if (isHan(c.codePointAt(0))) {
        endWord();
        run.push(c);
      } else {
        endRun();
        if (/^[a-z0-9]$/.test(c)) {
          if (word.length < 32) word += c;
        } else endWord();
      }
    });
    endRun();
    endWord();
    return { terms: terms, runs: runs };
  }

  function shardOf(term, count) {
    var h = 0x811c9dc5;
    var bytes = utf8.encode(term);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h & (count - 1);
  }

  // The postings of `term`: [page, score, page, score, …].
  function postings(term, m) {
    var n = shardOf(term, m.shards);
    if (!shards[n]) shards[n] = load("t/" + n + ".bin", "bytes").then(function (b) {
      return new Uint8Array(b);
    });
    var want = utf8.encode(term);
    return shards[n].then(function (bytes) {
      var at = 0;
      function varint() {
        var n = 0;
        var shift = 1;
        var b;
        do {
          b = bytes[at++];
          n += (b & 0x7f) * shift;
          shift *= 128;
        } while (b & 0x80);
        return n;
      }
      while (at < bytes.length) {
        var len = varint();
        var same = len === want.length;
        for (var i = 0; same && i < len; i++) same = bytes[at + i] === want[i];
        at += len;
        var count = varint();
        var size = varint();
        if (!same) {
          at += size;
          continue;
        }
        var out = new Array(count * 2);
        var doc = 0;
        for (var k = 0; k < count; k++) {
          doc += varint();
          out[2 * k] = doc;
          out[2 * k + 1] = bytes[at++];
        }
        return out;
      }
      return [];
    });
  }

  function search(query) {
    var mine = ++serial;
    var q = analyse(query);
    marks = q.runs;
    if (!q.terms.length) {
      found = [];
      partial = false;
      return Promise.resolve(show(mine, null));
    }
    status.textContent = "正在搜索……";
    return start()
      .then(function (m) {
        return Promise.all(q.terms.map(function (t) {
          return postings(t, m);
        })).then(function (lists) {
          return [m, lists];
        });
      })
      .then(function (both) {
        if (mine !== serial) return;
        var m = both[0];
        var lists = both[1];
        var score = new Map();
        var hits = new Map();
        lists.forEach(function (l) {
          for (var i = 0; i < l.length; i += 2) {
            score.set(l[i], (score.get(l[i]) || 0) + l[i + 1]);
            hits.set(l[i], (hits.get(l[i]) || 0) + 1);
          }
        });
        // Pages with every term of the query; failing those, the pages
        // with the most of them (said so).
        var best = 0;
        hits.forEach(function (h) {
          if (h > best) best = h;
        });
        found = [];
        hits.forEach(function (h, doc) {
          if (h === best) found.push(doc);
        });
        found.sort(function (a, b) {
          return score.get(b) - score.get(a) || a - b;
        });
        partial = best < q.terms.length && best > 0;
        show(mine, m);
      })
      .catch(function (e) {
        if (mine === serial) status.textContent = "搜索索引读取失败（" + e.message + "）。";
      });
  }

  function selected(m, doc) {
    var y = yearSelect.value;
    var c = categorySelect.value;
    return (!y || m.docs[2 * doc] === +y) && (!c || m.docs[2 * doc + 1] === +c);
  }

  // The filters, each value with its count among the results.
  function fill(select, names, m, offset) {
    var counts = {};
    found.forEach(function (doc) {
      var v = m.docs[2 * doc + offset];
      counts[v] = (counts[v] || 0) + 1;
    });
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    names.forEach(function (name, i) {
      var o = document.createElement("option");
      o.value = String(i + 1);
      o.textContent = name + "（" + (counts[i + 1] || 0) + "）";
      select.appendChild(o);
    });
    select.value = keep;
    if (select.value !== keep) select.value = "";
  }

  var visible = [];

  function show(mine, m) {
    if (mine !== serial) return;
    list.textContent = "";
    shown = 0;
    visible = m ? found.filter(function (d) {
      return selected(m, d);
    }) : [];
    if (m) {
      fill(yearSelect, m.years.map(function (y) {
        return y + "年";
      }), m, 0);
      fill(categorySelect, m.categories, m, 1);
    }
    if (!input.value.trim()) status.textContent = "";
    else if (!visible.length) status.textContent = "没有找到包含“" + input.value.trim() + "”的页面。";
    else
      status.textContent =
        (partial ? "没有同时包含所有词语的页面；以下 " : "找到 ") + visible.length + " 个结果" + (partial ? "包含其中部分词语。" : "。");
    return next(m);
  }

  function chunk(n) {
    if (!chunks[n]) chunks[n] = load("x/" + n + ".json", "json");
    return chunks[n];
  }

  // The next PAGE results, in order, each with its excerpt.
  function next(m) {
    if (!m) {
      more.hidden = true;
      return Promise.resolve();
    }
    var docs = visible.slice(shown, shown + PAGE);
    shown += docs.length;
    more.hidden = shown >= visible.length;
    var mine = serial;
    return Promise.all(docs.map(function (doc) {
      return chunk(Math.floor(doc / m.chunk)).then(function (pages) {
        return pages[doc % m.chunk];
      });
    })).then(function (pages) {
      if (mine !== serial) return;
      pages.forEach(function (p) {
        list.appendChild(item(p));
      });
    });
  }

  function item(p) {
    var li = document.createElement("li");
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = new URL(p.u, root).href;
    highlight(a, p.t);
    h.appendChild(a);
    li.appendChild(h);
    var facts = document.createElement("p");
    facts.className = "search-facts";
    facts.textContent = [p.y ? p.y + "年度" : "机构", p.c].filter(Boolean).join(" · ");
    li.appendChild(facts);
    var excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    highlight(excerpt, cut(p.x));
    li.appendChild(excerpt);
    return li;
  }

  function folded(s) {
    return Array.from(s).map(fold).join("");
  }

  // About 120 characters of `text` around the first place a query's word
  // is found (its start when none is).
  function cut(text) {
    var low = folded(text.replace(/\n/g, " "));
    var at = -1;
    marks.forEach(function (w) {
      var i = low.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var from = Math.max(0, at - 40);
    var s = text.replace(/\n/g, " ").slice(from, from + 120);
    return (from > 0 ? "……" : "") + s + (from + 120 < text.length ? "……" : "");
  }

  // Sets `el`'s text to `s` with the query's words in <mark>.
  function highlight(el, s) {
    var low = folded(s);
    var at = 0;
    while (at < s.length) {
      var best = -1;
      var len = 0;
      marks.forEach(function (w) {
        var i = low.indexOf(w, at);
        if (i >= 0 && (best < 0 || i < best || (i === best && w.length > len))) {
          best = i;
          len = w.length;
        }
      });
      if (best < 0) break;
      if (best > at) el.appendChild(document.createTextNode(s.slice(at, best)));
      var mark = document.createElement("mark");
      mark.textContent = s.slice(best, best + len);
      el.appendChild(mark);
      at = best + len;
    }
    if (at < s.length) el.appendChild(document.createTextNode(s.slice(at)));
  }

  function run() {
    var q = input.value.trim();
    var url = new URL(window.location.href);
    if (q) url.searchParams.set("q", q);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.href);
    return search(q);
  }

  form.hidden = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    run();
  });
  var timer = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 250);
  });
  [yearSelect, categorySelect].forEach(function (s) {
    s.addEventListener("change", function () {
      serial++;
      start().then(function (m) {
        show(serial, m);
      });
    });
  });
  more.addEventListener("click", function () {
    start().then(next);
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    search(q);
  }
})();
