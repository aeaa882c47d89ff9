// New-case form: extra website rows, the individual's single person, and a live preview of the checklist.
(function () {
  "use strict";
  const lang = document.currentScript.dataset.lang === "en" ? "en" : "zh";
  const form = document.getElementById("new-case");
  const subject = document.getElementById("subject_type");
  const province = document.getElementById("province");
  const preview = document.querySelector("#checklist-preview ul");
  const leader = document.querySelector('fieldset[data-role="website_leader"]');

  document.getElementById("add-website").addEventListener("click", function () {
    const rows = form.querySelectorAll(".website-row");
    const copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    rows[rows.length - 1].after(copy);
  });

  function syncLeader() {
    const individual = subject.value === "individual";
    leader.hidden = individual;
    leader.querySelectorAll("input, select").forEach(function (el) { el.disabled = individual; });
  }

  function refresh() {
    syncLeader();
    preview.textContent = "";
    if (!province.value) { return; }
    const url = "/api/requirements?subject_type=" + encodeURIComponent(subject.value) +
      "&province=" + encodeURIComponent(province.value);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        preview.textContent = "";
        items.forEach(function (item) {
          const li = document.createElement("li");
          li.dataset.kind = item.kind;
          li.textContent = item.name[lang] + (item.note ? " — " + item.note[lang] : "");
          preview.appendChild(li);
        });
      });
  }

  subject.addEventListener("change", refresh);
  province.addEventListener("change", refresh);
  refresh();
})();
