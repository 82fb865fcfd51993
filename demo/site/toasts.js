// The htmx demo pages: show the messages mod_flashmsg sends to htmx requests
// as the "flashmsg" event (FlashMsgHTMX On) in the live region #toasts.
// Text goes in with textContent: it is never HTML.
(function () {
  if (window.flashmsgEvents) return;   // loaded once per document
  window.flashmsgEvents = [];          // every event's detail (the browser tests read it)
  document.addEventListener("flashmsg", function (e) {
    window.flashmsgEvents.push(e.detail);
    var box = document.getElementById("toasts");
    if (!box) return;
    var ul = document.createElement("ul");
    ul.className = "messages";
    e.detail.messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = m.tags;
      li.textContent = m.message;
      ul.appendChild(li);
    });
    box.replaceChildren(ul);
  });
  function showVersion() {
    document.querySelectorAll("[data-htmx-version]").forEach(function (el) {
      if (window.htmx) el.textContent = window.htmx.version;
    });
  }
  document.addEventListener("DOMContentLoaded", showVersion);
  document.addEventListener("htmx:afterSettle", showVersion);     // htmx 2
  document.addEventListener("htmx:after:settle", showVersion);    // htmx 4
})();
