// The web pages' only script (no library): forms marked data-dry-run are
// checked as the user types by sending them to their dry-run address,
// which decides the command without recording it. A refusal is shown
// next to the field at fault (linked with aria-describedby); a success
// shows the grant the command would give. Without the script the forms
// still work: the server checks them when they are sent.
(function () {
  "use strict";
  function check(form) {
    var url = form.getAttribute("data-dry-run");
    var body = new URLSearchParams(new FormData(form));
    var out = form.querySelector("[data-dry-run-result]");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (res) { show(form, out, res); })
      .catch(function () {});
  }
  function show(form, out, res) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      el.textContent = "";
      var f = form.elements[el.getAttribute("data-error-for")];
      if (f && f.setAttribute) { f.removeAttribute("aria-invalid"); }
    });
    if (res.ok) {
      if (out) {
        out.textContent = res.message || ""; out.className = "notice";
        if (res.lines && res.lines.length) {
          var ul = document.createElement("ul");
          res.lines.forEach(function (l) { var li = document.createElement("li"); li.textContent = l; ul.appendChild(li); });
          out.appendChild(ul);
        }
      }
      return;
    }
    var el = form.querySelector('[data-error-for="' + (res.input || "") + '"]') ||
      form.querySelector('[data-error-for=""]');
    if (el) {
      el.textContent = res.message;
      var f = form.elements[res.input];
      if (f && f.setAttribute) { f.setAttribute("aria-invalid", "true"); }
    }
    if (out) { out.textContent = ""; out.className = ""; }
  }
  document.querySelectorAll("form[data-dry-run]").forEach(function (form) {
    var timer;
    function later() { clearTimeout(timer); timer = setTimeout(function () { check(form); }, 300); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
  // Repeatable fieldsets (partners, work packages, ...): the page offers
  // a few empty rows without the script; with it, rows are added and
  // removed. Inputs are named by their path ("partners[2].name"), so a
  // new row renumbers its copy of the last row.
  function renumber(set) {
    var path = set.getAttribute("data-rows");
    var esc = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    var re = new RegExp("^(f-|e-)?" + esc + "\\[\\d+\\]");
    var rows = Array.prototype.filter.call(set.querySelectorAll("[data-row]"), function (r) {
      return r.parentNode === set;
    });
    rows.forEach(function (row, i) {
      var to = path + "[" + i + "]";
      row.querySelectorAll("[name],[id],[for],[aria-describedby],[data-error-for],[data-rows]").forEach(function (el) {
        ["name", "id", "for", "data-error-for", "data-rows"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v !== null) { el.setAttribute(a, v.replace(re, function (m, pre) { return (pre || "") + to; })); }
        });
        var d = el.getAttribute("aria-describedby");
        if (d !== null) {
          el.setAttribute("aria-describedby", d.split(" ").map(function (x) {
            return x.replace(re, function (m, pre) { return (pre || "") + to; });
          }).join(" "));
        }
      });
      row.querySelectorAll(":scope > legend, :scope > [data-remove-row] .visually-hidden").forEach(function (l) {
        l.textContent = l.textContent.replace(/\d+\s*$/, String(i + 1));
      });
    });
    return rows;
  }
  document.querySelectorAll("[data-add-row],[data-remove-row]").forEach(function (b) { b.hidden = false; });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-add-row],[data-remove-row]");
    var set = btn && btn.closest("fieldset[data-rows]");
    if (!set) { return; }
    var rows = renumber(set);
    if (btn.hasAttribute("data-remove-row")) {
      var row = btn.closest("[data-row]");
      if (rows.length > 1) { row.parentNode.removeChild(row); } else {
        row.querySelectorAll("input,select,textarea").forEach(function (f) {
          if (f.type === "checkbox") { f.checked = false; } else { f.value = ""; }
        });
      }
      renumber(set);
      var form = set.closest("form");
      if (form) { form.dispatchEvent(new Event("input")); }
      var next = set.querySelector("[data-add-row]");
      if (next) { next.focus(); }
    } else if (rows.length) {
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input,select,textarea").forEach(function (f) {
        if (f.type === "checkbox") { f.checked = false; } else { f.value = ""; }
        f.removeAttribute("aria-invalid");
      });
      copy.querySelectorAll(".error").forEach(function (e) { e.textContent = ""; });
      last.parentNode.insertBefore(copy, last.nextSibling);
      renumber(set);
      var first = copy.querySelector("input,select,textarea");
      if (first) { first.focus(); }
    }
  });
})();
