// The calibration page: the live picture starts after the page has loaded (an endless MJPEG would hold the load
// event), Start says it is filming, and a rectangle dragged on the still fills the wordmark box's fields.
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (live && live.dataset.src) live.src = live.dataset.src;
  // Browser-camera mode: booth/browser_camera.js uploads this page's camera frames to the URL on <body>.
  const local = document.getElementById("local");
  if (local && local.dataset.upload) {
    document.body.dataset.upload = local.dataset.upload;
    window.boothStats = window.boothStats || {};
  }

  // Start is sent in the background: the page (and its camera uploads) stays while the kiosk films.
  const startForm = document.getElementById("start-form");
  if (startForm) {
    startForm.addEventListener("submit", function (event) {
      event.preventDefault();
      document.getElementById("start").disabled = true;
      document.getElementById("collecting").hidden = false;
      if (live) live.removeAttribute("src");  // free the server's stream while the kiosk films
      fetch(startForm.action, { method: "POST", body: new FormData(startForm), credentials: "same-origin" })
        .then(function (response) { location.href = response.url; })
        .catch(function () { location.reload(); });
    });
  }

  const frame = document.getElementById("still-frame");
  const box = document.getElementById("wordmark-box");
  if (!frame || !box) return;
  const fields = ["x0", "y0", "x1", "y1"].map(function (n) { return document.getElementById("wm-" + n); });
  let anchor = null;

  function fraction(event) {
    const rect = frame.getBoundingClientRect();
    const clamp = function (v) { return Math.min(1, Math.max(0, v)); };
    return [clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)];
  }

  function show(a, b) {
    const x0 = Math.min(a[0], b[0]), x1 = Math.max(a[0], b[0]), y0 = Math.min(a[1], b[1]), y1 = Math.max(a[1], b[1]);
    box.hidden = false;
    box.style.left = (100 * x0) + "%"; box.style.top = (100 * y0) + "%";
    box.style.width = (100 * (x1 - x0)) + "%"; box.style.height = (100 * (y1 - y0)) + "%";
    [x0, y0, x1, y1].forEach(function (v, i) { fields[i].value = v.toFixed(4); });
  }

  function fromFields() {
    const v = fields.map(function (f) { return parseFloat(f.value); });
    if (v.every(function (x) { return !isNaN(x); })) show([v[0], v[1]], [v[2], v[3]]);
  }

  frame.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    anchor = fraction(event);
    frame.setPointerCapture(event.pointerId);
  });
  frame.addEventListener("pointermove", function (event) { if (anchor) show(anchor, fraction(event)); });
  frame.addEventListener("pointerup", function (event) {
    if (anchor) show(anchor, fraction(event));
    anchor = null;
  });
  fields.forEach(function (f) { f.addEventListener("input", fromFields); });
})();
