// The station kiosk (issue 17): sign out after the idle time with a visible countdown (the
// server ends the session too), keep the server's clock fresh while the person is busy on the
// page, and the print buttons. No inline script: the Content-Security-Policy stays strict.
(function () {
  "use strict";
  var WARN_AT = 10; // seconds left when the "are you still there?" dialog opens
  var PING_EVERY = 15000; // at most one keep-alive request per 15 s of activity

  function fill(element, seconds) {
    if (element && element.dataset.template) {
      element.textContent = element.dataset.template.replace("{n}", String(seconds));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    var body = document.body;
    if (body.dataset.idleTimer !== "on") { return; }
    var idle = parseInt(body.dataset.idleSeconds, 10) || 60;
    var left = idle;
    var lastPing = Date.now();
    var countdown = document.getElementById("kiosk-countdown");
    var warning = document.getElementById("kiosk-idle-warning");
    var warningText = document.getElementById("kiosk-idle-seconds");
    var done = false;

    function signOut() {
      if (done) { return; }
      done = true;
      var form = document.getElementById("kiosk-sign-out");
      if (form) { form.submit(); } else { window.location.replace(body.dataset.homeUrl || "/kiosk/"); }
    }

    function activity() {
      if (done) { return; }
      left = idle;
      fill(countdown, left);
      if (warning) { warning.hidden = true; }
      if (Date.now() - lastPing > PING_EVERY) {
        lastPing = Date.now();
        fetch(body.dataset.touchUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { if (response.status === 401 && document.getElementById("kiosk-sign-out") && body.dataset.signedIn === "yes") { signOut(); } })
          .catch(function () {});
      }
    }

    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, activity, { passive: true });
    });
    var stillHere = document.getElementById("kiosk-still-here");
    if (stillHere) { stillHere.addEventListener("click", activity); }

    window.setInterval(function () {
      if (done) { return; }
      left -= 1;
      fill(countdown, Math.max(left, 0));
      if (warning && left <= WARN_AT) {
        fill(warningText, Math.max(left, 0));
        if (warning.hidden) { warning.hidden = false; if (stillHere) { stillHere.focus(); } }
      }
      if (left <= 0) { signOut(); }
    }, 1000);
  });
}());
