/* Conversations, enhanced: the page works as plain forms without this file. With it:
   - live frames (live.js dispatches `parvis:live` with {topic, event, data}) put new and
     changed messages in place, by id: a message already shown is replaced, never appended
     twice (the author's own answer and the live frame may come in either order);
   - the compose box sends with htmx (Ctrl+Enter too), keeps the text on a refusal (the
     reason comes as a toast), and is emptied only once the message is stored;
   - the read mark follows what the reader has seen (while the tab is visible);
   - "Reply" fills the compose box's quote without a reload;
   - a refused subscription (access ended) says so and closes the box.
   No text is built here: every word comes from the templates. */
(function () {
  "use strict";

  function messageList() { return document.getElementById("messages"); }
  function root() { return document.querySelector("[data-conversation]"); }
  function compose() { return document.querySelector("[data-chat-compose]"); }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content.firstElementChild;
  }

  function process(element) {
    if (window.htmx && element) window.htmx.process(element);
  }

  function nearBottom() {
    var doc = document.documentElement;
    return doc.scrollHeight - (window.scrollY + window.innerHeight) < 240;
  }

  // Insert or replace one message (`<li id="message-<id>" data-message-id>`), in id order.
  function place(html, mayAppend) {
    var element = fragment(html);
    var list = messageList();
    if (!element || !element.id || !list) return null;
    var existing = document.getElementById(element.id);
    if (existing) {
      existing.replaceWith(element);
    } else if (mayAppend) {
      var empty = list.querySelector("[data-chat-empty]");
      if (empty) empty.remove();
      var id = Number(element.getAttribute("data-message-id"));
      var items = list.querySelectorAll("[data-message-id]");
      var before = null;
      for (var i = items.length - 1; i >= 0; i--) {
        if (Number(items[i].getAttribute("data-message-id")) > id) before = items[i];
        else break;
      }
      list.insertBefore(element, before);
    } else {
      return null;
    }
    process(element);
    return element;
  }

  // The read mark: the largest id shown, sent at most once a second while visible.
  var readTimer = null;
  var readSent = 0;
  function markRead() {
    var conversation = root();
    var list = messageList();
    if (!conversation || !list || document.visibilityState !== "visible") return;
    if (!list.hasAttribute("data-live-append")) return; // reading an older page
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      var items = list.querySelectorAll("[data-message-id]");
      if (!items.length) return;
      var last = Number(items[items.length - 1].getAttribute("data-message-id"));
      if (last <= readSent) return;
      readSent = last;
      var body = new FormData();
      body.append("up_to", String(last));
      fetch(conversation.getAttribute("data-read-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}
      }).catch(function () { readSent = 0; });
    }, 1000);
  }

  document.addEventListener("visibilitychange", markRead);

  document.addEventListener("parvis:live", function (event) {
    var frame = event.detail || {};
    var list = messageList();
    if (!list || frame.topic !== list.getAttribute("data-live-topic")) return;
    var data = frame.data || {};
    if (frame.event === "message.new" && data.html) {
      var follow = nearBottom();
      var element = place(data.html, list.hasAttribute("data-live-append"));
      if (element && follow) element.scrollIntoView({block: "nearest"});
      markRead();
    } else if (frame.event === "message.changed" && data.html) {
      place(data.html, false);
    } else if (frame.event === "conversation.changed" && data.html) {
      var head = document.getElementById("conversation-header");
      var fresh = fragment(data.html);
      if (head && fresh) {
        head.replaceWith(fresh);
        process(fresh);
      }
    } else if (frame.event === "subscribe.refused") {
      var gone = document.querySelector("[data-conversation-gone]");
      if (gone) gone.hidden = false;
      var form = compose();
      if (form) form.remove();
      // Nothing left to act on: every button would answer 404 now.
      document.querySelectorAll(".chat-message-actions, #conversation-header .actions, #conversation-header .disclosure")
        .forEach(function (element) { element.remove(); });
    }
  });

  // Sending: htmx posts the form (hx-swap="none"); the answer is the stored message.
  function newToken() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(36).slice(2);
  }

  function clearReply(form) {
    var field = form.querySelector("[data-reply-field]");
    var box = form.querySelector("[data-replying]");
    if (field) field.value = "";
    if (box) box.hidden = true;
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-chat-compose]")) return;
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr) return; // the text stays; a toast says why
    var element = place(xhr.responseText, true);
    form.reset();
    var token = form.querySelector("[name=client_token]");
    if (token) token.value = newToken();
    var body = form.querySelector("[data-chat-body]");
    if (body) body.value = "";
    clearReply(form);
    if (element) element.scrollIntoView({block: "nearest"});
    if (body) body.focus();
    markRead();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var body = event.target.closest && event.target.closest("[data-chat-body]");
    if (!body || !body.form) return;
    event.preventDefault();
    if (typeof body.form.requestSubmit === "function") body.form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) return;
    var form = compose();
    var reply = target.closest("[data-reply-to]");
    if (reply && form) {
      event.preventDefault();
      var message = reply.closest("[data-message-id]");
      form.querySelector("[data-reply-field]").value = reply.getAttribute("data-reply-to");
      var name = message && message.querySelector(".chat-message-meta strong");
      var text = message && message.querySelector(".post-body");
      form.querySelector("[data-replying-name]").textContent = name ? name.textContent : "";
      form.querySelector("[data-replying-text]").textContent =
        text ? text.textContent.trim().slice(0, 80) : "";
      form.querySelector("[data-replying]").hidden = false;
      form.querySelector("[data-chat-body]").focus();
      return;
    }
    if (target.closest("[data-reply-cancel]") && form) {
      event.preventDefault();
      clearReply(form);
      form.querySelector("[data-chat-body]").focus();
    }
  });

  function start() {
    var list = messageList();
    if (!list) return;
    if (!window.location.hash && list.hasAttribute("data-live-append")) {
      var items = list.querySelectorAll("[data-message-id]");
      if (items.length) items[items.length - 1].scrollIntoView({block: "end"});
    }
    markRead();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
