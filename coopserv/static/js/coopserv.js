// Small progressive enhancements; every page works without JavaScript.

// Forms answer 422 (field errors) and 409 (refused transition) with HTML to show in place:
// htmx 2 does not swap 4xx answers unless told to.
htmx.config.responseHandling = [
  {code: "204", swap: false},
  {code: "[23]..", swap: true},
  {code: "422", swap: true},
  {code: "409", swap: true},
  {code: "[45]..", swap: false, error: true},
];

document.addEventListener("htmx:afterSwap", function (event) {
  // After htmx re-renders a form with errors, move focus to the first invalid field.
  var invalid = event.detail.target.querySelector("[aria-invalid='true']");
  if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
      event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.type === "submit") {
    invalid.focus();
  }
});

// Buttons marked data-print open the browser's print dialog (no inline onclick: the CSP forbids it).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

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
