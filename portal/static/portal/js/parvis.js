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

  // The site menu is a <details> (templates/base.html) that opens without script. From
  // 720 px its content shows while it is closed, through ::details-content; a browser without
  // that pseudo-element gets the menu opened on wide screens instead.
  var siteMenu = document.querySelector("[data-site-menu]");
  if (siteMenu && window.CSS && CSS.supports && !CSS.supports("selector(::details-content)")) {
    var wide = window.matchMedia("(min-width: 721px)");
    var follow = function () { siteMenu.open = wide.matches; };
    follow();
    if (wide.addEventListener) wide.addEventListener("change", follow);
  }

  // Escape closes the open phone menu and gives the focus back to its Menu button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !siteMenu || !siteMenu.open) return;
    if (!siteMenu.contains(document.activeElement) || !siteMenu.querySelector("summary").offsetParent) return;
    siteMenu.open = false;
    siteMenu.querySelector("summary").focus();
  });

  // A read-only address to copy selects itself: <input readonly data-select-on-focus>.
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) return;

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

/* Forms (templates/forms/, docs/design-system.md "Forms"): fields shown on a condition, the
   first bad field focused, the file picker. Every form works without these: all fields show,
   the browser's own file input takes the files. */
(function () {
  "use strict";

  // <div data-show-when="name">: shown while the form's field `name` has a value (a checked
  // box, a chosen option); "!name": while it has none; "name=a|b": while its value is a or b.
  // A hidden block's fields are disabled, so they send nothing.
  function fieldValue(form, name) {
    var field = form.elements[name];
    if (!field) return "";
    if (field.type === "checkbox") return field.checked ? field.value || "on" : "";
    return field.value || "";
  }

  function holds(block) {
    var form = block.closest("form");
    if (!form) return true;
    var rule = block.getAttribute("data-show-when");
    var negate = rule.charAt(0) === "!";
    if (negate) rule = rule.slice(1);
    var parts = rule.split("=");
    var value = fieldValue(form, parts[0]);
    var result = parts.length > 1 ? parts[1].split("|").indexOf(value) !== -1 : value !== "";
    return negate ? !result : result;
  }

  function applyShowWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (block) {
      var shown = holds(block);
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (control) {
        if (!shown && !control.disabled) {
          control.disabled = true;
          control.setAttribute("data-hidden-disabled", "");
        } else if (shown && control.hasAttribute("data-hidden-disabled")) {
          control.disabled = false;
          control.removeAttribute("data-hidden-disabled");
        }
      });
    });
  }

  function formatSize(bytes, units) {
    var index = 0;
    while (bytes >= 1024 && index < units.length - 1) {
      bytes /= 1024;
      index += 1;
    }
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: index === 0 ? 0 : 1,
    }).format(bytes);
    return number + "\u00a0" + units[index];
  }

  function listFiles(input) {
    var picker = input.closest("[data-file-picker]");
    var list = picker && picker.querySelector(".file-picker-list");
    if (!list) return;
    var units = (list.getAttribute("data-units") || "B,KB,MB,GB").split(",");
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "file-picker-name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "file-picker-size";
      size.textContent = formatSize(file.size, units);
      item.append(name, " ", size);
      list.append(item);
    });
    list.hidden = list.children.length === 0;
    picker.classList.toggle("has-files", !list.hidden);
  }

  function focusField(field) {
    var fold = field.closest("details");
    if (fold) fold.open = true;
    var box = field.closest(".field") || field;
    box.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  function init(root) {
    root.querySelectorAll("[data-js-only]").forEach(function (element) {
      element.hidden = false;
    });
    applyShowWhen(root);
    root.querySelectorAll("[data-file-picker]").forEach(function (picker) {
      if (picker.classList.contains("is-enhanced")) return;
      picker.classList.add("is-enhanced");
      var zone = picker.querySelector(".file-picker-zone");
      if (zone) zone.hidden = false;
      var input = picker.querySelector("input[type=file]");
      if (input && input.files && input.files.length) listFiles(input);
    });
    // A form that came back with errors: the first bad field takes the focus (the summary
    // above the form lists them all); with only errors about the whole form, the summary.
    var summary = root.querySelector("[data-error-summary]");
    var shown = root.querySelector("[data-focus-on-load]");
    if (shown && !summary) {
      // What the reader asked to see (the invitation's e-mail preview): shown and focused.
      shown.scrollIntoView({ block: "start" });
      shown.focus({ preventScroll: true });
    }
    if (summary) {
      var form = summary.closest("form") || document;
      var bad = form.querySelector("[aria-invalid='true']:not([disabled])");
      if (bad) {
        focusField(bad);
      } else {
        summary.setAttribute("tabindex", "-1");
        summary.focus();
      }
    } else if (root === document) {
      // A hand-written form with no summary: its first bad field all the same.
      var first = document.querySelector("form [aria-invalid='true']:not([disabled])");
      if (first) focusField(first);
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.form) return;
    applyShowWhen(target.form);
    if (target.type === "file") listFiles(target);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-focus-field]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      focusField(field);
    }
  });

  // A file dragged over a picker lights its zone (the input under the pointer takes the drop).
  ["dragenter", "dragover", "dragleave", "drop"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var picker = event.target.closest && event.target.closest("[data-file-picker]");
      if (picker) {
        picker.classList.toggle("is-dragover", type === "dragenter" || type === "dragover");
      }
    });
  });

  init(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) init(event.target);
  });
})();
