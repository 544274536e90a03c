// The shell's behaviour: the phone menu and tables that scroll inside their own box. Loaded in <head> without
// defer so the "js" class lands before first paint (the folded menu never flashes open); every page still works
// without it (the menu then stays open and tables scroll through the CSS fallback).
document.documentElement.classList.add("js");

(function () {
  function setMenu(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("nav-open", open);
  }

  // A table wider than its column scrolls inside a focusable region (keyboard users can scroll it too, and
  // axe's scrollable-region-focusable holds), named after the nearest heading so a screen reader says which.
  function wrapTables(root) {
    root = root || document;
    var tables = Array.prototype.slice.call(root.querySelectorAll("main table:not(.stack)"));
    if (root.matches && root.matches("main table:not(.stack)")) tables.push(root);
    tables.forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      var heading = caption || (table.closest("section, .card") || document).querySelector("h1, h2, h3");
      box.setAttribute("aria-label", heading ? heading.textContent.trim().slice(0, 80) : "Table");
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
          setMenu(toggle, false);
          toggle.focus();
        }
      });
    }
    wrapTables(document);
  });
  document.addEventListener("htmx:load", function (event) { wrapTables(event.target); });
})();
