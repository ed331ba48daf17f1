/* Says what is still missing before a submit, while the person types: "还有 3 项未填：…".
   A hint only; the server refuses an incomplete submit itself (and asks to confirm where an
   incomplete one is allowed). Form: [data-hint]; items: [data-item="name"] holding answer
   inputs marked [data-answer]; the hint: [data-hint-for]; a [data-confirm] box (仍要提交) is
   shown once something is missing. Plain script, loaded from 'self'. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-hint]"), function (form) {
    var hint = form.querySelector("[data-hint-for]");
    if (!hint) return;
    var verb = form.getAttribute("data-hint") === "sheet" ? "未评分" : "未填写";
    function answered(item) {
      return Array.prototype.some.call(item.querySelectorAll("[data-answer]"), function (el) {
        return el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "";
      });
    }
    function update() {
      var missing = Array.prototype.filter.call(form.querySelectorAll("[data-item]"), function (item) {
        return !answered(item);
      }).map(function (item) { return item.getAttribute("data-item"); });
      hint.hidden = !missing.length;
      var confirm = form.querySelector("[data-confirm]");
      if (confirm && missing.length) confirm.hidden = false;
      hint.textContent = missing.length ? "还有 " + missing.length + " 项" + verb + "：" +
        missing.slice(0, 3).join("；") + (missing.length > 3 ? " 等" : "") : "";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });
})();
