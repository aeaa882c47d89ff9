/* Browser-camera mode (tablets, `--camera browser`): show this device's own camera, mirrored, and upload
   its frames, unmirrored and at the camera's resolution, to the kiosk, which judges them exactly like a
   webcam's. One upload in flight at a time (the newest frame wins), at most 15 per second. */
"use strict";

(function () {
  const body = document.body;
  const url = body.dataset.upload;
  const local = document.getElementById("local");
  const alertBox = document.getElementById("camera-alert");
  if (!url || !local) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  const MIN_INTERVAL_MS = 66;
  window.boothStats.uploaded = 0;

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function upload() {
    for (;;) {
      const started = performance.now();
      if (local.videoWidth > 0 && local.readyState >= 2) {
        if (canvas.width !== local.videoWidth || canvas.height !== local.videoHeight) {
          canvas.width = local.videoWidth; canvas.height = local.videoHeight;
        }
        ctx.drawImage(local, 0, 0);  // the raw camera frame: not mirrored
        const blob = await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.92));
        try {
          const response = await fetch(url, {
            method: "POST", body: blob, credentials: "same-origin",
            headers: { "Content-Type": "image/jpeg", "X-CSRFToken": token },
          });
          if (response.status === 403) { location.reload(); return; }
          if (response.ok) window.boothStats.uploaded += 1;
        } catch (err) { await sleep(1000); }
      }
      await sleep(Math.max(0, MIN_INTERVAL_MS - (performance.now() - started)));
    }
  }

  navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { width: { ideal: 1920 }, height: { ideal: 1080 }, facingMode: "user" },
  }).then((stream) => {
    local.srcObject = stream;
    upload();
  }).catch(() => {
    alertBox.hidden = false;
  });
})();
