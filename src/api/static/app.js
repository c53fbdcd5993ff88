// Send the CSRF token with every HTMX request (no inline scripts: CSP forbids them).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.body.getAttribute("data-csrf");
  if (token) { event.detail.headers["x-csrftoken"] = token; }
});
// Ask before destructive actions marked with data-confirm.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
// Forms marked data-disable-on-submit go out once: a double click sends one request.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-disable-on-submit")) { return; }
  if (event.defaultPrevented) { return; }
  if (form.getAttribute("data-submitted") === "1") { event.preventDefault(); return; }
  form.setAttribute("data-submitted", "1");
  // Disable after the browser has collected the form data (a disabled button sends nothing).
  window.setTimeout(function () {
    form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
});
// Buttons marked data-print open the print dialog (no inline scripts: CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) { window.print(); }
});
