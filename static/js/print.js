// The "Print" button of printable pages (house code label): no inline onclick, so the
// Content-Security-Policy needs no 'unsafe-inline'.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
