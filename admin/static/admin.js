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

// Live desk pages: poll the page's fingerprint and reload when a
// colleague changed the ticket or the queue. While the officer is typing
// a reply the page is not reloaded under them; a notice says it changed.
(function () {
  "use strict";
  // A reload of ours is marked ?live=1, so that the server does not
  // count it as the officer's activity; the address bar does not keep it.
  if (window.URL && window.history && window.history.replaceState) {
    var here = new URL(window.location.href);
    if (here.searchParams.has("live")) {
      here.searchParams.delete("live");
      window.history.replaceState(null, "", here.toString());
    }
  }
  var live = document.getElementById("live");
  if (!live || !window.fetch) {
    return;
  }
  var typing = function () {
    var boxes = document.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value !== boxes[i].defaultValue) {
        return true;
      }
    }
    return false;
  };
  var timer = setInterval(function () {
    fetch(live.dataset.poll, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (fp) {
      if (fp === null || fp === live.dataset.fingerprint) {
        return;
      }
      if (typing()) {
        live.hidden = false;
        clearInterval(timer);
      } else if (window.URL) {
        var next = new URL(window.location.href);
        next.searchParams.set("live", "1");
        window.location.replace(next.toString());
      } else {
        window.location.reload();
      }
    }).catch(function () { /* try again at the next tick */ });
  }, 5000);
})();
