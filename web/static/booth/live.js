/* Shared by the booth screen and the counter view: the MJPEG preview painted on a canvas, the live
   state over Server-Sent Events, and the figures the benchmark reads (window.boothStats).
   No build step, no libraries. */
"use strict";

window.boothStats = {
  painted: 0,            // preview frames drawn
  paintTimes: [],        // performance.now() of each drawn frame (last 600)
  latencies: [],         // seconds from frame grabbed to its verdict shown on the page (last 600)
  lastSeq: 0,            // newest judged frame shown
  events: 0,             // state updates received
};

function pushBounded(list, value, max) {
  list.push(value);
  if (list.length > max) list.splice(0, list.length - max);
}

function indexOfCrlf2(buf, from, limit) {
  const end = Math.min(buf.length - 3, limit);
  for (let i = from; i < end; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/* Read a multipart/x-mixed-replace JPEG stream with fetch() and paint the newest frame on `canvas`.
   Frames that arrive while one is still decoding replace the pending one (never a queue). */
function startPreview(canvas, url) {
  const ctx = canvas.getContext("2d");
  const ascii = new TextDecoder("ascii");
  let pending = null, busy = false, stopped = false;

  async function paint() {
    if (busy || !pending) return;
    busy = true;
    const jpeg = pending; pending = null;
    try {
      const bitmap = await createImageBitmap(new Blob([jpeg], { type: "image/jpeg" }));
      if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
        canvas.width = bitmap.width; canvas.height = bitmap.height;
      }
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      window.boothStats.painted += 1;
      pushBounded(window.boothStats.paintTimes, performance.now(), 600);
    } catch (err) { /* a damaged frame: skip it */ }
    busy = false;
    if (pending) paint();
  }

  async function run() {
    while (!stopped) {
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        if (!response.ok || !response.body) throw new Error("preview " + response.status);
        const reader = response.body.getReader();
        let buf = new Uint8Array(0);
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const joined = new Uint8Array(buf.length + value.length);
          joined.set(buf, 0); joined.set(value, buf.length);
          buf = joined;
          for (;;) {
            const headEnd = indexOfCrlf2(buf, 0, 1024);
            if (headEnd < 0) break;
            const head = ascii.decode(buf.subarray(0, headEnd));
            const m = /Content-Length:\s*(\d+)/i.exec(head);
            const start = headEnd + 4;
            if (!m) { buf = buf.subarray(start); continue; }
            const length = parseInt(m[1], 10);
            if (buf.length < start + length) break;
            pending = buf.slice(start, start + length);
            buf = buf.subarray(Math.min(buf.length, start + length + 2));
            paint();
          }
        }
      } catch (err) { /* reconnect below */ }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  run();
  return () => { stopped = true; };
}

/* Subscribe to the live state; `render(state)` runs for every update. Records glass-to-verdict latency
   (frame grabbed on the server -> its verdict rendered here) once per judged frame. */
function subscribe(url, render, onClosed) {
  const source = new EventSource(url);
  source.onmessage = (event) => {
    const state = JSON.parse(event.data);
    window.boothStats.events += 1;
    render(state);
    const frame = state.frame;
    if (frame && frame.seq !== window.boothStats.lastSeq && frame.grabbed_at) {
      window.boothStats.lastSeq = frame.seq;
      const latency = Date.now() / 1000 - frame.grabbed_at;
      pushBounded(window.boothStats.latencies, latency, 600);
    }
  };
  source.addEventListener("closed", () => { source.close(); if (onClosed) onClosed(); });
  return source;
}

/* Draw the detected person's outline (normalised points) on the overlay canvas. */
function drawOutline(canvas, overlay, ok) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!overlay || !overlay.outline || overlay.outline.length < 3) return;
  ctx.beginPath();
  overlay.outline.forEach(([x, y], i) => {
    const px = x * canvas.width, py = y * canvas.height;
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  });
  ctx.closePath();
  ctx.lineWidth = 5;
  ctx.strokeStyle = ok ? "rgba(46, 204, 113, .9)" : "rgba(231, 76, 60, .85)";
  ctx.stroke();
}
