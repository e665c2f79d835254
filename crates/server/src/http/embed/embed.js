/* Relay embed loader — served at /embed.js. Plain JavaScript, no framework, no
 * dependencies. A partner page includes it and mounts the board:
 *
 *   <div id="relay-board"></div>
 *   <script src="https://relay.example/embed.js" data-company="COMPANY_ID"></script>
 *   <script>Relay.mount(document.getElementById("relay-board"),
 *                       {company: "COMPANY_ID", token: "TOKEN FROM YOUR SERVER"});</script>
 *
 * Options: locale ("de", "fr-CH", …) and theme ("light", "dark" or "auto").
 *
 * Every message both ways is {ns: "relay-embed", v: 1, type, ...}; this side accepts
 * messages only from the frame it created (event.source) and from Relay's own origin
 * (event.origin), and posts only to that exact origin, never to the wildcard.
 */
(function () {
  "use strict";
  var NS = "relay-embed";
  var V = 1;
  var script = document.currentScript;
  var BASE = new URL(script ? script.src : "/", window.location.href).origin;

  function mount(element, options) {
    if (!element) throw new Error("Relay.mount: no element to mount into");
    var opts = options || {};
    var company = opts.company || (script && script.getAttribute("data-company"));
    if (!company) throw new Error("Relay.mount: the company id is missing");
    var token = opts.token || null;
    var handlers = {};
    var url = new URL("/embed/" + encodeURIComponent(company), BASE);
    if (opts.locale) url.searchParams.set("lang", opts.locale);
    if (opts.theme) url.searchParams.set("theme", opts.theme);

    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = opts.title || "Relay dispatch board";
    frame.setAttribute("data-relay-frame", "");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = (opts.minHeight || 480) + "px";

    function emit(type, detail) {
      (handlers[type] || []).forEach(function (fn) {
        try { fn(detail || {}); } catch (e) { setTimeout(function () { throw e; }); }
      });
      element.dispatchEvent(new CustomEvent("relay:" + type, { detail: detail || {} }));
    }

    function post(message) {
      if (!frame.contentWindow) return;
      message.ns = NS;
      message.v = V;
      frame.contentWindow.postMessage(message, BASE);
    }

    function sendToken() {
      if (token) {
        post({ type: "token", token: token });
        token = null; // single use: never sent twice
      } else {
        post({ type: "no-token" });
      }
    }

    function onMessage(event) {
      if (event.origin !== BASE || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.ns !== NS || data.v !== V || typeof data.type !== "string") return;
      switch (data.type) {
        case "hello":
          sendToken();
          break;
        case "height":
          var height = Math.max(0, Math.ceil(Number(data.height) || 0));
          if (height > 0) {
            frame.style.height = height + "px";
            emit("resize", { height: height });
          }
          break;
        case "ready":
          emit("ready", { user: data.user || null });
          break;
        case "session-expired":
          emit("session-expired", {});
          break;
        case "error":
          emit("error", { code: data.code || "unknown" });
          break;
      }
    }

    window.addEventListener("message", onMessage);
    element.appendChild(frame);

    return {
      frame: frame,
      on: function (type, fn) {
        (handlers[type] = handlers[type] || []).push(fn);
        return this;
      },
      /** A fresh token (e.g. after `session-expired`). */
      signIn: function (newToken) {
        token = newToken;
        sendToken();
      },
      unmount: function () {
        window.removeEventListener("message", onMessage);
        frame.remove();
      }
    };
  }

  window.Relay = { mount: mount, origin: BASE, version: V };
})();
