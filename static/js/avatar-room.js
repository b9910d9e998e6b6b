// The avatar room page: the avatar's Agora video (or, for a sandbox room, the sandbox's
// stand-in), a heartbeat while the room is live, a leave beacon when the page goes away,
// and the countdown to expiry. Loaded only on the room page, after the vendored
// AgoraRTC_N-production.js when the room is a real one; no inline script anywhere.
//
// It reads <div id="avatar-stage"> and its data attributes: app-id, channel, token, uid,
// expires-at (ISO 8601), stand-in-url (sandbox rooms only), beat-url, leave-url, state,
// and beat-seconds (optional, 10 by default; tests shorten it).
(function () {
  "use strict";

  var stage = document.getElementById("avatar-stage");
  if (!stage) return;
  var data = stage.dataset;
  var videoBox = stage.querySelector(".avatar-video");
  var captions = stage.querySelector(".avatar-captions");
  var countdown = stage.querySelector(".avatar-countdown");
  var beatSeconds = parseFloat(data.beatSeconds) || 10;
  var POLL_SECONDS = 1;

  var state = data.state;
  var expiresAt = Date.parse(data.expiresAt || "");
  var leaving = false;  // Leave was pressed: its form says so to the server, not a beacon.
  var finished = false;
  var beatTimer = null;
  var countdownTimer = null;
  var expiredBeatSent = false;
  var media = { stop: function () {} };

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function live() {
    return state === "live" && !leaving && !finished;
  }

  // The room is over (left, expired, closed elsewhere): stop everything and let the
  // server's page show how it ended.
  function finish() {
    if (finished) return;
    finished = true;
    clearInterval(beatTimer);
    clearInterval(countdownTimer);
    media.stop();
    window.location.reload();
  }

  // Heartbeat ------------------------------------------------------------------------

  function beat() {
    if (!live()) return;
    fetch(data.beatUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      if (response.status === 404) { finish(); return null; }
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || finished) return;
      if (answer.ends_at) {
        var ends = Date.parse(answer.ends_at);
        if (!isNaN(ends)) expiresAt = ends;
      }
      if (answer.state && answer.state !== "live") {
        state = answer.state;
        finish();
      }
    }).catch(function () {
      // Offline for a moment: the next beat tries again. A page that never beats again
      // is left by the server's sweep after its grace period.
    });
  }

  // Leaving --------------------------------------------------------------------------

  // The Leave button is an ordinary form (to the leave URL, or marked data-avatar-leave).
  // A submit a confirmation cancelled never gets here (app.js stops it first).
  function isLeaveForm(form) {
    if (!form || !form.getAttribute) return false;
    if (form.hasAttribute("data-avatar-leave")) return true;
    var action = form.getAttribute("action");
    return !!action && new URL(action, window.location.href).pathname ===
      new URL(data.leaveUrl, window.location.href).pathname;
  }

  document.addEventListener("submit", function (evt) {
    if (isLeaveForm(evt.target)) {
      leaving = true;
      clearInterval(beatTimer);
    }
  });

  // Tab closed, reloaded or navigated away: tell the server at once, as the page goes.
  window.addEventListener("pagehide", function () {
    if (live()) {
      var form = new FormData();
      form.append("csrfmiddlewaretoken", csrfToken());
      form.append("reason", "abandoned");
      navigator.sendBeacon(data.leaveUrl, form);
      state = "leaving";
    }
    media.stop();
  });

  // Back from the browser's page cache after the beacon: show the room as it is now.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) window.location.reload();
  });

  // Countdown ------------------------------------------------------------------------

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    if (!countdown || isNaN(expiresAt)) return;
    var left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    if (left > 0) {
      countdown.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      return;
    }
    countdown.textContent = "Expired";
    if (!expiredBeatSent) {
      // The server has closed the room by now; one beat hears so and reloads the page.
      expiredBeatSent = true;
      beat();
    }
  }

  // Agora ----------------------------------------------------------------------------

  function say(text) {
    if (captions) captions.textContent = text;
  }

  function joinAgora() {
    var AgoraRTC = window.AgoraRTC;
    if (!AgoraRTC) {
      say("The avatar's video could not be loaded.");
      return;
    }
    var client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
    var joined = null;
    // Browsers hold sound back until someone interacts with the page; a click resumes it.
    AgoraRTC.onAutoplayFailed = function () {
      if (stage.querySelector(".avatar-unmute")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "avatar-unmute";
      button.textContent = "Turn the avatar's sound on";
      button.addEventListener("click", function () { button.remove(); });
      stage.appendChild(button);
    };
    client.on("user-published", function (user, mediaType) {
      client.subscribe(user, mediaType).then(function () {
        if (mediaType === "video" && user.videoTrack) user.videoTrack.play(videoBox);
        if (mediaType === "audio" && user.audioTrack) user.audioTrack.play();
      }).catch(function () {
        say("The avatar's " + mediaType + " could not be received.");
      });
    });
    var uid = /^\d+$/.test(data.uid || "") ? Number(data.uid) : (data.uid || null);
    joined = client.join(data.appId, data.channel, data.token || null, uid).catch(function () {
      say("The avatar's video could not be joined. The room stays open until you leave.");
    });
    media.stop = function () {
      media.stop = function () {};
      // Leaving before the join ended would leave it half made; wait for it.
      joined.then(function () { return client.leave(); }).catch(function () {});
    };
  }

  // Sandbox stand-in -----------------------------------------------------------------

  function standIn() {
    var url = data.standInUrl;
    var last = 0;
    var pollTimer = null;
    var queue = [];
    var playing = null;

    var placeholder = document.createElement("p");
    placeholder.className = "avatar-stand-in";
    placeholder.textContent = "Sandbox avatar (no Agora here)";
    videoBox.appendChild(placeholder);
    var voices = document.createElement("div");
    voices.className = "avatar-stand-in-audio";
    stage.appendChild(voices);

    function playNext() {
      if (playing || !queue.length) return;
      playing = queue.shift();
      var done = function () { playing = null; playNext(); };
      playing.addEventListener("ended", done, { once: true });
      var started = playing.play();
      if (started && started.catch) {
        started.catch(function () {
          // Autoplay refused: offer the player instead of saying nothing.
          playing.controls = true;
          done();
        });
      }
    }

    function show(item) {
      say(item.text);
      var audio = document.createElement("audio");
      audio.preload = "auto";
      audio.src = item.audio_url;
      audio.setAttribute("aria-label", "Avatar speech: " + item.text);
      audio.dataset.n = item.n;
      voices.appendChild(audio);
      queue.push(audio);
      playNext();
    }

    function poll() {
      if (finished) return;
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "after=" + last, { cache: "no-store", credentials: "omit" })
        .then(function (response) {
          if (response.status === 404) {
            // The room is gone upstream: stop asking, and hear from our server why.
            pollTimer = null;
            beat();
            return null;
          }
          return response.ok ? response.json() : { said: [] };
        })
        .then(function (answer) {
          if (!answer) return;
          (answer.said || []).forEach(function (item) {
            if (item.n > last) {
              last = item.n;
              show(item);
            }
          });
          if (!finished) pollTimer = setTimeout(poll, POLL_SECONDS * 1000);
        })
        .catch(function () {
          if (!finished) pollTimer = setTimeout(poll, POLL_SECONDS * 1000);
        });
    }

    media.stop = function () {
      media.stop = function () {};
      clearTimeout(pollTimer);
      queue.length = 0;
      voices.querySelectorAll("audio").forEach(function (audio) { audio.pause(); });
    };
    poll();
  }

  // Start ----------------------------------------------------------------------------

  // A room already over is only shown as the server rendered it.
  if (state !== "live") return;
  tick();
  countdownTimer = setInterval(tick, 1000);
  if (data.standInUrl) standIn(); else joinAgora();
  beatTimer = setInterval(beat, beatSeconds * 1000);
})();
