/* Parvis: the few behaviours of the pages, bound through data- attributes (the
   Content-Security-Policy forbids inline handlers). Delegated from the document, so they
   also work in fragments that htmx swaps in. Texts come from the attributes, translated by
   the templates: no string is ever built into JavaScript here. */
(function () {
  "use strict";

  // A form that ends something asks first: <form data-confirm="Delete this post?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A read-only address to copy selects itself: <input readonly data-select-on-focus>.
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) return;

    // The phone menu: <button data-menu-toggle aria-controls="site-menu">.
    var toggle = target.closest("[data-menu-toggle]");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      if (menu) menu.classList.toggle("open", open);
      return;
    }

    // Copy a field's value: <button data-copy="id-of-the-input">.
    var copy = target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      if (field && navigator.clipboard) navigator.clipboard.writeText(field.value);
      return;
    }

    if (target.closest("[data-print]")) {
      window.print();
      return;
    }

    // An @mention suggestion replaces the name being typed in its form's text box:
    // <button data-mention="Display name"> inside <p data-mention-list>.
    var mention = target.closest("[data-mention]");
    if (mention) {
      var form = mention.closest("form");
      var box = form && form.querySelector("textarea");
      if (box) {
        var name = mention.getAttribute("data-mention");
        // A function, so that "$&" or "$1" in a name stays text.
        box.value = box.value.replace(/@\*{0,2}[^*@\n]*$/, function () {
          return "@**" + name + "** ";
        });
        box.focus();
      }
      var list = mention.closest("[data-mention-list]");
      if (list) list.remove();
    }
  });
})();
