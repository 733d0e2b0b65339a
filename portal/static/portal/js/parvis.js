/* Parvis: the few behaviours of the pages, bound through data- attributes (the
   Content-Security-Policy forbids inline handlers). Delegated from the document, so they
   also work in fragments that htmx swaps in. Texts come from the attributes, translated by
   the templates: no string is ever built into JavaScript here. */
(function () {
  "use strict";

  // A form that ends something asks first:
  //   <form data-confirm="Delete this post?" data-confirm-action="Delete">.
  // The question opens the page's confirmation dialog (components/confirm_dialog.html), a
  // modal <dialog>: the browser traps the focus there and Escape cancels. Confirmed, the
  // form is submitted again with the same button (so htmx, which listens to the form's
  // submit, sends it as usual); cancelled, nothing happens and the focus goes back.
  var confirmed = new WeakSet();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question) return;
    if (confirmed.has(form)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var dialog = document.querySelector("[data-confirm-dialog]");
    var submitter = event.submitter || null;
    if (!dialog || typeof dialog.showModal !== "function") {
      // A page without the dialog (or a very old browser): the browser's own question.
      if (window.confirm(question)) submitAgain(form, submitter);
      return;
    }
    askInDialog(dialog, form, submitter, question);
  }, true);

  function submitAgain(form, submitter) {
    if (typeof form.requestSubmit !== "function") {
      form.submit();
      return;
    }
    // requestSubmit dispatches the submit event at once: the pass lasts for that event only
    // (a form the browser finds invalid sends no event, and asks again next time).
    confirmed.add(form);
    try {
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } finally {
      confirmed.delete(form);
    }
  }

  function askInDialog(dialog, form, submitter, question) {
    var returnTo = submitter || document.activeElement;
    var button = dialog.querySelector("[data-confirm-button]");
    dialog.querySelector("[data-confirm-question]").textContent = question;
    button.textContent = form.getAttribute("data-confirm-action") ||
      button.getAttribute("data-default-label");
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "confirm") {
        submitAgain(form, submitter);
      } else if (returnTo && typeof returnTo.focus === "function" && document.contains(returnTo)) {
        returnTo.focus();
      }
    });
    dialog.showModal();
  }

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

  // Toasts (components/toasts.html). Django's messages arrive in the page; an htmx response
  // adds one with the header  HX-Trigger: {"parvis:toast": {"level": "success", "message": "…"}}
  // (portal/core/toasts.py: toast_trigger). With JavaScript the region floats, each toast
  // gets its close button, and success and info toasts leave after a while, unless the
  // pointer or the focus is on them; errors and warnings stay until they are closed.
  var TOAST_DELAY = 6000;
  var LEVELS = ["success", "info", "warning", "error"];

  function dismissToast(toast) {
    if (!toast || toast.classList.contains("is-leaving")) return;
    var region = toast.parentNode;
    if (region && toast.contains(document.activeElement)) {
      var main = document.getElementById("main");
      if (main) main.focus();
    }
    toast.classList.add("is-leaving");
    window.setTimeout(function () { toast.remove(); }, 250);
  }

  function armToast(toast) {
    var close = toast.querySelector("[data-toast-close]");
    if (close) close.hidden = false;
    var level = toast.getAttribute("data-level");
    if (level !== "success" && level !== "info") return;
    var timer = null;
    // Long enough to read: six seconds, more for a long message.
    var text = toast.querySelector("[data-toast-text]");
    var delay = Math.max(TOAST_DELAY, (text ? text.textContent.length : 0) * 80);
    function start() { timer = window.setTimeout(function () { dismissToast(toast); }, delay); }
    function stop() { window.clearTimeout(timer); }
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("focusout", start);
    start();
  }

  function addToast(level, text) {
    var region = document.querySelector("[data-toasts]");
    level = LEVELS.indexOf(level) >= 0 ? level : "info";
    var template = document.querySelector("[data-toast-template='" + level + "']");
    if (!region || !template || !text) return;
    var toast = template.content.firstElementChild.cloneNode(true);
    toast.querySelector("[data-toast-text]").textContent = text;
    region.appendChild(toast);
    armToast(toast);
  }

  function startToasts() {
    var region = document.querySelector("[data-toasts]");
    if (!region) return;
    region.classList.add("is-floating");
    Array.prototype.forEach.call(region.querySelectorAll("[data-toast]"), armToast);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startToasts);
  } else {
    startToasts();
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var close = event.target.closest("[data-toast-close]");
    if (close) dismissToast(close.closest("[data-toast]"));
  });
  document.addEventListener("keydown", function (event) {
    // Escape in a toast closes it (a modal dialog handles its own Escape).
    if (event.key !== "Escape") return;
    var toast = event.target.closest && event.target.closest("[data-toast]");
    if (toast) dismissToast(toast);
  });
  // htmx dispatches each HX-Trigger event on the element that made the request; it bubbles.
  document.addEventListener("parvis:toast", function (event) {
    var detail = event.detail || {};
    addToast(detail.level, detail.message || detail.value);
  });
})();
