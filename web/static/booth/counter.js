/* The counter's view of the booth: unmirrored preview, every check's value, reload on a new photo. */
"use strict";

(function () {
  const root = document.getElementById("booth-counter");
  if (!root) return;
  const video = document.getElementById("video");
  const overlay = document.getElementById("overlay");
  const tbody = document.querySelector("#live-checks tbody");
  const phaseEl = document.getElementById("booth-phase");
  const cameraEl = document.getElementById("camera-status");
  const boundEl = document.getElementById("bound-status");
  const timing = document.getElementById("timing");
  const countdown = document.getElementById("countdown");
  const caseId = parseInt(root.dataset.case, 10);
  const known = new Set((root.dataset.attempts || "").split(",").filter(Boolean).map(Number));
  const zh = document.documentElement.lang !== "en";
  const t = (text) => (text ? (zh ? text.zh : text.en) : "");
  const STATUS_WORDS = JSON.parse(root.dataset.statusWords || "{}");

  startPreview(video, root.dataset.stream);

  function renderChecks(state) {
    const verdict = state.verdict;
    const rows = verdict ? verdict.results : [];
    const labels = {};
    (state.lights || []).forEach((l) => { labels[l.code] = l.label; });
    tbody.innerHTML = "";
    rows.forEach((r) => {
      const tr = document.createElement("tr");
      tr.className = "check-" + r.status;
      tr.dataset.code = r.code;
      tr.dataset.value = r.value === null || r.value === undefined ? "" : String(r.value);
      tr.dataset.threshold = r.threshold === null || r.threshold === undefined ? "" : String(r.threshold);
      // the reading in words with its unit and limit (kiosk.checkresult.describe, in the verdict's JSON)
      const reading = r.value === null || r.value === undefined ? "—" : t(r.text);
      [t(labels[r.code]) || r.code, t(STATUS_WORDS[r.status]) || r.status, reading].forEach((cell) => {
        const td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      });
      if (!r.passed) tr.title = t(r.message);
      tbody.appendChild(tr);
    });
  }

  function render(state) {
    phaseEl.textContent = (t(state.phase_label) || state.phase) + (state.bound_here ? "" : " (" + (zh ? "未绑定本案件" : "not this case") + ")");
    phaseEl.dataset.phase = state.phase;
    boundEl.hidden = !!state.bound_here;
    const cam = state.camera || {};
    cameraEl.textContent = (zh ? "摄像头" : "Camera") + ": " + (t(cam.health_label) || cam.health || "?") + " · " + (cam.source || "") +
      (cam.frame_size ? " · " + cam.frame_size.join("×") : "") + " · " + (cam.fps || 0) + " fps" +
      (cam.error ? " · " + (typeof cam.error === "string" ? cam.error : t(cam.error.message)) : "");
    cameraEl.className = "camera health-" + (cam.health || "unknown");
    renderChecks(state);
    drawOutline(overlay, state.verdict && state.verdict.overlay, state.verdict && state.verdict.passed);
    const cd = state.countdown;
    countdown.textContent = state.phase === "countdown" && cd && cd.remaining ? String(cd.remaining) : "";
    if (state.frame) {
      timing.textContent = (zh ? "判定耗时 " : "judge ") + state.frame.judge_ms + " ms · seq " + state.frame.seq;
    }
    if (state.error) timing.textContent += " · " + t(state.error.message);
    const last = state.last_capture;
    if (state.bound_here && last && last.case_id === caseId && !known.has(last.attempt_id)) {
      known.add(last.attempt_id);
      setTimeout(() => location.reload(), 300);
    }
  }

  subscribe(root.dataset.events, render);
})();
