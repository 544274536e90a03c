// The shell's behaviour: the phone menu and tables that scroll inside their own box. Loaded in <head> without
// defer so the "js" class lands before first paint (the folded menu never flashes open); every page still works
// without it (the menu then stays open and tables scroll through the CSS fallback).
document.documentElement.classList.add("js");

(function () {
  function setMenu(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("nav-open", open);
  }

  // A table wider than its column scrolls inside its own box. Only a box that really scrolls becomes a focusable,
  // named region (keyboard users can scroll it, and axe's scrollable-region-focusable holds); one that fits stays
  // a plain div, so it adds no landmark and no tab stop.
  function markScrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      if (!box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        // Deliberately generic: the table's own caption and headers say what it holds, and a name built from
        // the page's text would shadow the page's own landmarks and labels for anyone searching by name.
        box.setAttribute("aria-label", "Scrollable table");
      }
    } else if (box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function wrapTables(root) {
    root = root || document;
    var tables = Array.prototype.slice.call(root.querySelectorAll("main table:not(.stack)"));
    if (root.matches && root.matches("main table:not(.stack)")) tables.push(root);
    tables.forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    document.querySelectorAll(".table-scroll").forEach(markScrollable);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { document.querySelectorAll(".table-scroll").forEach(markScrollable); }, 150);
  });

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

// Bulk forms: a header box with data-check-all="NAME" ticks every box named NAME of the same form (delegated, so
// it survives htmx swaps). Without JS each row is still ticked by hand.
document.addEventListener("change", function (event) {
  var all = event.target.closest && event.target.closest("[data-check-all]");
  if (!all) return;
  var name = all.getAttribute("data-check-all");
  var form = all.getAttribute("form");
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    if (!form || box.getAttribute("form") === form || (box.form && box.form.id === form)) box.checked = all.checked;
  });
});
