/*! cxloop web widget: embed with one tag, no dependencies.
 *   <script src="https://cx.example.com/w/cxloop.js" data-workspace="cxw_..." async></script>
 *   cxloop('identify', {email: 'ana@example.com', external_id: 'u-42', language: 'en'});
 *   cxloop('track', 'checkout_completed', {order_id: 'A-1001'});
 * Calls made before the script loads are queued if the page defines the optional stub:
 *   window.cxloop = window.cxloop || function () { (cxloop.q = cxloop.q || []).push(arguments); };
 * The survey lives in a shadow root: the page's CSS does not reach it and its CSS does not
 * leak out. Every error is swallowed: a broken or unreachable server never breaks the page.
 */
(function (window, document) {
  "use strict";
  try {
    var previous = window.cxloop;
    if (previous && previous.loaded) return;

    var script = document.currentScript ||
      document.querySelector('script[data-workspace][src*="cxloop.js"]');
    if (!script) return;
    var key = script.getAttribute("data-workspace") || "";
    var base = script.src.replace(/\/(w\/cxloop\.js|static\/widget\/cxloop\.js)(\?.*)?$/, "");
    var endpoint = base + "/w/" + encodeURIComponent(key) + "/";
    var visitor = {};
    var open = false;
    try {
      var saved = window.sessionStorage.getItem("cxloop.visitor");
      if (saved) visitor = JSON.parse(saved) || {};
    } catch (e) { visitor = {}; }

    var post = function (action, body) {
      if (!window.fetch || !key) return Promise.resolve(null);
      return window.fetch(endpoint + action, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body)
      }).then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    };

    var text = function (value) { return value == null ? "" : String(value); };

    var identify = function (who) {
      if (!who || typeof who !== "object") return;
      visitor = {
        email: who.email ? text(who.email) : undefined,
        external_id: who.external_id != null ? text(who.external_id) : undefined,
        language: who.language ? text(who.language) : undefined
      };
      try { window.sessionStorage.setItem("cxloop.visitor", JSON.stringify(visitor)); } catch (e) {}
    };

    var track = function (event, properties) {
      if (!event || !(visitor.email || visitor.external_id)) return;
      var props = {};
      if (properties && typeof properties === "object") {
        for (var name in properties) {
          if (Object.prototype.hasOwnProperty.call(properties, name)) {
            var v = properties[name];
            if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
              props[name] = v;
            }
          }
        }
      }
      var languages = (navigator.languages || [navigator.language || ""]).slice(0, 10);
      post("events", {event: text(event), visitor: visitor, properties: props, languages: languages})
        .then(function (data) {
          if (!data || !data.survey || open) return;
          var wait = Math.max(0, Number(data.survey.delay_seconds) || 0) * 1000;
          window.setTimeout(function () { safely(function () { show(data.survey); }); }, wait);
        }).catch(function () {});
    };

    var safely = function (fn) { try { fn(); } catch (e) { /* never break the host page */ } };

    var CSS = [
      ":host{all:initial;position:fixed;right:16px;bottom:16px;z-index:2147483000;}",
      ".box{box-sizing:border-box;width:min(380px,calc(100vw - 32px));background:#fff;color:#1f2328;",
      "font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;border:1px solid #d0d7de;",
      "border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.18);padding:16px 16px 14px;}",
      ".top{display:flex;align-items:flex-start;gap:8px;}",
      ".q{flex:1;margin:0 0 12px;font-weight:600;}",
      ".x{all:unset;cursor:pointer;font-size:20px;line-height:1;padding:0 4px;color:#57606a;}",
      ".x:focus-visible,.n:focus-visible,.send:focus-visible{outline:2px solid #0969da;outline-offset:2px;}",
      ".scale{display:grid;grid-template-columns:repeat(11,1fr);gap:4px;}",
      ".n{all:unset;box-sizing:border-box;text-align:center;cursor:pointer;padding:8px 0;",
      "border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;color:#1f2328;font-size:14px;}",
      ".n:hover{background:#eaeef2;}",
      ".n[aria-pressed=true]{background:#0969da;border-color:#0969da;color:#fff;}",
      ".ends{display:flex;justify-content:space-between;font-size:12px;color:#57606a;margin-top:4px;}",
      ".more{margin-top:12px;display:none;}",
      ".more.on{display:block;}",
      "label{display:block;margin-bottom:6px;}",
      "textarea{box-sizing:border-box;width:100%;min-height:72px;font:inherit;padding:6px;",
      "border:1px solid #d0d7de;border-radius:6px;resize:vertical;}",
      ".send{all:unset;cursor:pointer;margin-top:8px;padding:8px 14px;border-radius:6px;",
      "background:#0969da;color:#fff;font-weight:600;}",
      ".thanks{margin:4px 0;font-weight:600;}"
    ].join("");

    var el = function (tag, cls, content) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      if (content != null) node.textContent = content;
      return node;
    };

    var show = function (survey) {
      if (open || !document.body) return;
      open = true;
      var host = el("div");
      host.setAttribute("data-cxloop-widget", "");
      var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
      var style = el("style", null, CSS);
      var box = el("div", "box");
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", text(survey.title) || text(survey.nps.prompt));
      box.setAttribute("lang", text(survey.language));
      box.setAttribute("dir", survey.dir === "rtl" ? "rtl" : "ltr");
      var top = el("div", "top");
      var question = el("p", "q", survey.nps.prompt);
      question.id = "cxq";
      var close = el("button", "x", "\u00d7");
      close.type = "button";
      close.setAttribute("aria-label", "Close");
      top.appendChild(question);
      top.appendChild(close);
      var scale = el("div", "scale");
      scale.setAttribute("role", "group");
      scale.setAttribute("aria-labelledby", "cxq");
      var score = null;
      var sent = false;
      var buttons = [];
      var more = el("div", "more");
      var comment = null;
      if (survey.comment) {
        var label = el("label", null, survey.comment.prompt);
        label.setAttribute("for", "cxc");
        comment = el("textarea");
        comment.id = "cxc";
        comment.maxLength = 5000;
        more.appendChild(label);
        more.appendChild(comment);
      }
      var send = el("button", "send", survey.submit);
      send.type = "button";
      more.appendChild(send);
      for (var i = 0; i <= 10; i++) {
        (function (n) {
          var b = el("button", "n", String(n));
          b.type = "button";
          b.setAttribute("aria-pressed", "false");
          b.addEventListener("click", function () {
            safely(function () {
              score = n;
              for (var j = 0; j < buttons.length; j++) {
                buttons[j].setAttribute("aria-pressed", j === n ? "true" : "false");
              }
              more.className = "more on";
              if (comment) comment.focus(); else send.focus();
            });
          });
          buttons.push(b);
          scale.appendChild(b);
        })(i);
      }
      var ends = el("div", "ends");
      ends.appendChild(el("span", null, survey.nps.low));
      ends.appendChild(el("span", null, survey.nps.high));
      box.appendChild(top);
      box.appendChild(scale);
      box.appendChild(ends);
      box.appendChild(more);
      root.appendChild(style);
      root.appendChild(box);

      var remove = function () {
        safely(function () { if (host.parentNode) host.parentNode.removeChild(host); });
        open = false;
      };
      var answers = function () {
        var out = {};
        out[survey.nps.key] = score;
        if (comment && survey.comment && comment.value.trim()) out[survey.comment.key] = comment.value.trim();
        return out;
      };
      send.addEventListener("click", function () {
        safely(function () {
          if (score === null || sent) return;
          sent = true;
          post("responses", {prompt: survey.prompt, answers: answers()});
          while (box.firstChild) box.removeChild(box.firstChild);
          box.appendChild(el("p", "thanks", survey.thanks));
          window.setTimeout(remove, 2500);
        });
      });
      close.addEventListener("click", function () {
        safely(function () {
          if (score !== null && !sent) { sent = true; post("responses", {prompt: survey.prompt, answers: answers()}); }
          remove();
        });
      });
      document.body.appendChild(host);
      post("seen", {prompt: survey.prompt});
    };

    var api = function (command) {
      var args = Array.prototype.slice.call(arguments, 1);
      safely(function () {
        if (command === "identify") identify(args[0]);
        else if (command === "track") track(args[0], args[1]);
      });
    };
    api.loaded = true;
    api.version = "1";
    window.cxloop = api;
    var queued = previous && previous.q;
    if (queued && queued.length) {
      for (var k = 0; k < queued.length; k++) api.apply(null, queued[k]);
    }
  } catch (e) { /* never break the host page */ }
})(window, document);
