// jiefen: small progressive enhancements. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Mobile navigation toggle.
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("sidenav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Confirm dangerous actions.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  // Click a one-time secret to select it for copying.
  document.querySelectorAll("[data-copy]").forEach(function (el) {
    el.addEventListener("click", function () {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (navigator.clipboard) { navigator.clipboard.writeText(el.textContent).catch(function () {}); }
    });
  });
  // Live updates (server-sent events from any instance): the inbox badge,
  // a toast for a new inbox entry, a banner on the matter list for new
  // matters. Only a visible tab listens, so background tabs hold no
  // connection (browsers allow only six per server over HTTP/1.1).
  var feed = document.body.getAttribute("data-events");
  if (feed && window.EventSource) {
    var es = null, ended = false;
    var badge = document.querySelector("[data-unread]");
    var setUnread = function (n) {
      if (!badge || typeof n !== "number") { return; }
      badge.textContent = String(n);
      badge.hidden = n <= 0;
    };
    var toast = function (text) {
      var box = document.querySelector("[data-toasts]");
      var tpl = document.querySelector("[data-toast-template]");
      if (!box || !tpl || !text) { return; }
      var el = tpl.content.firstElementChild.cloneNode(true);
      el.querySelector(".toast-text").textContent = text;
      var remove = function () { if (el.parentNode) { el.parentNode.removeChild(el); } };
      el.querySelector(".toast-close").addEventListener("click", remove);
      box.appendChild(el);
      while (box.children.length > 3) { box.removeChild(box.firstElementChild); }
      setTimeout(remove, 10000);
    };
    var data = function (e) { try { return JSON.parse(e.data); } catch (x) { return {}; } };
    var open = function () {
      if (es || ended) { return; }
      es = new EventSource(feed);
      es.addEventListener("unread", function (e) { setUnread(data(e).unread); });
      es.addEventListener("notification", function (e) {
        var d = data(e);
        setUnread(d.unread);
        toast(d.text);
      });
      es.addEventListener("case.registered", function () {
        var banner = document.querySelector("[data-new-cases]");
        if (banner) { banner.hidden = false; }
      });
      es.addEventListener("end", function () { ended = true; close(); });
    };
    var close = function () { if (es) { es.close(); es = null; } };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { open(); } else { close(); }
    });
    if (document.visibilityState !== "hidden") { open(); }
  }
  // Prevent double submission of forms.
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () {
        f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
});
