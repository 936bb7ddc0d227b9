// Live reload for pages served by `gongkai serve` (never part of a build),
// loaded from the server as /__gongkai/livereload.js, so that the pages'
// Content-Security-Policy allows it; the overlay is styled through the DOM
// (element.style), which the policy allows, not by style attributes.
// Its tag carries the generation the page was served at and the events URL.
// The server sends a `status` event on connect and after every rebuild:
// {generation, css, errors}. A new generation reloads the page (or, when the
// one change since this page's was to stylesheets only, swaps them in place); errors show as an overlay that
// goes away by itself once the content is fixed.
(function () {
  "use strict";
  var tag = document.currentScript;
  var state = (window.__gongkai = {
    generation: Number(tag.getAttribute("data-generation")),
    events: tag.getAttribute("data-events"),
  });
  var box = null;

  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "gongkai-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);" +
        "color:#f5f5f5;padding:1.5rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      var title = document.createElement("p");
      title.style.cssText = "margin:0 0 1rem;font-weight:bold;color:#ff8a80";
      title.textContent = "内容有错误，页面显示的是上一次成功生成的版本。修正后自动刷新。";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap";
      box.appendChild(title);
      box.appendChild(pre);
    }
    box.lastChild.textContent = text;
    if (!box.parentNode) document.body.appendChild(box);
  }

  function hide() {
    if (box && box.parentNode) box.parentNode.removeChild(box);
  }

  function swapStyles(generation) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href").split("?")[0];
      links[i].setAttribute("href", href + "?v=" + generation);
    }
  }

  var events = new EventSource(state.events);
  events.addEventListener("status", function (e) {
    var s = JSON.parse(e.data);
    if (s.errors) {
      show(s.errors);
      return;
    }
    hide();
    if (s.generation !== state.generation) {
      if (s.css && s.generation === state.generation + 1) {
        state.generation = s.generation;
        swapStyles(s.generation);
      } else {
        location.reload();
      }
    }
  });
})();
