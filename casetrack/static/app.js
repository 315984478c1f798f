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
      succeeded: ["agreement_form", "agreement_facts", "agreement_terms", "performance_manner", "performance_deadline", "agreement_copies", "agreement_amount"],
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
  // On the intake form, show the 委托移送 fields only for a referred case (or while they carry an error).
  var source = document.getElementById("source");
  var referral = document.querySelector("fieldset[data-shown-for-source]");
  if (source && referral) {
    var showReferral = function () {
      referral.hidden = source.value !== referral.getAttribute("data-shown-for-source") && !referral.querySelector(".error");
    };
    source.addEventListener("change", showReferral);
    showReferral();
  }
})();
