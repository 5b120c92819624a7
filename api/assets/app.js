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
})();
