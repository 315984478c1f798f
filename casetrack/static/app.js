// Small conveniences on top of pages that work without JavaScript.
(function () {
  "use strict";
  // Confirm before actions that cannot be undone.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // A form sent back with errors: put the focus on the first wrong field, so its message (aria-describedby) is read out.
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid) { invalid.focus(); }
  // Enter in a text field sends the form with its main button, not with the first one (再添加一人 comes first).
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.form || field.tagName !== "INPUT" || /^(submit|button|checkbox|radio|file)$/.test(field.type)) { return; }
    var main = field.form.querySelector("button.primary[type=submit]");
    if (main && field.form.querySelector("[formnovalidate]") && field.form.requestSubmit) {
      event.preventDefault();
      field.form.requestSubmit(main);
    }
  });
  // On the conclusion form, show only the fields the chosen outcome needs.
  var outcome = document.getElementById("outcome");
  if (outcome) {
    var groups = {
      succeeded: ["agreement_form", "agreement_facts", "agreement_terms", "performance_manner", "performance_deadline", "agreement_copies"],
      failed: ["channels_told", "legal_aid_referred"],
      ended: ["end_reason"]
    };
    var sync = function () {
      Object.keys(groups).forEach(function (key) {
        groups[key].forEach(function (id) {
          var input = document.getElementById(id);
          var box = input && input.closest(".field");
          if (box) { box.hidden = key !== outcome.value; }
        });
      });
    };
    outcome.addEventListener("change", sync);
    sync();
  }
  // 再添加一人: add the party row in place, numbered like the server would number it (no reload, no scroll).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[name=add_party]");
    if (!button) { return; }
    var list = button.closest("[data-party-list]");
    var rows = list ? list.querySelectorAll("[data-party-row]") : [];
    if (!rows.length || rows.length >= 20) { return; }  // the server says why past 20
    event.preventDefault();
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var name = list.getAttribute("data-party-list");
    var from = new RegExp("^" + name + "-\\d+-");
    var to = name + "-" + rows.length + "-";
    copy.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(from, to)); }
      });
      if (el.matches("input[type=checkbox]")) { el.checked = false; }
      else if (el.matches("input, textarea")) { el.value = ""; }
      else if (el.matches("select")) { el.selectedIndex = 0; }
      el.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var number = copy.querySelector(".party-no");
    if (number) { number.textContent = number.textContent.replace(/\d+\s*$/, String(rows.length + 1)); }
    last.after(copy);
    var first = copy.querySelector("input:not([type=hidden])");
    if (first) { first.focus(); }
  });
})();
