// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:afterSwap", function (event) {
  // After htmx re-renders a form with errors, move focus to the first invalid field.
  var invalid = event.detail.target.querySelector("[aria-invalid='true']");
  if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
      event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.type === "submit") {
    invalid.focus();
  }
});
