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
  // On the conclusion form, show only the fields the chosen outcome takes (data-outcome-fields: the domain's
  // OUTCOME_FIELDS); the others are disabled too, so what was typed for another outcome is not sent.
  var outcome = document.querySelector("select[data-outcome-fields]");
  if (outcome) {
    var groups = JSON.parse(outcome.getAttribute("data-outcome-fields"));
    var sync = function () {
      var shown = groups[outcome.value] || [];
      Object.keys(groups).forEach(function (key) {
        groups[key].forEach(function (id) {
          var input = document.getElementById(id);
          var box = input && input.closest(".field");
          if (box) {
            var other = shown.indexOf(id) < 0;
            box.hidden = other;
            box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = other; });
          }
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
  // Nothing typed is lost: every form of a page keeps a draft in this browser (per user and form) until it is
  // saved; a post after the session ended signs in on the page and then posts; without a signal it says so.
  var body = document.body;
  var user = body.getAttribute("data-user");
  var text = function (name) { return body.getAttribute("data-t-" + name) || ""; };
  var store = null;
  try { store = window.localStorage; store.getItem("x"); } catch (e) { store = null; }
  var kept = function (form) { return !form.hasAttribute("data-no-draft") && form.querySelector("[name=csrf_token]"); };
  var forms = user && store ? Array.prototype.filter.call(document.querySelectorAll("main form.form[method=post]"), kept) : [];
  var keyOf = function (form, index) { return "casetrack-draft:" + user + ":" + location.pathname + ":" + index; };
  var saved = function (form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "password" || el.type === "submit" || el.type === "button" || el.type === "file") { return; }
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) { (values[el.name] = values[el.name] || []).push(el.value); } return; }
      if (el.multiple) { values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); return; }
      values[el.name] = [el.value];
    });
    return values;
  };
  var restore = function (form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || el.type === "hidden" || el.type === "submit") { return; }
      var wanted = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = wanted.indexOf(el.value) >= 0; }
      else if (el.multiple) { Array.prototype.forEach.call(el.options, function (o) { o.selected = wanted.indexOf(o.value) >= 0; }); }
      else { el.value = wanted[0]; }
    });
  };
  var notice = function (form, message, role) {
    var box = form.querySelector(".draft-notice") || document.createElement("div");
    box.className = "form-errors draft-notice";
    box.setAttribute("role", role || "status");
    box.setAttribute("aria-live", "polite");
    box.textContent = message;
    if (!box.parentNode) { form.insertBefore(box, form.firstChild); }
    return box;
  };
  var submitted = sessionStorage.getItem("casetrack-submitted");
  if (submitted && document.querySelector(".flash-success") && store) { store.removeItem(submitted); }
  sessionStorage.removeItem("casetrack-submitted");
  forms.forEach(function (form, index) {
    var key = keyOf(form, index);
    var draft = store.getItem(key);
    if (draft && !form.querySelector(".form-errors")) {  // after a refusal the page itself shows what was typed
      try {
        var values = JSON.parse(draft);
        if (JSON.stringify(values) !== JSON.stringify(saved(form))) {
          restore(form, values);
          var box = notice(form, text("restored") + " ");
          var discard = document.createElement("button");
          discard.type = "button"; discard.className = "link"; discard.textContent = text("discard");
          discard.addEventListener("click", function () { store.removeItem(key); location.reload(); });
          box.appendChild(discard);
        }
      } catch (e) { store.removeItem(key); }
    }
    var keep = function () { try { store.setItem(key, JSON.stringify(saved(form))); } catch (e) { /* full */ } };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-checked") === "1" || !window.fetch) { sessionStorage.setItem("casetrack-submitted", key); return; }
      event.preventDefault();
      keep();
      var button = event.submitter;
      var post = function (token) {
        form.querySelector("[name=csrf_token]").value = token;
        if (button && button.name) {  // form.submit() sends no button: keep the pressed one's name and value
          var carried = document.createElement("input");
          carried.type = "hidden"; carried.name = button.name; carried.value = button.value;
          form.appendChild(carried);
        }
        form.setAttribute("data-checked", "1");
        sessionStorage.setItem("casetrack-submitted", key);
        form.submit();
      };
      var offline = function () { notice(form, text("offline"), "alert"); };
      fetch(body.getAttribute("data-alive"), { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) { return answer.json(); })
        .then(function (state) {
          if (String(state.user) === user) { post(state.csrf); return; }
          signIn(form, state.csrf, post, offline);
        })
        .catch(offline);
    });
  });
  var signIn = function (form, token, post, offline) {
    var box = notice(form, text("expired"), "alert");
    var make = function (type, name, label) {
      var wrap = document.createElement("div"); wrap.className = "field";
      var lab = document.createElement("label"); lab.textContent = label; lab.htmlFor = "relogin-" + name;
      var input = document.createElement("input"); input.type = type; input.id = "relogin-" + name; input.name = "relogin-" + name;
      input.autocomplete = name === "password" ? "current-password" : "username";
      wrap.appendChild(lab); wrap.appendChild(input); box.appendChild(wrap);
      return input;
    };
    var name = make("text", "username", text("username"));
    var password = make("password", "password", text("password"));
    var go = document.createElement("button"); go.type = "button"; go.className = "primary"; go.textContent = text("signin");
    box.appendChild(go);
    name.focus();
    go.addEventListener("click", function () {
      var data = new URLSearchParams();
      data.set("username", name.value); data.set("password", password.value); data.set("csrf_token", token);
      fetch(body.getAttribute("data-login"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function () { return fetch(body.getAttribute("data-alive"), { credentials: "same-origin", cache: "no-store" }); })
        .then(function (answer) { return answer.json(); })
        .then(function (state) {
          if (state.user !== null && String(state.user) === user) { post(state.csrf); return; }
          token = state.csrf;
          var failed = box.querySelector(".relogin-failed") || document.createElement("p");
          failed.className = "relogin-failed"; failed.textContent = text("failed");
          box.appendChild(failed);
        })
        .catch(offline);
    });
  };
  window.addEventListener("offline", function () { forms.forEach(function (form) { notice(form, text("offline"), "alert"); }); });
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
