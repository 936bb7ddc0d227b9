// gongkai default theme: the 大字模式 switch and the search box (the
// search page's own client is search-index/search.js, written with the index). Nothing
// depends on this file: without JavaScript, 大字模式 is an alternate
// stylesheet (a browser's page-style menu offers it), the search box is a
// link to the list of agencies, and the search page says so.
(function () {
  "use strict";
  var KEY = "gongkai-large-text";
  var on = false;
  try {
    on = window.localStorage.getItem(KEY) === "1";
  } catch (e) {
    // Storage refused (privacy settings): the switch works for this page.
  }

  // Runs in <head>, before the page is drawn, so a large-text reader never
  // sees the page at normal size first.
  function apply() {
    var link = document.getElementById("large-css");
    if (link) {
      link.rel = on ? "stylesheet" : "alternate stylesheet";
      link.disabled = !on;
    }
    document.documentElement.classList.toggle("large-text", on);
    var button = document.getElementById("large-toggle");
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准字号" : "大字模式";
    }
  }
  apply();

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("large-toggle");
    if (button) {
      button.hidden = false;
      apply();
      button.addEventListener("click", function () {
        on = !on;
        try {
          window.localStorage.setItem(KEY, on ? "1" : "0");
        } catch (e) {
          // As above.
        }
        apply();
      });
    }

    var form = document.querySelector(".search-form");
    if (form) {
      form.hidden = false;
      var link = document.querySelector(".search-link");
      if (link) link.hidden = true;
    }
  });
})();
