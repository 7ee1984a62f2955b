// riskeval workbench: the few behaviours that need script (CSP forbids inline handlers).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var remove = target.closest("[data-remove]");
    if (remove) {
      event.preventDefault();
      var block = remove.closest(remove.getAttribute("data-remove"));
      if (block) { block.remove(); }
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
})();
