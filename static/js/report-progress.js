// A status page of long work (a report build, an import): ask the server how it is
// going every second and show it, then offer the download or show the outcome. Without JavaScript the page refreshes itself
// (a <noscript> refresh in its head), so this only makes it smoother.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var message = box.querySelector("[data-message]");
  var link = box.querySelector("[data-download]");

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    message.textContent = state.message;
    if (state.download) {
      link.href = state.download;
      link.hidden = false;
    }
    if (!state.finished) { window.setTimeout(poll, 1000); return; }
    // A page that shows more once the work is done (an import's problems) asks to be
    // loaded again.
    if (box.hasAttribute("data-reload-when-finished")) { window.location.reload(); }
  }

  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (box.getAttribute("data-finished") !== "true") { window.setTimeout(poll, 1000); }
})();
