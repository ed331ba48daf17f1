/* Public pages: the 适老化 large-text switch, and the phone check's resend countdown and kept phone.
   Loaded in <head> (small, no build step) so the large text applies before the first paint. */
(function () {
  "use strict";
  var LARGE = "wenming.largeText";
  var PHONE = "wenming.phone";
  var root = document.documentElement;

  function stored(store, key) {
    try { return window[store].getItem(key); } catch (e) { return null; }  // private mode may refuse storage
  }
  function store(storeName, key, value) {
    try { window[storeName].setItem(key, value); } catch (e) { /* not kept: nothing breaks */ }
  }

  if (stored("localStorage", LARGE) === "1") root.classList.add("large-text");

  function fontSwitch() {
    var button = document.getElementById("font-switch");
    if (!button) return;
    function show() {  // a toggle keeps its name; the pressed state says whether it is on
      button.setAttribute("aria-pressed", root.classList.contains("large-text") ? "true" : "false");
    }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      root.classList.toggle("large-text");
      store("localStorage", LARGE, root.classList.contains("large-text") ? "1" : "0");
      show();
    });
  }

  function countdown() {
    var button = document.getElementById("send-code");
    if (!button) return;
    var note = document.getElementById("resend-wait");
    var seconds = parseInt(button.getAttribute("data-retry-after") || "0", 10);
    if (!(seconds > 0)) return;
    var label = button.textContent;
    var until = Date.now() + seconds * 1000;  // a deadline, so a throttled background timer cannot drift
    button.disabled = true;
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        if (note) note.textContent = "";
        return;
      }
      button.textContent = "重新获取（" + left + " 秒）";
      if (note) note.textContent = left + " 秒后可重新获取";
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function keepPhone() {
    var form = document.querySelector("form.phone-check");
    if (!form) return;
    var phone = form.querySelector("input[name=phone]");
    var code = form.querySelector("input[name=code]");
    if (phone) {
      if (!phone.value) phone.value = stored("sessionStorage", PHONE) || "";
      phone.addEventListener("input", function () { store("sessionStorage", PHONE, phone.value); });
    }
    if (code) {
      // Enter in the code field verifies (the form's first button would send another code).
      code.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          document.getElementById("verify").click();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    fontSwitch();
    countdown();
    keepPhone();
  });
})();
