// riskeval workbench, 规则集 editor: line numbers, and each problem beside its line (CSP: no inline script).
(function () {
  "use strict";
  var text = document.getElementById("rule-text");
  var gutter = document.getElementById("gutter-lines");
  var marks = document.getElementById("marks-inner");
  if (!text || !gutter || !marks) { return; }

  function lineHeight() {
    var value = parseFloat(window.getComputedStyle(text).lineHeight);
    return isNaN(value) ? 18 : value;
  }

  function renumber() {
    var count = text.value.split("\n").length;
    var have = gutter.children.length;
    for (var i = have + 1; i <= count; i++) {
      var div = document.createElement("div");
      div.className = "ln";
      div.setAttribute("data-line", String(i));
      div.textContent = String(i);
      gutter.appendChild(div);
    }
    while (gutter.children.length > count) { gutter.removeChild(gutter.lastChild); }
  }

  function sync() {
    var offset = "translateY(" + (-text.scrollTop) + "px)";
    gutter.style.transform = offset;
    marks.style.transform = offset;
  }

  function mark() {
    var step = lineHeight();
    var items = document.querySelectorAll("#check [data-problem-line]");
    var bad = gutter.querySelectorAll(".ln.bad, .ln.warn");
    for (var b = 0; b < bad.length; b++) {
      bad[b].classList.remove("bad", "warn");
      bad[b].removeAttribute("title");
    }
    marks.textContent = "";
    var seen = {};
    for (var i = 0; i < items.length; i++) {
      var line = parseInt(items[i].getAttribute("data-problem-line"), 10);
      var severity = items[i].getAttribute("data-severity") === "error" ? "bad" : "warn";
      var message = items[i].querySelector(".msg");
      var textOf = message ? message.textContent : items[i].textContent;
      var number = gutter.querySelector('.ln[data-line="' + line + '"]');
      if (number) {
        number.classList.add(severity);
        number.title = (number.title ? number.title + "\n" : "") + textOf;
      }
      var box = seen[line];
      if (!box) {
        box = document.createElement("div");
        box.className = "mark " + severity;
        box.setAttribute("data-line", String(line));
        box.style.top = ((line - 1) * step) + "px";
        box.style.height = step + "px";
        marks.appendChild(box);
        seen[line] = box;
      } else {
        box.textContent += " / ";
      }
      box.textContent += textOf;
      box.title = box.textContent;
    }
  }

  function goTo(line) {
    var lines = text.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    text.focus();
    text.setSelectionRange(offset, offset);
    text.scrollTop = Math.max(0, (line - 4) * lineHeight());
    sync();
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("#check [data-problem-line]") : null;
    if (target) { goTo(parseInt(target.getAttribute("data-problem-line"), 10)); }
  });
  text.addEventListener("input", renumber);
  text.addEventListener("scroll", sync);
  text.addEventListener("keydown", function (event) {
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();  // YAML is indented with spaces
      var start = text.selectionStart;
      text.setRangeText("  ", start, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "check") { mark(); }
  });
  renumber();
  sync();
})();
