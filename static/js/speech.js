// The speech form: only the chosen voice's provider's settings are shown. The server draws
// that provider's group alone once it knows the voice (and htmx asks it again on a change);
// this hides the other groups at once, and disables them so nothing of theirs is sent.
(function () {
  "use strict";

  function showChosen(select) {
    var option = select.options[select.selectedIndex];
    var provider = option ? option.getAttribute("data-provider") : null;
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("fieldset[data-provider]").forEach(function (group) {
      var other = group.getAttribute("data-provider") !== provider;
      group.hidden = other;
      group.disabled = other;
    });
  }

  function showAll() {
    document.querySelectorAll("select[data-shows-provider]").forEach(showChosen);
  }

  document.addEventListener("DOMContentLoaded", showAll);
  // A page restored from the back button keeps the voice picked before.
  window.addEventListener("pageshow", showAll);
  document.addEventListener("htmx:afterSettle", showAll);
  document.addEventListener("change", function (evt) {
    var select = evt.target;
    if (select.hasAttribute && select.hasAttribute("data-shows-provider")) showChosen(select);
  });
})();
