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
  // The matters' filter (a <details>): closed on phones, where the results
  // come first; opened on wider screens, as the form always was.
  if (window.matchMedia && window.matchMedia("(min-width: 761px)").matches) {
    document.querySelectorAll("[data-filter-box]").forEach(function (d) { d.open = true; });
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
          li.appendChild(reasons((r.why || []).map(function (w) {
            var f = live.getAttribute("data-l-why-" + w.kind) || w.kind;
            return f.replace("%s", w.detail || "");
          })));
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
  // Errors where the eye is: a refused action's form is open (data-failed)
  // and focus goes to its first error — the field it is about, else the
  // message itself; the alert's link to the form does the same. On other
  // pages, focus goes to the first invalid field.
  var focusError = function (box) {
    var err = box.querySelector(".form-alert, .field-error");
    if (!err) { return false; }
    var target = null;
    if (err.classList.contains("field-error") && err.id) {
      target = box.querySelector('[aria-describedby~="' + err.id + '"]');
      var prev = err.previousElementSibling;
      if (!target && prev && /^(INPUT|SELECT|TEXTAREA)$/.test(prev.tagName)) { target = prev; }
    }
    if (!target) {
      if (!err.hasAttribute("tabindex")) { err.setAttribute("tabindex", "-1"); }
      target = err;
    }
    target.focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
    return true;
  };
  var failed = document.querySelector("details[data-failed]");
  if (failed) {
    failed.open = true;
    focusError(failed);
    document.querySelectorAll('a[href="#' + failed.id + '"]').forEach(function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); failed.open = true; focusError(failed); });
    });
  } else if (document.querySelector("main .alert")) {
    var invalid = document.querySelector('main [aria-invalid="true"]');
    if (invalid && document.activeElement !== invalid) { invalid.focus(); }
  }
  // Canned phrases (常用语): a click inserts the phrase into the note at the
  // caret (at the end if the note was never touched).
  document.querySelectorAll("[data-phrases]").forEach(function (box) {
    var ta = document.getElementById(box.getAttribute("data-phrases"));
    if (!ta) { return; }
    box.hidden = false;
    var touched = false;
    ta.addEventListener("focus", function () { touched = true; });
    box.querySelectorAll("button.phrase").forEach(function (b) {
      b.addEventListener("click", function () {
        var text = b.textContent, v = ta.value;
        var at = touched ? ta.selectionEnd : v.length;
        var before = v.slice(0, at), after = v.slice(at);
        var sep = before && !/[\s\u3000-\u303f\uff00-\uffef]$/.test(before) && /^[\x00-\x7f]/.test(text) ? " " : "";
        if (ta.maxLength > 0 && (before + sep + text + after).length > ta.maxLength) { return; }
        ta.value = before + sep + text + after;
        var pos = (before + sep + text).length;
        ta.focus();
        ta.setSelectionRange(pos, pos);
        ta.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  });
  // Person pickers (交办, 转办, 协办, 牵头领导, 网格包联; the list's bulk
  // dispatch): a filter box over a long list of people. The assessment's
  // dispatch choice names its button 研判并交办 while someone is chosen.
  document.querySelectorAll("select[data-person-pick]").forEach(function (sel) {
    if (sel.options.length > 7) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "pick-filter";
      box.placeholder = sel.dataset.lFilter || "";
      box.setAttribute("aria-label", sel.dataset.lFilter || "");
      box.setAttribute("aria-controls", sel.id);
      sel.parentNode.insertBefore(box, sel);
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase(), first = null;
        Array.prototype.forEach.call(sel.options, function (o) {
          var show = !o.value || !q || o.textContent.toLowerCase().indexOf(q) >= 0 || o.value.indexOf(q) >= 0;
          o.hidden = !show;
          if (show && o.value && !first) { first = o; }
        });
        if (sel.selectedOptions[0] && sel.selectedOptions[0].hidden && first) { sel.value = first.value; }
      });
    }
  });
  var assessTo = document.getElementById("assess-dispatch");
  if (assessTo) {
    var assessBtn = assessTo.form && assessTo.form.querySelector("button[type=submit]");
    var plain = assessBtn ? assessBtn.textContent : "";
    var both = assessTo.dataset.lBoth || "";
    var name = function () { if (assessBtn && both) { assessBtn.textContent = assessTo.value ? both : plain; } };
    assessTo.addEventListener("change", name);
    name();
  }
  // Place pickers (发生地, the 区划 filters): the one <select> becomes
  // 乡镇 → 村（社区）→ 网格 and a search by name; the select stays, hidden,
  // carrying the chosen code. Grid cells left out of a large list are read
  // per village (GET /api/v1/orgs?parent=…).
  document.querySelectorAll("select[data-place-pick]").forEach(function (sel) {
    var nodes = {}, kids = {}, root = null, fetched = {};
    var any = sel.querySelector('option[value=""]');
    var add = function (code, parent, level, name) {
      if (nodes[code]) { return nodes[code]; }
      var n = { code: code, parent: parent, level: level, name: name };
      nodes[code] = n;
      if (nodes[parent]) { (kids[parent] = kids[parent] || []).push(n); } else if (!root) { root = n; }
      return n;
    };
    Array.prototype.forEach.call(sel.options, function (o) {
      if (o.value) { add(o.value, o.dataset.parent || "", o.dataset.level || "", o.textContent.replace(/^[\s\u3000]+/, "")); }
    });
    var lazy = sel.dataset.lazy === "1";
    if (!root || (!kids[root.code] && !lazy)) { return; }
    var ensureOption = function (n) {
      if (!sel.querySelector('option[value="' + n.code + '"]')) {
        var o = document.createElement("option");
        o.value = n.code; o.textContent = n.name; o.dataset.parent = n.parent; o.dataset.level = n.level;
        sel.appendChild(o);
      }
    };
    var wrap = document.createElement("div");
    wrap.className = "place-pick-ui";
    var row = document.createElement("div");
    row.className = "place-cascade";
    wrap.appendChild(row);
    sel.hidden = true;
    sel.parentNode.insertBefore(wrap, sel.nextSibling);
    var label = sel.id ? document.querySelector('label[for="' + sel.id + '"]') : null;
    var levelName = function (level) { return sel.getAttribute("data-l-" + level) || sel.dataset.lOther || ""; };
    var choose = function (code) {
      sel.value = code;
      render();
      sel.dispatchEvent(new Event("change", { bubbles: true }));
    };
    var render = function () {
      row.textContent = "";
      var chain = [];
      for (var c = nodes[sel.value]; c && c !== root; c = nodes[c.parent]) { chain.unshift(c); }
      var parent = root, depth = 0;
      while (parent) {
        var list = kids[parent.code];
        if (!list && lazy && parent.level === "village" && !fetched[parent.code]) {
          fetched[parent.code] = true;
          var p = parent;
          fetch("/api/v1/orgs?parent=" + encodeURIComponent(p.code), { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { items: [] }; })
            .then(function (b) { (b.items || []).forEach(function (x) { ensureOption(add(x.code, p.code, x.level, x.name)); }); if (kids[p.code]) { render(); } })
            .catch(function () {});
        }
        if (!list) { break; }
        var s = document.createElement("select");
        s.id = sel.id + "-" + depth;
        s.setAttribute("aria-label", levelName(list[0].level));
        var rest = document.createElement("option");
        rest.value = depth === 0 && any ? "" : parent.code;
        rest.textContent = depth === 0 && any ? any.textContent : sel.dataset.lRest || "—";
        s.appendChild(rest);
        list.forEach(function (n) { var o = document.createElement("option"); o.value = n.code; o.textContent = n.name; s.appendChild(o); });
        var picked = chain[depth];
        s.value = picked ? picked.code : rest.value;
        s.addEventListener("change", function (e) { choose(e.target.value); });
        if (sel.getAttribute("aria-invalid")) { s.setAttribute("aria-invalid", "true"); }
        row.appendChild(s);
        if (depth === 0 && label) { label.htmlFor = s.id; }
        if (!picked) { break; }
        parent = picked;
        depth++;
      }
    };
    // Search by name over the whole jurisdiction (grid cells too).
    var find = document.createElement("input");
    find.type = "search";
    find.className = "place-find";
    find.placeholder = sel.dataset.lSearch || "";
    find.setAttribute("aria-label", (label ? label.textContent.replace("*", "").trim() + " · " : "") + (sel.dataset.lSearch || ""));
    var hits = document.createElement("ul");
    hits.className = "place-hits";
    hits.setAttribute("aria-live", "polite");
    wrap.appendChild(find);
    wrap.appendChild(hits);
    var timer = null;
    var search = function () {
      var q = find.value.trim();
      hits.textContent = "";
      if (!q) { return; }
      fetch("/api/v1/places?q=" + encodeURIComponent(q) + "&limit=12", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (b) {
          if (find.value.trim() !== q) { return; }
          hits.textContent = "";
          var items = b.items || [];
          if (items.length === 0) { var li = document.createElement("li"); li.className = "muted"; li.textContent = sel.dataset.lNone || ""; hits.appendChild(li); }
          items.forEach(function (x) {
            var li = document.createElement("li");
            var b2 = document.createElement("button");
            b2.type = "button";
            b2.className = "btn btn-small place-hit";
            b2.textContent = x.name + (x.trail ? "（" + x.trail + "）" : "");
            b2.addEventListener("click", function () {
              if (!nodes[x.code]) { ensureOption(add(x.code, x.parent_code || "", x.level, x.name)); }
              hits.textContent = "";
              find.value = "";
              choose(x.code);
            });
            li.appendChild(b2);
            hits.appendChild(li);
          });
        }).catch(function () {});
    };
    find.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    find.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
    render();
  });
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
