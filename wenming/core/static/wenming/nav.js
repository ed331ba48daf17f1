/* The back office's menu (base.html): on a narrow screen the "菜单" button opens and closes it;
   an open group closes on Escape (focus back on its name), on a click elsewhere, or when another
   group opens. Without this script every link stays on the page.
   Loaded in <head> without defer, like public.js: the class it sets closes the phone menu before
   the first paint, so the page never shows every link and then snaps shut under the reader's
   finger when the script comes late. It listens on the document, so the button works from the
   first paint on (the menu is parsed after this script runs). */
(function () {
  "use strict";
  document.documentElement.classList.add("nav-js");

  function groups() {
    return Array.prototype.slice.call(document.querySelectorAll("nav.staff-nav details"));
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("nav.staff-nav .menu-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.closest("nav.staff-nav").classList.toggle("open", open);
    }
    groups().forEach(function (details) { if (details.open && !details.contains(event.target)) details.open = false; });
  });
  document.addEventListener("toggle", function (event) {  // one group open at a time (also where name= is unknown)
    var details = event.target;
    if (!details.open || !details.closest || !details.closest("nav.staff-nav")) return;
    groups().forEach(function (other) { if (other !== details) other.open = false; });
  }, true);  // "toggle" does not bubble: caught on its way down
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups().forEach(function (details) {
      if (!details.open) return;
      details.open = false;
      if (details.contains(document.activeElement)) details.querySelector("summary").focus();
    });
  });
})();
