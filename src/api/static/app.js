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
