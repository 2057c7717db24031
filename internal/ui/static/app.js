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
  // Command centre board: on each new matter (and once a minute) it reads
  // GET /api/v1/board and updates the counts and the newest matters in
  // place; the clock ticks.
  var boardURL = document.body.getAttribute("data-board");
  var refreshBoard = null;
  if (boardURL) {
    var clock = document.querySelector("[data-clock]");
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var d = new Date(Date.now() + (new Date().getTimezoneOffset() + 480) * 60000); // China time
      if (clock) { clock.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
    };
    tick();
    setInterval(tick, 1000);
    var setK = function (k, v) { var el = document.querySelector('[data-k="' + k + '"]'); if (el && typeof v === "number") { el.textContent = String(v); } };
    var busy = false, again = false;
    refreshBoard = function () {
      if (busy) { again = true; return; }
      busy = true;
      fetch(boardURL, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (b) {
        ["open", "overdue", "overdue_followup", "due_soon", "today_registered", "today_visits"].forEach(function (k) { setK(k, b[k]); });
        ["red", "yellow", "blue", "none"].forEach(function (k) { setK("risk-" + k, (b.by_risk || {})[k] || 0); });
        var list = document.querySelector("[data-latest]");
        var tpl = document.querySelector("[data-latest-row]");
        if (list && tpl && b.latest) {
          var known = {};
          list.querySelectorAll("li[data-number]").forEach(function (li) { known[li.getAttribute("data-number")] = true; });
          var frag = document.createDocumentFragment();
          b.latest.forEach(function (c) {
            var li = tpl.content.firstElementChild.cloneNode(true);
            li.setAttribute("data-number", c.number);
            if (!known[c.number]) { li.className = "new"; }
            var cells = li.children;
            cells[0].className = "risk risk-" + c.risk;
            cells[0].textContent = c.risk_name;
            cells[1].textContent = c.number;
            cells[2].textContent = c.category_name;
            cells[3].textContent = c.org_name;
            cells[4].textContent = c.registered;
            frag.appendChild(li);
          });
          list.replaceChildren(frag);
        }
      }).catch(function () {}).then(function () {
        busy = false;
        if (again) { again = false; refreshBoard(); }
      });
    };
    setInterval(refreshBoard, 60000);
  }
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
        if (refreshBoard) { refreshBoard(); }
      });
      var status = document.querySelector("[data-board-status]");
      if (status) {
        es.addEventListener("open", function () { status.classList.remove("off"); });
        es.addEventListener("error", function () { status.classList.add("off"); });
      }
      es.addEventListener("end", function () { ended = true; close(); });
    };
    var close = function () { if (es) { es.close(); es = null; } };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { open(); } else { close(); }
    });
    if (document.visibilityState !== "hidden") { open(); }
  }
  // Registration: suggestions and possibly related matters while typing
  // (POST /api/v1/cases/suggest; nothing is saved).
  var live = document.getElementById("live-suggest");
  if (live) {
    var form = live.closest("form");
    var timer = null;
    var val = function (id) { var e = document.getElementById(id); return e ? e.value.trim() : ""; };
    var el = function (tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text) { e.textContent = text; } return e; };
    var render = function (s) {
      live.textContent = "";
      live.appendChild(el("h3", "", live.dataset.lTitle));
      var p = el("p", "suggest-head");
      p.appendChild(el("span", "", live.dataset.lCategory));
      p.appendChild(document.createTextNode(" "));
      p.appendChild(el("strong", "", s.category.name));
      var sel = document.getElementById("category");
      if (sel && sel.value !== s.category.code) {
        var use = el("button", "btn btn-small", live.dataset.lUse);
        use.type = "button";
        use.addEventListener("click", function () { sel.value = s.category.code; use.remove(); });
        p.appendChild(document.createTextNode(" "));
        p.appendChild(use);
      }
      live.appendChild(p);
      var reasons = function (list) {
        var ul = el("ul", "reasons");
        list.forEach(function (r) { ul.appendChild(el("li", "", r.text || r)); });
        return ul;
      };
      live.appendChild(reasons(s.category.reasons));
      var rp = el("p", "suggest-head");
      rp.appendChild(el("span", "", live.dataset.lRisk));
      rp.appendChild(document.createTextNode(" "));
      rp.appendChild(el("strong", "risk risk-" + s.risk.color, live.getAttribute("data-l-risk-" + s.risk.color)));
      live.appendChild(rp);
      live.appendChild(reasons(s.risk.reasons));
      var rh = el("p", "suggest-head");
      rh.appendChild(el("span", "", live.dataset.lRelated));
      live.appendChild(rh);
      if (!s.related || s.related.length === 0) {
        live.appendChild(el("p", "muted small", live.dataset.lNone));
      } else {
        var ul = el("ul", "related-list");
        s.related.forEach(function (r) {
          var li = el("li");
          var a = el("a", "", r.number);
          a.href = "/cases/" + r.id;
          a.target = "_blank";
          li.appendChild(a);
          li.appendChild(el("span", "muted small", " " + r.description));
          li.appendChild(reasons(r.reasons));
          ul.appendChild(li);
        });
        live.appendChild(ul);
      }
      live.hidden = false;
    };
    var ask = function () {
      if (val("description").length < 4) { return; }
      var body = { channel: val("channel"), description: val("description"), org_code: val("org_code"), address: val("address"),
        people_count: parseInt(val("people_count"), 10) || 0, amount: parseFloat(val("amount")) || 0, parties: [] };
      for (var i = 0; i < 3; i++) {
        var n = "p" + i + "_";
        if (val(n + "name") || val(n + "id") || val(n + "phone")) {
          body.parties.push({ name: val(n + "name"), id_number: val(n + "id"), phone: val(n + "phone") });
        }
      }
      var csrf = form ? form.querySelector("input[name=csrf]") : null;
      fetch(live.dataset.url, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" }, body: JSON.stringify(body) })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s && s.category) { render(s); } })
        .catch(function () {});
    };
    if (form) {
      form.addEventListener("change", function (e) {
        if (e.target && e.target.id === "category") { return; }
        clearTimeout(timer);
        timer = setTimeout(ask, 300);
      });
    }
    ask();
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // Prevent double submission of forms.
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () {
        f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
});
