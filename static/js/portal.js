/* Small helpers for the applicant pages. Every page works without this file; where it runs:
   - a form marked data-submit-once disables its buttons once sent, so a double tap sends it once;
   - a file input with data-max-bytes refuses a file that is too large before the upload. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]")) {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    /* Disabled after this turn, so the pressed button's name still goes with the form. */
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      for (var i = 0; i < buttons.length; i += 1) {
        buttons[i].disabled = true;
        buttons[i].setAttribute("aria-disabled", "true");
        if (buttons[i].dataset.sendingLabel) {
          buttons[i].dataset.label = buttons[i].textContent;
          buttons[i].textContent = buttons[i].dataset.sendingLabel;
        }
      }
    }, 0);
  });

  /* The page came back from the browser's cache (back button): the form may be sent again. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    var forms = document.querySelectorAll("form[data-submit-once]");
    for (var i = 0; i < forms.length; i += 1) {
      delete forms[i].dataset.sent;
      var buttons = forms[i].querySelectorAll("button[type=submit], input[type=submit]");
      for (var j = 0; j < buttons.length; j += 1) {
        buttons[j].disabled = false;
        buttons[j].removeAttribute("aria-disabled");
        if (buttons[j].dataset.label) {
          buttons[j].textContent = buttons[j].dataset.label;
        }
      }
    }
  });
})();

/* A file over the portal's size limit is refused here, before a long upload on a phone. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) {
      return;
    }
    var limit = parseInt(input.dataset.maxBytes, 10);
    var message = "";
    for (var i = 0; i < input.files.length; i += 1) {
      if (limit && input.files[i].size > limit) {
        message = input.dataset.tooLarge || "Too large";
      }
    }
    input.setCustomValidity(message);
    var id = input.id + "-size-error";
    var shown = document.getElementById(id);
    if (message) {
      if (!shown) {
        shown = document.createElement("p");
        shown.id = id;
        shown.className = "error-message";
        shown.setAttribute("role", "alert");
        input.parentNode.insertBefore(shown, input);
      }
      shown.textContent = message;
      input.value = "";
    } else if (shown) {
      shown.parentNode.removeChild(shown);
    }
  });
})();
