/* The pages' few enhancements, in plain ES5 (old office browsers): every page works without
   them, by full-page form posts.
   - Kyrgyz letters: buttons ң ө ү beside each field marked data-kyrgyz, for a PC without a
     Kyrgyz keyboard layout; they insert at the caret.
   - Rows: [data-rows] holds [data-row]s; a click on [data-add-row] clones its <template>
     (the string __index__ becomes the next index), on [data-remove-row] removes its row. Without
     this script, the same buttons submit the form and the server adds or removes the row.
   - Menu: on a phone the header's menu folds behind its «Menu» button.
   - Refresh: [data-refresh] is fetched again every few seconds and replaced, while it carries
     the attribute (the server drops it once nothing runs).
*/
(function () {
  "use strict";
  var LETTERS = ["ң", "ө", "ү", "Ң", "Ө", "Ү"];

  function insertAtCaret(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start !== "number") { field.value += text; return; }
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.selectionStart = field.selectionEnd = start + text.length;
  }

  function addLetterButtons(root) {
    var fields = root.querySelectorAll("[data-kyrgyz]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.getAttribute("data-letters-added")) { continue; }
      field.setAttribute("data-letters-added", "1");
      var group = document.createElement("span");
      group.className = "letters";
      for (var j = 0; j < LETTERS.length; j++) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "letter";
        button.textContent = LETTERS[j];
        button.setAttribute("aria-label", (document.documentElement.getAttribute("data-insert") || "+") + " " + LETTERS[j]);
        button.setAttribute("data-letter", LETTERS[j]);
        group.appendChild(button);
      }
      field.parentNode.insertBefore(group, field.nextSibling);
    }
  }

  function closest(node, selector) {
    while (node && node.nodeType === 1) {
      if (matches(node, selector)) { return node; }
      node = node.parentNode;
    }
    return null;
  }

  function matches(node, selector) {
    var fn = node.matches || node.msMatchesSelector || node.webkitMatchesSelector;
    return fn.call(node, selector);
  }

  function addRow(button) {
    var rows = document.getElementById(button.getAttribute("data-add-row"));
    var template = rows && rows.querySelector("template");
    if (!template) { return false; }
    var next = parseInt(rows.getAttribute("data-next") || "0", 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__index__/g, String(next))
      .replace(/__number__/g, String(next + 1));
    rows.setAttribute("data-next", String(next + 1));
    var row = holder.firstElementChild || holder.children[0];
    rows.insertBefore(row, template);
    addLetterButtons(row);
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    return true;
  }

  document.addEventListener("mousedown", function (event) {
    if (closest(event.target, "button.letter")) { event.preventDefault(); }
  });

  document.documentElement.className += " js";

  document.addEventListener("click", function (event) {
    var toggle = closest(event.target, ".menu-toggle");
    if (toggle) {
      var header = closest(toggle, ".top");
      var open = header.className.indexOf("menu-open") < 0;
      header.className = open ? header.className + " menu-open" : header.className.replace(/ ?menu-open/, "");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var letter = closest(event.target, "button.letter");
    if (letter) {
      var field = letter.parentNode.previousSibling;
      insertAtCaret(field, letter.getAttribute("data-letter"));
      field.focus();
      return;
    }
    var add = closest(event.target, "[data-add-row]");
    if (add && addRow(add)) { event.preventDefault(); return; }
    var remove = closest(event.target, "[data-remove-row]");
    if (remove) {
      var row = closest(remove, "[data-row]");
      if (row) { event.preventDefault(); row.parentNode.removeChild(row); }
    }
  });

  function refresh(node) {
    var url = node.getAttribute("data-refresh");
    if (!url) { return; }
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("X-Requested-With", "fragment");
    request.onload = function () {
      if (request.status !== 200) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = request.responseText;
      var fresh = holder.firstElementChild;
      if (!fresh) { return; }
      node.parentNode.replaceChild(fresh, node);
      schedule(fresh);
    };
    request.send();
  }

  function schedule(node) {
    if (node.getAttribute("data-refresh")) {
      window.setTimeout(function () { refresh(node); }, 3000);
    }
  }

  function start() {
    addLetterButtons(document);
    var live = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < live.length; i++) { schedule(live[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

/* Print: a [data-print] button opens the browser's print dialog (the register's page); the
   page prints as well from the browser's own menu. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var node = event.target;
    while (node && node.nodeType === 1 && !node.hasAttribute("data-print")) { node = node.parentNode; }
    if (node && node.nodeType === 1 && window.print) { window.print(); }
  });
}());
