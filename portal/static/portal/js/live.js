/* Parvis live: one WebSocket per tab (portal/core/consumers.py; the contract is
   portal/core/live.py). Opened only on pages of a signed-in person, whose <body> carries
   data-live-url="/ws/live/". Every element [data-live-topic] (with data-live-after="<the last
   id it shows>") is subscribed at load and after htmx swaps, and unsubscribed when it leaves
   the page. Every frame from the server is dispatched as a "parvis:live" event on document
   (detail: {topic, event, data}); "parvis:live-status" (detail: {connected}) tells whether
   the socket is up, so pages may stop polling while it is. Reconnects with back-off (1 s to
   30 s, with jitter) and subscribes again after the last id each topic saw: nothing missed
   while the socket was down is lost (pages drop ids they already show). */
(function () {
  "use strict";

  var body = document.body;
  var path = body && body.getAttribute("data-live-url");
  if (!path || typeof window.WebSocket !== "function") return;

  var MIN_DELAY = 1000;
  var MAX_DELAY = 30000;
  var socket = null;
  var connected = false;
  var failures = 0;
  var timer = null;
  // topic -> the last id seen (null: none yet), for every topic the page shows.
  var topics = new Map();
  // Topics the server refused: the page has been told; not asked again until reload.
  var refused = new Set();

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  function dispatch(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function subscribe(topic) {
    if (refused.has(topic)) return;
    var frame = { action: "subscribe", topic: topic };
    var after = topics.get(topic);
    if (typeof after === "number" && after >= 0) frame.after = after;
    send(frame);
  }

  function lastId(element) {
    var value = parseInt(element.getAttribute("data-live-after") || "", 10);
    return isNaN(value) ? null : value;
  }

  // The topics on the page now; subscribe to new ones, unsubscribe from gone ones.
  function scan() {
    var seen = new Map();
    document.querySelectorAll("[data-live-topic]").forEach(function (element) {
      var topic = element.getAttribute("data-live-topic");
      if (!topic) return;
      var after = lastId(element);
      var known = seen.has(topic) ? seen.get(topic) : null;
      seen.set(topic, after === null ? known : Math.max(after, known === null ? after : known));
    });
    seen.forEach(function (after, topic) {
      if (topics.has(topic)) {
        var mine = topics.get(topic);
        if (after !== null && (mine === null || after > mine)) topics.set(topic, after);
        return;
      }
      topics.set(topic, after);
      subscribe(topic);
    });
    Array.from(topics.keys()).forEach(function (topic) {
      if (seen.has(topic)) return;
      topics.delete(topic);
      refused.delete(topic);
      send({ action: "unsubscribe", topic: topic });
    });
  }

  // The highest id a topic's frames carried: written back to its elements, so a reconnect
  // (or a page script) knows where the page is.
  function remember(frame) {
    var id = frame.data && frame.data.id;
    if (typeof id !== "number" || !topics.has(frame.topic)) return;
    var mine = topics.get(frame.topic);
    if (mine !== null && id <= mine) return;
    topics.set(frame.topic, id);
    document.querySelectorAll("[data-live-topic]").forEach(function (element) {
      if (element.getAttribute("data-live-topic") === frame.topic) {
        element.setAttribute("data-live-after", String(id));
      }
    });
  }

  function status(up) {
    if (connected === up) return;
    connected = up;
    dispatch("parvis:live-status", { connected: up });
  }

  function connect() {
    timer = null;
    try {
      socket = new WebSocket(url());
    } catch (error) {
      retry();
      return;
    }
    socket.addEventListener("open", function () {
      failures = 0;
      refused.clear();  // access may have come back: every topic is asked again
      status(true);
      topics.forEach(function (after, topic) { subscribe(topic); });
    });
    socket.addEventListener("message", function (message) {
      var frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (!frame || typeof frame.topic !== "string") return;
      if (frame.event === "subscribe.refused") refused.add(frame.topic);
      remember(frame);
      dispatch("parvis:live", frame);
    });
    socket.addEventListener("close", function () {
      socket = null;
      status(false);
      retry();
    });
  }

  // 1 s, 2 s, 4 s … 30 s, each between half and the whole of it: a restarted server is not
  // hit by every tab at the same instant.
  function retry() {
    if (timer !== null) return;
    var ceiling = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, failures));
    failures += 1;
    timer = window.setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  // A laptop that wakes up, a tab shown again, the network back: try now, not in 30 s.
  function soon() {
    if (socket === null && timer !== null) {
      window.clearTimeout(timer);
      failures = 0;
      connect();
    }
  }
  window.addEventListener("online", soon);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") soon();
  });

  // Topics come and go with htmx swaps and page scripts: look again after any change.
  var pending = null;
  function later() {
    if (pending === null) pending = window.setTimeout(function () { pending = null; scan(); }, 50);
  }
  document.addEventListener("htmx:afterSettle", later);
  if (typeof MutationObserver === "function") {
    new MutationObserver(later).observe(body, { childList: true, subtree: true });
  }
  // The bfcache keeps a page with its socket closed; shown again, it reconnects.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) soon();
  });

  scan();
  connect();
})();
