/* The booth screen: mirrored preview, lights, one instruction (中文 then English), countdown, the photo. */
"use strict";

(function () {
  const body = document.body;
  const video = document.getElementById("video");
  const overlay = document.getElementById("overlay");
  const lights = document.getElementById("lights");
  const zh = document.getElementById("instruction-zh");
  const en = document.getElementById("instruction-en");
  const countdown = document.getElementById("countdown");
  const taken = document.getElementById("taken");
  const cameraAlert = document.getElementById("camera-alert");
  let phase = (document.body.className.match(/phase-(\S+)/) || [null, ""])[1];

  if (body.dataset.stream) startPreview(video, body.dataset.stream);

  function setPhase(next) {
    if (next === phase) return;
    body.classList.remove("phase-" + phase);
    body.classList.add("phase-" + next);
    phase = next;
  }

  function renderLights(list) {
    if (lights.children.length !== list.length) {
      lights.innerHTML = "";
      list.forEach((light) => {
        const li = document.createElement("li");
        li.dataset.code = light.code;
        li.innerHTML = '<span class="dot"></span><span class="zh"></span><span class="en"></span>';
        li.querySelector(".zh").textContent = light.label.zh;
        li.querySelector(".en").textContent = light.label.en;
        lights.appendChild(li);
      });
    }
    list.forEach((light, i) => {
      const li = lights.children[i];
      // A check that could not apply (e.g. no face yet) stays grey rather than claiming a pass.
      li.className = light.status === "skipped" ? "skip" : (light.passed ? "pass" : "fail");
      li.dataset.code = light.code;
    });
  }

  const liveness = document.getElementById("liveness");
  const livenessStep = document.getElementById("liveness-step");
  const livenessLight = document.getElementById("liveness-light");
  const livenessFill = document.getElementById("liveness-fill");

  // The current liveness challenge: "1 / 2" and a progress light filling as the action is seen.
  function renderLiveness(live) {
    liveness.hidden = !live || !live.challenge;
    if (liveness.hidden) return;
    livenessStep.textContent = live.index + " / " + live.total;
    const pct = Math.round(100 * (live.progress || 0));
    livenessFill.style.width = pct + "%";
    livenessLight.setAttribute("aria-valuenow", String(pct));
    liveness.dataset.challenge = live.challenge;
  }

  function render(state) {
    setPhase(state.phase);
    body.dataset.firstFailure = state.first_failure || "";
    body.dataset.seq = state.frame ? state.frame.seq : "";
    const text = state.instruction || { zh: "", en: "" };
    if (zh.textContent !== text.zh) zh.textContent = text.zh;
    if (en.textContent !== text.en) en.textContent = text.en;
    // Once the photo is taken the live checks no longer concern the applicant: no lights (red or grey) under
    // "照片已拍好" or "拍照完成"; the finished screen shows one large check mark instead.
    const photoTaken = state.phase === "captured" || state.phase === "accepted";
    renderLights(photoTaken ? [] : (state.lights || []));
    renderLiveness(state.liveness);
    const cd = state.countdown;
    countdown.textContent = state.phase === "countdown" && cd && cd.remaining ? String(cd.remaining) : "";
    drawOutline(overlay, state.overlay, state.passed);
    const health = state.camera ? state.camera.health : "ok";
    cameraAlert.hidden = !(health === "stalled" || health === "reopening" || health === "no_camera");
    if (state.captured && (state.phase === "captured" || state.phase === "accepted")) {
      if (taken.dataset.attempt !== String(state.captured.attempt_id)) {
        taken.src = state.captured.photo_url;
        taken.dataset.attempt = String(state.captured.attempt_id);
      }
      taken.hidden = false;
    } else {
      taken.hidden = true;
    }
  }

  subscribe(body.dataset.events, render, () => { setTimeout(() => location.reload(), 1500); });
})();
