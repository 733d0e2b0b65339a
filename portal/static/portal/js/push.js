/* Push notifications on this device (Web Push, VAPID).

   On the devices page (templates/push/devices.html, the [data-push] block): "Turn on push on
   this device" asks the browser's permission (only after that click, never on page load),
   subscribes through the service worker with the site's VAPID key (<meta name="vapid-key">)
   and posts the subscription to the server; "Turn off" unsubscribes and tells the server.

   On every page of a signed-in person: window.parvisPush.forget() unsubscribes this browser
   and tells the server (a Promise that never rejects): the sign-out form calls it before it
   is posted (the server also forgets the devices of the session that signs out).

   Texts come from the template; none is built here. */
(function () {
  "use strict";

  var script = document.currentScript;
  var forgetUrl = script ? script.getAttribute("data-unsubscribe-url") : "";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true, // the sign-out page may be leaving
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body)
    });
  }

  // The applicationServerKey: the base64url public key as bytes.
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "====".slice(0, (4 - base64.length % 4) % 4);
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // The service worker (the site's /sw.js, registered on every page by parvis.js): registered
  // here too when it is not yet, since subscribing needs it.
  function registration(swUrl) {
    return navigator.serviceWorker.getRegistration("/").then(function (found) {
      if (found) return navigator.serviceWorker.ready;
      return navigator.serviceWorker.register(swUrl || "/sw.js", {scope: "/"}).then(function () {
        return navigator.serviceWorker.ready;
      });
    });
  }

  function currentSubscription() {
    if (!supported()) return Promise.resolve(null);
    return navigator.serviceWorker.getRegistration("/").then(function (found) {
      return found ? found.pushManager.getSubscription() : null;
    });
  }

  function forget(url) {
    return currentSubscription().then(function (subscription) {
      if (!subscription) return false;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().catch(function () { return false; }).then(function () {
        return url ? post(url, {endpoint: endpoint}).then(function () { return true; }) : true;
      });
    }).catch(function () { return false; });
  }

  window.parvisPush = {
    forget: function () { return forget(forgetUrl); }
  };

  // Signing out (pwa.js asks before posting the form): this device's subscription goes, on
  // the server too, even when it was made in an earlier session.
  document.addEventListener("parvis:sign-out", function (event) {
    event.detail.waitUntil(forget(forgetUrl));
  });

  function devicesPage(block) {
    var status = block.querySelector("[data-push-status]");
    var on = block.querySelector("[data-push-on]");
    var off = block.querySelector("[data-push-off]");
    var meta = document.querySelector("meta[name='vapid-key']");
    var vapidKey = meta ? meta.getAttribute("content") : "";

    function show(state) {
      block.setAttribute("data-push-state", state);
      var message = block.querySelector("[data-push-message='" + state + "']");
      status.textContent = message ? message.textContent : "";
      on.hidden = !(state === "off" || state === "error");
      off.hidden = state !== "on";
    }

    if (!supported() || !vapidKey) {
      show("unsupported");
      return;
    }
    if (Notification.permission === "denied") {
      show("denied");
    } else {
      currentSubscription().then(function (subscription) {
        show(subscription ? "on" : "off");
      });
    }

    on.addEventListener("click", function () {
      on.disabled = true;
      // The permission prompt comes from this click, never before.
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          show(permission === "denied" ? "denied" : "off");
          return null;
        }
        return registration(block.getAttribute("data-sw-url")).then(function (ready) {
          return ready.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(vapidKey)
          });
        }).then(function (subscription) {
          return post(block.getAttribute("data-subscribe-url"), subscription.toJSON());
        }).then(function (response) {
          if (!response.ok) throw new Error("subscribe: " + response.status);
          // The list of devices now holds this one: show it as the server has it.
          window.location.reload();
        });
      }).catch(function () {
        show("error");
      }).then(function () {
        on.disabled = false;
      });
    });

    off.addEventListener("click", function () {
      off.disabled = true;
      forget(block.getAttribute("data-unsubscribe-url")).then(function () {
        window.location.reload();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.querySelector("[data-push]");
    if (block) devicesPage(block);
  });
})();
