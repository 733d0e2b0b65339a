/* Parvis live pages: what the live socket (live.js) tells the pages of the floor. Every frame
   arrives as a "parvis:live" event on document ({topic, event, data}); the payload was made
   for this reader by the server (communities/live.py), who checked the policy when it was
   sent. Texts come from the templates' attributes or from the server, in the reader's
   language: no string is built here. Every page works without this file (a reload shows the
   same).

   - user:<id>  notifications.changed {count, label}: the bell's badge and its spoken label;
                messages.unread {count, label?}: [data-unread="messages"] in the header (and
                [data-unread-label="messages"] when a label comes). While the socket is up
                neither polls (their htmx requests are cancelled); the socket's catch-up
                gives the counts at each (re)connection.
   - community:<id>  post.new {id}: "3 new posts — show" above a feed ([data-new-posts]);
                the button loads the feed's first page again.
   - post:<id>  comment.new / comment.changed {id, parent, html | removed}: the comment is
                added to its thread, replaced, or taken away; never twice (by id). */
(function () {
  "use strict";

  var connected = false;

  function each(selector, callback, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), callback);
  }

  function topicElements(topic) {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-live-topic]"),
      function (element) { return element.getAttribute("data-live-topic") === topic; }
    );
  }

  // --- The bell and the header's counts ---------------------------------------------------

  function setBell(data) {
    if (typeof data.count !== "number") return;
    each("[data-bell]", function (bell) {
      bell.classList.toggle("bell-unread", data.count > 0);
      var badge = bell.querySelector("[data-bell-count]");
      if (badge) {
        badge.textContent = data.count > 0 ? String(data.count) : "";
        badge.hidden = data.count === 0;
      }
      var label = bell.querySelector("[data-bell-label]");
      if (label && data.label) label.textContent = data.label;
    });
  }

  function setUnread(kind, data) {
    if (typeof data.count !== "number") return;
    each("[data-unread='" + kind + "']", function (element) {
      element.textContent = data.count > 0 ? String(data.count) : "";
      element.hidden = data.count === 0;
    });
    if (data.label) {
      each("[data-unread-label='" + kind + "']", function (element) {
        element.textContent = data.label;
      });
    }
  }

  // While the socket is up its events keep the bell and the messages link right: their
  // two-minute polls would only cost requests. Dropped, the polls go on by themselves (htmx
  // keeps their timers), and the next connection's catch-up sets the counts again.
  var POLLS = "[data-bell], [data-messages-link]";
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (connected && event.target.closest && event.target.closest(POLLS)) {
      event.preventDefault();
    }
  });

  document.addEventListener("parvis:live-status", function (event) {
    connected = Boolean(event.detail && event.detail.connected);
  });

  // --- New posts above a feed -------------------------------------------------------------

  function newPostsBoxes(topic) {
    var boxes = [];
    topicElements(topic).forEach(function (element) {
      var box = element.closest("[data-new-posts]");
      if (box && boxes.indexOf(box) === -1) boxes.push(box);
    });
    return boxes;
  }

  var waiting = new WeakMap(); // box -> Set of post ids not shown yet

  function announcePosts(box) {
    var ids = waiting.get(box);
    var count = ids ? ids.size : 0;
    var button = box.querySelector("[data-new-posts-button]");
    var label = box.querySelector("[data-new-posts-label]");
    if (!button || !label) return;
    if (count === 0) {
      button.hidden = true;
      return;
    }
    var text = count === 1 ? box.getAttribute("data-label-one")
      : (box.getAttribute("data-label-many") || "").replace(
        box.getAttribute("data-count-placeholder") || "2", String(count));
    label.textContent = text;
    button.hidden = false;
  }

  function newPost(frame) {
    var id = frame.data && frame.data.id;
    if (typeof id !== "number" || document.getElementById("post-" + id)) return;
    newPostsBoxes(frame.topic).forEach(function (box) {
      var ids = waiting.get(box) || new Set();
      ids.add(id);
      waiting.set(box, ids);
      announcePosts(box);
    });
  }

  function loadNewPosts(box) {
    var url = box.getAttribute("data-load-url") || window.location.pathname;
    var feed = document.getElementById("feed");
    // An empty feed shows an empty state beside it: the page itself is simpler to reload.
    if (!feed || !window.htmx || !feed.querySelector(".post")) {
      window.location.assign(url);
      return;
    }
    window.htmx.ajax("GET", url, { target: "#feed", swap: "outerHTML", select: "#feed" })
      .then(function () {
        waiting.delete(box);
        announcePosts(box);
        var first = document.querySelector("#feed > .post");
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus();
        }
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-new-posts-button]");
    if (button) loadNewPosts(button.closest("[data-new-posts]"));
  });

  // --- Comments on a post page --------------------------------------------------------------

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var element = template.content.firstElementChild;
    if (!element) return null;
    // The server rendered the forms without a request: they take this page's CSRF token.
    var token = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (token) {
      each("input[name='csrfmiddlewaretoken']", function (input) {
        input.value = token.value;
      }, element);
    }
    return element;
  }

  function activate(element) {
    if (window.htmx) window.htmx.process(element);
  }

  function announce(list) {
    var status = list.parentNode.querySelector("[data-live-announce]");
    if (!status) return;
    // Emptied first, so that the same words are spoken again for the next comment.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = status.getAttribute("data-text") || "";
    }, 100);
  }

  function placeComment(list, data) {
    var existing = document.getElementById("comment-" + data.id);
    if (data.removed) {
      if (existing) existing.remove();
      return;
    }
    if (typeof data.html !== "string") return;
    var element = fragment(data.html);
    if (!element) return;
    if (existing) {
      // An edit (or a comment this page already shows): replaced where it is, its replies kept.
      var replies = existing.querySelector(":scope > .replies");
      var empty = element.querySelector(":scope > .replies");
      if (replies) {
        if (empty) empty.remove();
        element.appendChild(replies);
      }
      existing.replaceWith(element);
      activate(element);
      return;
    }
    var into;
    if (data.parent) {
      var thread = document.getElementById("comment-" + data.parent);
      if (!thread || !list.contains(thread)) return; // its thread is on another page
      into = thread.querySelector(":scope > .replies");
      if (!into) {
        into = document.createElement("ol");
        into.className = "replies";
        thread.appendChild(into);
      }
    } else {
      // A newer thread belongs after the ones still to load: "Show more comments" brings it.
      if (list.querySelector(":scope > .load-more[id^='comments-after-']")) return;
      into = list;
    }
    var placeholder = list.querySelector(":scope > [data-no-comments]");
    if (placeholder) placeholder.remove();
    into.appendChild(element);
    activate(element);
    announce(list);
  }

  function comment(frame) {
    if (!frame.data || typeof frame.data.id !== "number") return;
    topicElements(frame.topic).forEach(function (list) {
      if (list.hasAttribute("data-live-comments")) placeComment(list, frame.data);
    });
  }

  // --- The frames ---------------------------------------------------------------------------

  // A page whose topic the server now refuses (access ended) says so once, as a toast.
  function refused(frame) {
    var told = false;
    topicElements(frame.topic).forEach(function (element) {
      var text = element.getAttribute("data-refused-text");
      if (!text) return;
      var box = element.closest("[data-new-posts]");
      if (box) {
        waiting.delete(box);
        announcePosts(box);
      }
      if (told) return;
      told = true;
      document.dispatchEvent(new CustomEvent("parvis:toast", {
        detail: { level: "warning", message: text },
      }));
    });
  }

  document.addEventListener("parvis:live", function (event) {
    var frame = event.detail || {};
    if (frame.event === "subscribe.refused") {
      refused(frame);
      return;
    }
    var kind = typeof frame.topic === "string" ? frame.topic.split(":")[0] : "";
    var data = frame.data || {};
    if (kind === "user") {
      if (frame.event === "notifications.changed") setBell(data);
      else if (frame.event === "messages.unread") setUnread("messages", data);
    } else if (kind === "community" && frame.event === "post.new") {
      newPost(frame);
    } else if (kind === "post" && (frame.event === "comment.new" || frame.event === "comment.changed")) {
      comment(frame);
    }
  });
})();
