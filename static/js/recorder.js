// The recorder (recordings/recorder.html): records the microphone in the page as PCM
// (an AudioWorklet, recorder-worklet.js; a ScriptProcessor where there is none), shows
// its level and length while recording, and encodes a 16-bit mono WAV when it stops,
// for the person to hear. Keep puts the WAV in the form's file input and the device's
// name in the hidden microphone input (and, with data-submit, sends the form); nothing
// leaves the page before that. No webm: Respeecher takes wav, ogg, mp3 and flac.
(function () {
  "use strict";
  if (window.voxRecorderLoaded) return;  // the include may be on a page twice
  window.voxRecorderLoaded = true;

  var MIN_SECONDS = 1;
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  var canRecord = !!(window.isSecureContext && navigator.mediaDevices &&
    navigator.mediaDevices.getUserMedia && AudioCtx && window.DataTransfer);

  // Samples (Float32 chunks, -1..1) as a RIFF/WAVE file of 16-bit PCM, one channel.
  function encodeWav(chunks, frames, rate) {
    var buffer = new ArrayBuffer(44 + frames * 2);
    var view = new DataView(buffer);
    function text(at, s) { for (var i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); }
    text(0, "RIFF");
    view.setUint32(4, 36 + frames * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);        // size of the fmt chunk
    view.setUint16(20, 1, true);         // PCM
    view.setUint16(22, 1, true);         // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true);  // bytes a second
    view.setUint16(32, 2, true);         // bytes a frame
    view.setUint16(34, 16, true);        // bits a sample
    text(36, "data");
    view.setUint32(40, frames * 2, true);
    var at = 44;
    chunks.forEach(function (chunk) {
      for (var i = 0; i < chunk.length; i++) {
        var s = Math.max(-1, Math.min(1, chunk[i]));
        view.setInt16(at, s < 0 ? s * 0x8000 : s * 0x7fff, true);
        at += 2;
      }
    });
    return new Blob([buffer], { type: "audio/wav" });
  }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var s = whole % 60;
    return Math.floor(whole / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function takeName(now) {
    return "Take " + now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate()) +
      " " + two(now.getHours()) + "." + two(now.getMinutes()) + "." + two(now.getSeconds()) + ".wav";
  }

  // Why the browser gave no microphone, and what to do, in the person's words.
  function refusal(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") {
      return "Your browser did not let this page use the microphone, so nothing was recorded. " +
        "Allow the microphone for this site in your browser's site settings (the icon beside " +
        "the address), then press Record again.";
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. Plug one in or turn it on, then press Record again.";
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return "The microphone is busy or could not be started. Close other apps using it, " +
        "then press Record again.";
    }
    return "The microphone could not be started. Reload the page and press Record again.";
  }

  function setup(root) {
    var form = root.closest("form");
    if (!form) return;
    var fileInput = form.querySelector("input[type=file][data-recorder-file]") ||
      form.querySelector("input[type=file]");
    if (!fileInput) return;
    var part = function (name) { return root.querySelector("[data-recorder-" + name + "]"); };
    var startButton = part("start"), stopButton = part("stop"), live = part("live");
    var timer = part("timer"), level = part("level"), review = part("review");
    var player = part("player"), keepButton = part("keep"), retakeButton = part("retake");
    var errorBox = part("error"), statusBox = part("status"), micInput = part("microphone");
    var submit = root.hasAttribute("data-submit");
    var maxBytes = parseInt(fileInput.getAttribute("data-max-bytes") || "0", 10);

    var session = null;  // the recording under way: stream, context, nodes, samples
    var take = null;     // the take to review: blob, seconds, microphone, url

    function say(text) { statusBox.textContent = text; }
    function fail(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
    }

    function show(state) {
      startButton.hidden = state !== "idle";
      stopButton.hidden = state !== "recording";
      live.hidden = state !== "recording";
      review.hidden = state !== "review";
    }

    function forgetTake() {
      if (take && take.url) URL.revokeObjectURL(take.url);
      take = null;
      player.removeAttribute("src");
      player.load();
    }

    function release(s) {
      s.stream.getTracks().forEach(function (t) { t.stop(); });
      try { s.source.disconnect(); } catch (e) { /* already */ }
      try { s.node.disconnect(); } catch (e) { /* already */ }
      if (s.context.state !== "closed") s.context.close();
    }

    function collect(s, samples) {
      if (s.stopped && s.flushed) return;
      s.chunks.push(samples);
      s.frames += samples.length;
      var peak = 0;
      for (var i = 0; i < samples.length; i++) {
        var v = Math.abs(samples[i]);
        if (v > peak) peak = v;
      }
      // A meter that falls back slowly is easier to read than raw peaks.
      s.level = Math.max(peak, s.level * 0.85);
      level.value = Math.min(1, s.level);
      timer.textContent = clock(s.frames / s.context.sampleRate);
      if (maxBytes && 44 + (s.frames + 2 * samples.length) * 2 > maxBytes && !s.stopped) {
        s.full = true;
        stop();
      }
    }

    function capture(s) {
      var silent = s.context.createGain();
      silent.gain.value = 0;
      silent.connect(s.context.destination);
      if (s.context.audioWorklet && window.AudioWorkletNode) {
        return s.context.audioWorklet.addModule(root.getAttribute("data-worklet")).then(function () {
          var node = new AudioWorkletNode(s.context, "vox-capture");
          node.port.onmessage = function (evt) {
            if (evt.data.samples.length) collect(s, evt.data.samples);
            if (evt.data.last && s.onFlushed) s.onFlushed();
          };
          s.node = node;
          s.flush = function (done) {
            s.onFlushed = done;
            node.port.postMessage("flush");
            setTimeout(done, 500);  // a closed context never answers
          };
          s.source.connect(node);
          node.connect(silent);
        });
      }
      var node = s.context.createScriptProcessor(4096, 1, 1);
      node.onaudioprocess = function (evt) {
        if (!s.stopped) collect(s, new Float32Array(evt.inputBuffer.getChannelData(0)));
      };
      s.node = node;
      s.flush = function (done) { done(); };
      s.source.connect(node);
      node.connect(silent);
      return Promise.resolve();
    }

    function start() {
      fail("");
      forgetTake();
      startButton.disabled = true;
      say("Asking for the microphone…");
      var constraints = {
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      };
      navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
        var track = stream.getAudioTracks()[0];
        var context = new AudioCtx();
        var s = {
          stream: stream, context: context, source: context.createMediaStreamSource(stream),
          chunks: [], frames: 0, level: 0, stopped: false, flushed: false,
          microphone: (track && track.label) || "Browser microphone",
        };
        session = s;
        return capture(s).then(function () {
          return context.resume();
        }).then(function () {
          startButton.disabled = false;
          timer.textContent = "0:00";
          level.value = 0;
          show("recording");
          say("Recording from " + s.microphone + ". Press Stop when you are done.");
          stopButton.focus();
        }, function (err) {
          release(s);
          session = null;
          throw err;
        });
      }).catch(function (err) {
        session = null;
        startButton.disabled = false;
        show("idle");
        say("");
        fail(refusal(err));
      });
    }

    function stop() {
      var s = session;
      if (!s || s.stopped) return;
      s.stopped = true;
      stopButton.disabled = true;
      var finished = false;
      s.flush(function () {
        if (finished) return;
        finished = true;
        s.flushed = true;
        release(s);
        session = null;
        stopButton.disabled = false;
        review_(s);
      });
    }

    function review_(s) {
      var seconds = s.frames / s.context.sampleRate;
      var blob = encodeWav(s.chunks, s.frames, s.context.sampleRate);
      take = { blob: blob, seconds: seconds, microphone: s.microphone, url: URL.createObjectURL(blob) };
      player.src = take.url;
      show("review");
      var length = seconds.toFixed(1) + " s";
      if (seconds < MIN_SECONDS) {
        keepButton.disabled = true;
        fail("The take lasts " + length + "; a take needs at least " + MIN_SECONDS +
          " second. Press Re-take and record a little longer.");
        say("");
        retakeButton.focus();
        return;
      }
      keepButton.disabled = false;
      say((s.full ? "The take reached the largest file Voxboard accepts and stopped. " : "") +
        "Listen back, then Keep the " + length + " take or Re-take it.");
      keepButton.focus();
    }

    function keep() {
      if (!take || take.seconds < MIN_SECONDS) return;  // refused above; never sent
      var file = new File([take.blob], takeName(new Date()), { type: "audio/wav" });
      var files = new DataTransfer();
      files.items.add(file);
      fileInput.files = files.files;
      micInput.value = take.microphone;
      keepButton.disabled = true;
      retakeButton.disabled = !!submit;
      if (submit) {
        say("Sending the " + take.seconds.toFixed(1) + " s take…");
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      } else {
        say("Kept: a " + take.seconds.toFixed(1) + " s take from " + take.microphone + ".");
      }
    }

    function retake() {
      forgetTake();
      fileInput.value = "";
      micInput.value = "";
      keepButton.disabled = false;
      retakeButton.disabled = false;
      start();
    }

    // A file chosen by hand afterwards is not a recorded take.
    fileInput.addEventListener("change", function () { micInput.value = ""; });
    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
    keepButton.addEventListener("click", keep);
    retakeButton.addEventListener("click", retake);
    window.addEventListener("pagehide", function () { if (session) release(session); });

    show("idle");
    root.hidden = false;
    var holder = root.closest("[data-recorder-holder]");
    if (holder) holder.hidden = false;
  }

  if (!canRecord) return;
  document.querySelectorAll("[data-recorder]").forEach(setup);
})();
