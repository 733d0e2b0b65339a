/* Parvis as an installed app (portal/pwa.py): the service worker is registered on every
   page (<body data-service-worker="/sw.js">), and signing out leaves nothing on the device.

   Sign-out (<form data-sign-out>, the account menu): before the form is posted, this
   device's push subscription is cancelled and every cache of the site is deleted; the
   server then deletes the session's subscriptions and answers Clear-Site-Data: "cache".
   Other scripts may take part: the event "parvis:sign-out" carries the subscription (or
   null) and a waitUntil(promise) that the sign-out waits for (push.js tells the server
   which endpoint goes). Whatever fails or hangs, the form is posted within a few seconds:
   a person is never kept signed in by a broken service worker. */
(function () {
  "use strict";

  var SIGN_OUT_WAIT = 3000;

  function register() {
    var url = document.body && document.body.getAttribute("data-service-worker");
    if (!url || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // No service worker (a private window, an old browser): the site works without it.
    });
  }

  function forgetSubscription() {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.getRegistration("/").then(function (registration) {
      if (!registration || !registration.pushManager) return null;
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      var waits = [];
      document.dispatchEvent(new CustomEvent("parvis:sign-out", {
        detail: {
          subscription: subscription || null,
          waitUntil: function (promise) { waits.push(Promise.resolve(promise).catch(function () {})); },
        },
      }));
      return Promise.all(waits).then(function () {
        return subscription ? subscription.unsubscribe() : null;
      });
    });
  }

  function emptyCaches() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) { return caches.delete(key); }));
    });
  }

  var leaving = new WeakSet();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-sign-out") || leaving.has(form)) return;
    event.preventDefault();
    leaving.add(form);
    var posted = false;
    function post() {
      if (posted) return;
      posted = true;
      form.submit(); // no submit event: not caught here again
    }
    window.setTimeout(post, SIGN_OUT_WAIT);
    // The subscription first (a push could still arrive and be cached), then the caches.
    forgetSubscription().catch(function () {}).then(emptyCaches).then(post, post);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", register);
  } else {
    register();
  }
})();
