// The web admin works without this script; with it, the Telegram preview
// follows the answer as it is typed. The preview is rendered by the
// server, so the page and the bot never disagree on how a message looks.
(function () {
  "use strict";
  var answer = document.getElementById("answer");
  var preview = document.getElementById("preview");
  var main = document.getElementById("main");
  if (!answer || !preview || !main || answer.disabled) {
    return;
  }
  var timer = null;
  var latest = 0;
  function refresh() {
    var n = ++latest;
    var body = new URLSearchParams();
    body.set("answer", answer.value);
    fetch("/admin/kb/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": main.dataset.csrf },
      body: body
    }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null && n === latest) {
        preview.innerHTML = html;
      }
    }).catch(function () { /* keep the last preview */ });
  }
  answer.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
