// Keyboard shortcuts of the moderation queue (templates/admin/moderation/queue.html):
// j / k next / previous item, a approve, r reject (focus the reason; Ctrl+Enter submits),
// x select the current item for a bulk decision. Keys typed into a field are left alone.
"use strict";
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" ||
    target.tagName === "SELECT" || target.isContentEditable);
  if (typing) {
    if (target.id === "queue-reason" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.getElementById("queue-reject").click();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  var go = function (id) {
    var link = document.getElementById(id);
    if (link) window.location.href = link.href;
  };
  switch (event.key) {
    case "j": go("queue-next"); break;
    case "k": go("queue-previous"); break;
    case "a": {
      var approve = document.getElementById("queue-approve");
      if (approve) approve.click();
      break;
    }
    case "r": {
      var reason = document.getElementById("queue-reason");
      if (reason) { event.preventDefault(); reason.focus(); }
      break;
    }
    case "x": {
      var current = document.getElementById("queue-current");
      if (!current) break;
      var box = document.querySelector('#queue-list input[name="selected"][value="' +
        current.dataset.key + '"]');
      if (box) box.checked = !box.checked;
      break;
    }
    default: return;
  }
});
