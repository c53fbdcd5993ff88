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
// Tables: every cell learns its column's label (data-label), so the small-screen card layout
// (app.css) still says what each value is. Cells with their own data-label keep it.
function labelTableCells(root) {
  root.querySelectorAll("table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && heads[i] !== undefined) {
          cell.setAttribute("data-label", heads[i]);
        }
      });
    });
  });
}
// The error summary takes focus, so keyboard and screen-reader users land on it; its links
// move focus into the field they name.
function focusErrorSummary(root) {
  var summary = root.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}
document.addEventListener("DOMContentLoaded", function () {
  labelTableCells(document);
  focusErrorSummary(document);
});
document.addEventListener("htmx:afterSwap", function (event) {
  labelTableCells(event.target);
  focusErrorSummary(event.target);
});
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) { return; }
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
});
