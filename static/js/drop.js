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

  // app.js checks the first file of an input against its data-max-bytes; every file
  // dropped or chosen here is checked, before any byte is sent.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.querySelector || !form.querySelector("[data-drop-zone]")) return;
    var input = form.querySelector("[data-drop-zone] input[type=file][data-max-bytes]");
    if (!input || !input.files) return;
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
    if (!big.length) return;
    evt.preventDefault();
    evt.stopImmediatePropagation();
    var text = big.map(function (f) { return f.name; }).join(", ") +
      (big.length === 1 ? " is" : " are") + " larger than " + Math.floor(max / 1048576) +
      " MB; nothing was sent.";
    document.dispatchEvent(new CustomEvent("toasts", { detail: [{ message: text, level: "error" }] }));
  }, true);

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
