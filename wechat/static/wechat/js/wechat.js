// Loaded only inside WeChat's browser (wechat/includes/head.html, issue 26): photo fields open
// the camera (the `capture` attribute; the face photo the front camera, the rest the back one).
(function () {
  "use strict";
  document.documentElement.classList.add("in-wechat");
  var inputs = document.querySelectorAll('input[type="file"]');
  Array.prototype.forEach.call(inputs, function (input) {
    var accept = input.getAttribute("accept") || "";
    if (accept.indexOf("image/") === -1 || input.hasAttribute("capture")) {
      return;
    }
    input.setAttribute("capture", /face/.test(input.name) ? "user" : "environment");
  });
})();
