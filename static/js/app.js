// Voxboard's own behaviour: toasts, confirmations, copy buttons, players in a row. No
// inline script anywhere, so the Content-Security-Policy can forbid it.
(function () {
  "use strict";

  function toast(message, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (level || "info");
    el.setAttribute("role", "status");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.classList.add("leaving"); }, 5000);
    setTimeout(function () { el.remove(); }, 5600);
  }

  // The phone's menu: the main navigation folds behind a "Menu" button (CSS shows the
  // button at narrow widths only, and only once this has run). Escape closes it.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-toggle");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    }
    button.closest(".topbar").classList.add("has-menu");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && nav.classList.contains("open")) {
        setOpen(false);
        button.focus();
      }
    });
  });

  // Server-rendered toasts (Django messages on a full page) fade like the others.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (el) {
      setTimeout(function () { el.classList.add("leaving"); }, 6000);
      setTimeout(function () { el.remove(); }, 6600);
    });
  });

  // HX-Trigger: {"toasts": [{"message": "...", "level": "success"}]}. htmx hands an array
  // value over as the event detail itself; it bubbles from the requesting element.
  document.addEventListener("toasts", function (evt) {
    var list = Array.isArray(evt.detail) ? evt.detail : (evt.detail && evt.detail.value) || [];
    list.forEach(function (t) { toast(t.message, t.level); });
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    var text = status === 403 ? "Your role does not allow that."
      : status === 404 ? "That no longer exists."
      : status === 429 ? "Too many requests; wait a moment."
      : "Something went wrong (" + status + "). Nothing was lost; try again.";
    toast(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("Voxboard cannot be reached. Check your connection.", "error");
  });

  // Live rows and badges poll only while the tab is visible; a hidden tab skips its turn.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (document.hidden && evt.detail.elt.hasAttribute("data-poll")) evt.preventDefault();
  });

  // <form data-reset-after> empties itself once htmx has sent it successfully (what was
  // typed is now in the list it updated); a refused one keeps the text to fix.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (form.hasAttribute && form.hasAttribute("data-reset-after") && evt.detail.successful) {
      form.reset();
    }
  });

  // <form data-confirm="..."> asks before submitting, with or without htmx.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // <span class="char-count" data-for="id">: the length of that field, as you type.
  document.addEventListener("input", function (evt) {
    var field = evt.target;
    if (!field.id) return;
    document.querySelectorAll('.char-count[data-for="' + field.id + '"]').forEach(function (el) {
      el.textContent = field.value.length;
      var max = parseInt(field.getAttribute("data-counter") || field.getAttribute("maxlength"), 10);
      el.classList.toggle("bad", max > 0 && field.value.length > max);
    });
  });

  // <input data-filter-select="#select">: hide the options whose text does not match.
  document.addEventListener("input", function (evt) {
    var selector = evt.target.getAttribute && evt.target.getAttribute("data-filter-select");
    if (!selector) return;
    var select = document.querySelector(selector);
    if (!select) return;
    var words = evt.target.value.toLowerCase().trim();
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      option.hidden = words !== "" && option.text.toLowerCase().indexOf(words) === -1;
    });
    // A group (a provider) with no option left shows no heading either.
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  });

  // <input type="checkbox" data-select-all="selector">: ticks or clears every box it selects.
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    var selector = box.getAttribute && box.getAttribute("data-select-all");
    if (!selector) return;
    document.querySelectorAll(selector).forEach(function (el) { el.checked = box.checked; });
  });

  // <form data-upload-progress>: send with a progress bar when files are attached, then
  // show whatever the server answered (the job page, or the form with its errors).
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-upload-progress")) return;
    var hasFiles = Array.prototype.some.call(form.querySelectorAll("input[type=file]"),
      function (input) { return input.files && input.files.length; });
    if (!hasFiles) return;
    evt.preventDefault();
    // <input type=file data-max-bytes>: say so at once rather than after a long upload.
    var tooBig = Array.prototype.filter.call(form.querySelectorAll("input[type=file][data-max-bytes]"),
      function (input) {
        var max = parseInt(input.getAttribute("data-max-bytes"), 10);
        return input.files && input.files.length && input.files[0].size > max;
      });
    if (tooBig.length) {
      var max = parseInt(tooBig[0].getAttribute("data-max-bytes"), 10);
      toast(tooBig[0].files[0].name + " is larger than " + Math.floor(max / 1048576) + " MB.", "error");
      return;
    }
    var bar = form.querySelector("progress.upload-progress");
    var button = form.querySelector("button[type=submit]");
    if (bar) bar.hidden = false;
    if (button) button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open(form.method || "POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Upload-Progress", "1");
    // The upload views check the token from this header before they read the body.
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    if (headers["X-CSRFToken"]) xhr.setRequestHeader("X-CSRFToken", headers["X-CSRFToken"]);
    xhr.upload.onprogress = function (e) {
      if (bar && e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    };
    xhr.onload = function () {
      // Accepted: the server names the next page (dashboard.middleware.upload_redirects).
      var next = xhr.getResponseHeader("X-Location");
      if (xhr.status === 204 && next) {
        window.location.href = next;
        return;
      }
      if (xhr.status === 413) {  // over the page's body cap (dashboard.middleware.BodyCap)
        if (bar) bar.hidden = true;
        if (button) button.disabled = false;
        toast("That is more than Voxboard accepts here at once; nothing was kept. Send fewer or smaller files.", "error");
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      if (button) button.disabled = false;
      toast("The upload did not reach Voxboard. Check your connection and try again.", "error");
    };
    xhr.send(new FormData(form));
  });

  // <button data-play-all="selector">: play the players it selects one after another, for
  // A/B listening. Pressing it again, or pausing the one playing, ends the run.
  function stopPlayAll(button) {
    var run = button.playAllRun;
    if (!run) return;
    button.playAllRun = null;
    button.setAttribute("aria-pressed", "false");
    run.players.forEach(function (player) {
      player.removeEventListener("ended", run.next);
      player.removeEventListener("pause", run.paused);
      if (!player.paused) player.pause();
    });
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-play-all]");
    if (!button) return;
    if (button.playAllRun) { stopPlayAll(button); return; }
    var players = Array.prototype.filter.call(
      document.querySelectorAll(button.getAttribute("data-play-all")),
      function (player) { return player.getAttribute("src"); });
    if (!players.length) return;
    var run = { players: players, at: 0 };
    run.play = function () {
      var player = players[run.at];
      player.currentTime = 0;
      var started = player.play();
      if (started && started.catch) started.catch(function () { stopPlayAll(button); });
    };
    run.next = function () {
      run.at += 1;
      if (run.at < players.length) run.play(); else stopPlayAll(button);
    };
    // The one playing paused, not at its end, is someone stopping it by hand (a late
    // event from the pause below finds it playing again and is ignored).
    run.paused = function (e) {
      var player = e.target;
      if (player === players[run.at] && player.paused && !player.ended) stopPlayAll(button);
    };
    players.forEach(function (player) {
      if (!player.paused) player.pause();
      player.addEventListener("ended", run.next);
      player.addEventListener("pause", run.paused);
    });
    button.playAllRun = run;
    button.setAttribute("aria-pressed", "true");
    run.play();
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    navigator.clipboard.writeText(field.value).then(function () { toast("Copied.", "success"); });
  });

  // <input type="hidden" data-follows="#control">: keeps the value of that control, so a
  // form elsewhere on the page sends what a filter shows now (the voice catalog's Burki
  // Refresh asks Burki for the status and host filtered by). Kept in step as the control
  // changes and when htmx draws the form anew.
  function follow() {
    document.querySelectorAll("input[data-follows]").forEach(function (input) {
      var control = document.querySelector(input.getAttribute("data-follows"));
      if (control) input.value = control.value;
    });
  }
  document.addEventListener("change", follow);
  document.addEventListener("htmx:load", follow);
})();
