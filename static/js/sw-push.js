// Web Push in the site's service worker: /sw.js runs importScripts("/static/js/sw-push.js").
// A classic worker script (no modules, no imports) that only adds listeners.
//
// - push: the payload tennisbook sends (realtime/push.py, payload_of) is JSON
//   {id, kind, title, body, url}; it is shown as a notification tagged like the
//   page's own browser notification (notifications.js), so one outcome shows once.
// - notificationclick: focus a tennisbook tab (sent to the notification's page),
//   or open one there.

/* global self, clients */
(() => {
  const FALLBACK = { title: "tennisbook", body: "You have a new notification.", url: "/notifications/" };

  function sameSite(url) {
    try {
      const target = new URL(url || "/notifications/", self.location.origin);
      return target.origin === self.location.origin ? target.href : new URL("/notifications/", self.location.origin).href;
    } catch (error) {
      return new URL("/notifications/", self.location.origin).href;
    }
  }

  function readPayload(event) {
    if (!event.data) return FALLBACK;
    try {
      const data = event.data.json();
      return data && typeof data === "object" ? data : FALLBACK;
    } catch (error) {
      return { ...FALLBACK, body: event.data.text() || FALLBACK.body };
    }
  }

  self.addEventListener("push", (event) => {
    const data = readPayload(event);
    const title = String(data.title || FALLBACK.title).slice(0, 200);
    const options = {
      body: String(data.body || "").slice(0, 500),
      tag: data.id ? `tennisbook-${data.id}` : "tennisbook",
      icon: "/static/favicon.svg",
      data: { url: sameSite(data.url), kind: data.kind || "" },
    };
    event.waitUntil(self.registration.showNotification(title, options));
  });

  self.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const url = sameSite(event.notification.data && event.notification.data.url);
    event.waitUntil(
      (async () => {
        const open = await clients.matchAll({ type: "window", includeUncontrolled: true });
        const exact = open.find((client) => client.url === url);
        if (exact) return exact.focus();
        const ours = open.find((client) => new URL(client.url).origin === self.location.origin);
        if (ours) {
          try {
            const focused = await ours.focus();
            return await (focused || ours).navigate(url);
          } catch (error) {
            // A tab this worker does not control cannot be sent elsewhere: open one.
          }
        }
        return clients.openWindow(url);
      })(),
    );
  });
})();
