/* The back office's menu (base.html): on a narrow screen the "菜单" button opens and closes it;
   an open group closes on Escape (focus back on its name), on a click elsewhere, or when another
   group opens. Without this script every link stays on the page. */
(function () {
  "use strict";
  function ready() {
    var nav = document.querySelector("nav.staff-nav");
    if (!nav) return;
    var toggle = nav.querySelector(".menu-toggle");
    var groups = Array.prototype.slice.call(nav.querySelectorAll("details"));
    nav.classList.add("collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
    groups.forEach(function (details) {
      details.addEventListener("toggle", function () {  // one group open at a time (also where name= is unknown)
        if (!details.open) return;
        groups.forEach(function (other) { if (other !== details) other.open = false; });
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      groups.forEach(function (details) {
        if (!details.open) return;
        details.open = false;
        if (details.contains(document.activeElement)) details.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (event) {
      groups.forEach(function (details) { if (details.open && !details.contains(event.target)) details.open = false; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
