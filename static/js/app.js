// Voxboard's own behaviour: toasts, confirmations and copy buttons. No inline script
// anywhere, so the Content-Security-Policy can forbid it.
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

  // <form data-confirm="..."> asks before submitting, with or without htmx.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    navigator.clipboard.writeText(field.value).then(function () { toast("Copied.", "success"); });
  });
})();
