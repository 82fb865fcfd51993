/*
 * mod_flashmsg: a dismiss button for each message of the default markup
 * (flashmsg.css styles it).  One line in the page's <head>:
 *
 *   <script src="/flashmsg/flashmsg.js" defer></script>
 *
 * Why a script: the messages are rendered by httpd into the page, and
 * FlashMsgTemplate refuses inline handlers (on*=) and variables inside
 * <script>, so the behaviour lives in this file, which a Content-Security-
 * Policy of script-src 'self' allows.  Without it the messages still show,
 * only without the button.  (A template with <dialog open> and a
 * <form method="dialog"> button dismisses without any script: see
 * conf/examples/templates.conf.)
 *
 * - a real <button type="button">, named "Dismiss message" for screen
 *   readers (data-label on this <script> element changes the name), so
 *   Tab reaches it and Enter or Space presses it; Escape on it does too;
 * - after a dismissal the focus goes to the next message's button (or the
 *   previous one), never lost to the top of the page while messages remain;
 * - messages that arrive later get their button too: pages that htmx or
 *   Turbo swap in, and the htmx toasts of the demo (one MutationObserver,
 *   one click listener on the document), so the script is loaded once and
 *   needs no framework hooks;
 * - it only adds buttons and removes dismissed items: the history guard
 *   (FlashMsgHistoryGuard), data-turbo-temporary and data-hx-history="false"
 *   work as without it.
 */
(function () {
  "use strict";
  if (window.flashmsgDismiss) return;      // loaded twice (a swapped <head>)
  var script = document.currentScript;
  var LABEL = (script && script.getAttribute("data-label")) || "Dismiss message";
  var ITEMS = ".flashmsg .messages > li";
  var SVG = "http://www.w3.org/2000/svg";

  function icon() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 14 14");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", "M2 2 12 12M12 2 2 12");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    svg.appendChild(path);
    return svg;
  }

  function addButton(li) {
    for (var c = li.firstElementChild; c; c = c.nextElementSibling)
      if (c.classList.contains("flashmsg-dismiss")) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "flashmsg-dismiss";
    b.setAttribute("aria-label", LABEL);
    b.appendChild(icon());
    li.appendChild(b);
  }

  function enhance(node) {
    if (node.nodeType !== 1) return;
    if (node.matches(ITEMS)) addButton(node);
    var items = node.querySelectorAll(ITEMS);
    for (var i = 0; i < items.length; i++) addButton(items[i]);
  }

  function dismiss(button) {
    var li = button.closest("li");
    var region = li && li.closest(".flashmsg");
    if (!region) return;
    var buttons = Array.prototype.slice.call(region.querySelectorAll(".flashmsg-dismiss"));
    var at = buttons.indexOf(button);
    var next = buttons[at + 1] || buttons[at - 1];
    var focused = document.activeElement === button;
    var list = li.parentNode;
    li.remove();
    // the live region itself stays (a script may add to it, as toasts do)
    if (list && !list.querySelector("li")) list.remove();
    if (focused && next) next.focus();
  }

  function buttonOf(target) {
    return target && target.closest ? target.closest(".flashmsg .flashmsg-dismiss") : null;
  }

  document.addEventListener("click", function (e) {
    var b = buttonOf(e.target);
    if (b) dismiss(b);
  });
  document.addEventListener("keydown", function (e) {
    var b = e.key === "Escape" && buttonOf(document.activeElement);
    if (b) {
      e.preventDefault();
      dismiss(b);
    }
  });

  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++)
      for (var j = 0; j < records[i].addedNodes.length; j++)
        enhance(records[i].addedNodes[j]);
  }).observe(document.documentElement, { childList: true, subtree: true });
  enhance(document.documentElement);

  window.flashmsgDismiss = { label: LABEL, enhance: enhance, dismiss: dismiss };
})();
