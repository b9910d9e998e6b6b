// <div data-drop-zone> around an <input type=file>: files dropped on it become the
// input's files, so the form sends them as if chosen (with app.js's progress bar).
// Without script the input works as it is.
(function () {
  "use strict";

  function names(zone, input) {
    var list = zone.querySelector("[data-drop-list]");
    if (!list) return;
    var picked = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    list.textContent = picked.length ? picked.length + " chosen: " + picked.join(", ") : "";
  }

  document.querySelectorAll("[data-drop-zone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (evt) {
        evt.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (evt) {
      evt.preventDefault();
      if (!evt.dataTransfer || !evt.dataTransfer.files.length) return;
      input.files = evt.dataTransfer.files;
      names(zone, input);
    });
    input.addEventListener("change", function () { names(zone, input); });
  });
})();
