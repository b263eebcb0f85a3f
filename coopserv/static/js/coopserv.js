// coopserv's behaviours, all progressive: every page works without JavaScript.
// No inline script anywhere (the Content-Security-Policy forbids it): pages declare behaviour with
// data- attributes, read here.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Forms answer 422 (field errors) and 409 (refused transition) with HTML to show in place:
  // htmx 2 does not swap 4xx answers unless told to.
  if (window.htmx) {
    htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "422", swap: true},
      {code: "409", swap: true},
      {code: "[45]..", swap: false, error: true},
    ];
  }

  function text(key) {
    // Words the scripts need come from the page, in its language (data-i18n-* on <html>).
    return root.getAttribute("data-i18n-" + key) || key;
  }

  // Navigation: a Menu button folds the menu and account tools on phones.
  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var header = document.querySelector(".site-header");
    if (!toggle || !header) return;
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Tables: give each cell its column's header as a label, so a row can show as a card on phones,
  // and keep the table semantics screen readers need once CSS changes the display.
  function stackTables(scope) {
    scope.querySelectorAll("main table:not(.no-stack)").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.classList.add("stack");
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody, tfoot").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
      table.querySelectorAll("tr").forEach(function (row) {
        row.setAttribute("role", "row");
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var span = parseInt(cell.getAttribute("colspan") || "1", 10);
          if (cell.tagName === "TH") {
            cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
          } else {
            cell.setAttribute("role", "cell");
          }
          if (span === 1 && headers[column] && !cell.hasAttribute("data-label") && cell.parentNode.parentNode.tagName !== "THEAD") {
            cell.setAttribute("data-label", headers[column]);
          }
          column += span;
        });
      });
    });
  }

  // Toasts: short confirmations of htmx actions (the server sends them in HX-Trigger).
  function toastRegion() {
    var region = document.getElementById("toasts");
    if (!region) {
      region = document.createElement("div");
      region.id = "toasts";
      region.className = "toasts";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function showToast(message, level) {
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    var body = document.createElement("p");
    body.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", text("close"));
    close.textContent = "×";
    function dismiss() {
      toast.classList.add("leaving");
      window.setTimeout(function () { toast.remove(); }, 300);
    }
    close.addEventListener("click", dismiss);
    toast.appendChild(body);
    toast.appendChild(close);
    toastRegion().appendChild(toast);
    window.setTimeout(dismiss, level === "error" ? 9000 : 5000);
  }
  window.coopservToast = showToast;

  document.body.addEventListener("coopserv:toast", function (event) {
    var items = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail;
    (Array.isArray(items) ? items : [items]).forEach(function (item) {
      if (item && item.message) showToast(item.message, item.level);
    });
  });

  // Confirmation: any form or button with data-confirm asks first, in an accessible dialog;
  // htmx's hx-confirm goes through the same dialog.
  var dialog = null;
  function confirmDialog(question, confirmLabel, onYes) {
    if (typeof HTMLDialogElement === "undefined") {
      if (window.confirm(question)) onYes();
      return;
    }
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm";
      dialog.setAttribute("aria-labelledby", "confirm-question");
      dialog.innerHTML = '<h2 id="confirm-question"></h2><div class="actions">' +
        '<button type="button" class="secondary" value="cancel"></button>' +
        '<button type="button" class="destructive" value="yes"></button></div>';
      document.body.appendChild(dialog);
    }
    var buttons = dialog.querySelectorAll("button");
    dialog.querySelector("h2").textContent = question;
    buttons[0].textContent = text("cancel");
    buttons[1].textContent = confirmLabel || text("confirm");
    buttons[0].onclick = function () { dialog.close(); };
    buttons[1].onclick = function () { dialog.close(); onYes(); };
    dialog.showModal();
    buttons[0].focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "yes" || form.hasAttribute("hx-post")) return;
    event.preventDefault();
    confirmDialog(question, submitter ? submitter.textContent.trim() : "", function () {
      form.dataset.confirmed = "yes";
      if (submitter && submitter.name) {
        var carry = document.createElement("input");
        carry.type = "hidden";
        carry.name = submitter.name;
        carry.value = submitter.value;
        form.appendChild(carry);
      }
      form.submit();
    });
  }, true);

  document.addEventListener("htmx:confirm", function (event) {
    var element = event.detail.elt;
    var submitter = event.detail.triggerEvent && event.detail.triggerEvent.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || element.getAttribute("data-confirm") || event.detail.question;
    if (!question) return;
    event.preventDefault();
    confirmDialog(question, submitter ? submitter.textContent.trim() : "", function () { event.detail.issueRequest(true); });
  });

  // Fields shown for one choice only: data-shown-by="select-id" data-shown-for="value".
  function syncShown(scope) {
    scope.querySelectorAll("[data-shown-by]").forEach(function (element) {
      var control = document.getElementById(element.getAttribute("data-shown-by"));
      if (!control) return;
      var shown = control.value === element.getAttribute("data-shown-for");
      element.hidden = !shown;
      element.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id && document.querySelector('[data-shown-by="' + event.target.id + '"]')) syncShown(document);
    // Filters apply as soon as they change.
    var form = event.target.form;
    if (form && form.classList.contains("autosubmit")) {
      if (window.htmx && form.hasAttribute("hx-get")) return;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // Print buttons (data-print), instead of inline onclick handlers; the style guide's toast sample.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print]");
    if (trigger) { event.preventDefault(); window.print(); }
    var sample = event.target.closest("[data-demo-toast]");
    if (sample) showToast(sample.getAttribute("data-demo-toast"), "success");
    var confirmable = event.target.closest("button[type=button][data-confirm]");
    if (confirmable) confirmDialog(confirmable.getAttribute("data-confirm"), confirmable.textContent.trim(), function () {});
  });

  // Branding preview: colour inputs repaint the preview block as they change.
  document.addEventListener("input", function (event) {
    var name = event.target.getAttribute("data-brand-var");
    if (!name || !/^#[0-9a-fA-F]{6}$/.test(event.target.value)) return;
    document.querySelectorAll(".brand-preview").forEach(function (preview) {
      preview.style.setProperty(name, event.target.value);
      if (name === "--primary") {
        preview.style.setProperty("--primary-hover", event.target.value);
        preview.style.setProperty("--primary-tint", "color-mix(in srgb, " + event.target.value + " 9%, #fff)");
      }
    });
  });

  function enhance(scope) {
    stackTables(scope);
    syncShown(scope);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    // After htmx re-renders a form with errors, move focus to the first invalid field.
    var invalid = event.detail.target.querySelector("[aria-invalid='true']");
    if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
        event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.type === "submit") {
      invalid.focus();
    }
  });
  document.addEventListener("htmx:load", function () { enhance(document); });

  setUpMenu();
  enhance(document);
})();

// Buttons marked data-copy="#field-id" copy that field's text (an invitation or sign-up link).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) { return; }
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) { return; }
  event.preventDefault();
  field.select();
  var done = function () { button.setAttribute("data-copied", "true"); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// Read-only links to copy (calendar feeds): focusing the field selects it, as inline handlers would.
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});
