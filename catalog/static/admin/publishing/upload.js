// Uploads from the admin with a progress bar (templates/admin/publishing/): a form marked
// data-upload is sent with XMLHttpRequest; the server answers {"redirect"} or {"errors"}.
// Without this script the same form posts normally.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector(".upload-status");
      var buttons = form.querySelectorAll("[type=submit]");
      var say = function (text) { if (status) status.textContent = text; };
      buttons.forEach(function (button) { button.disabled = true; });
      if (bar) { bar.hidden = false; bar.value = 0; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((100 * e.loaded) / e.total);
        if (bar) bar.value = percent;
        say(percent < 100 ? percent + "% uploaded" : "Uploaded; checking the file…");
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { /* not JSON */ }
        if (xhr.status < 300 && body.redirect) { window.location.href = body.redirect; return; }
        var errors = body.errors ? Object.values(body.errors).flat().join(" ") : "";
        say(errors || "The upload failed (HTTP " + xhr.status + "); try again.");
        buttons.forEach(function (button) { button.disabled = false; });
      });
      xhr.addEventListener("error", function () {
        say("The connection failed; try again.");
        buttons.forEach(function (button) { button.disabled = false; });
      });
      xhr.send(new FormData(form));
    });
  });
});
