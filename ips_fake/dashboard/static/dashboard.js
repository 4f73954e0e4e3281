// ips-fake dashboard: polls the panels and swaps them in place (keeping open details and
// focus), loads a log's or an exchange's details when opened, and sends the controls to the
// admin API as JSON (same origin; the token, when the server has one, is in a same-site cookie).
(function () {
  "use strict";
  var panels = document.getElementById("panels");
  if (!panels) { return; }
  var statusLine = document.getElementById("control-status");
  var pollMs = Number(panels.getAttribute("data-poll")) || 1000;
  var loaded = {};   // details id -> HTML fetched for it
  var refreshes = 0;
  var inFlight = null;

  function fetchText(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); }
        if (!response.ok) { throw new Error("HTTP " + response.status + " for " + url); }
        return response.text();
      });
  }

  function say(text, failed) {
    statusLine.textContent = text;
    statusLine.className = failed ? "status error" : "status";
  }

  function fill(details) {
    var url = details.getAttribute("data-src");
    var body = details.querySelector(".detail-body");
    if (!url || !body || details.getAttribute("data-loaded") === "yes") { return; }
    if (loaded[details.id] !== undefined) {
      body.innerHTML = loaded[details.id];
      details.setAttribute("data-loaded", "yes");
      return;
    }
    details.setAttribute("data-loaded", "loading");
    fetchText(url).then(function (html) {
      loaded[details.id] = html;
      body.innerHTML = html;
      details.setAttribute("data-loaded", "yes");
    }).catch(function (error) {
      details.removeAttribute("data-loaded");
      say("Could not load the details: " + error.message, true);
    });
  }

  panels.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.open) { fill(details); }
  }, true);

  function refresh() {
    if (inFlight) { return inFlight; }
    inFlight = fetchText(panels.getAttribute("data-src")).then(function (html) {
      var open = Array.prototype.map.call(panels.querySelectorAll("details[open]"), function (d) { return d.id; });
      var focused = document.activeElement;
      var focusId = null;
      if (focused && panels.contains(focused)) {
        var holder = focused.closest("[id]");
        focusId = holder ? holder.id : null;
      }
      var template = document.createElement("template");
      template.innerHTML = html;
      open.forEach(function (id) {
        var details = id && template.content.getElementById(id);
        if (details) { details.open = true; }
      });
      panels.replaceChildren(template.content);
      open.forEach(function (id) {
        var details = id && document.getElementById(id);
        if (details) { fill(details); }
      });
      if (focusId) {
        var again = document.getElementById(focusId);
        var target = again && (again.querySelector("summary") || again);
        if (target && target.focus) { target.focus(); }
      }
      refreshes += 1;
      panels.setAttribute("data-refreshes", String(refreshes));
      document.getElementById("live").hidden = false;
    }).catch(function (error) {
      say("Could not update: " + error.message, true);
    }).finally(function () { inFlight = null; });
    return inFlight;
  }

  function poll() {
    var next = function () { window.setTimeout(poll, pollMs); };
    if (document.hidden) { next(); return; }
    refresh().then(next, next);
  }

  function send(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || ("HTTP " + response.status)); }
        return data;
      });
    });
  }

  function control(label, method, path, body) {
    say(label + "…", false);
    return send(method, path, body).then(function (data) {
      var when = data && data.now ? " Now " + data.now + "." : "";
      var moveTo = document.getElementById("move-to");
      if (data && data.now && moveTo && document.activeElement !== moveTo) {
        moveTo.value = data.now;  // the next move starts from where the clock is
      }
      say(label + ": done." + when, false);
      return refresh();
    }).catch(function (error) { say(label + " failed: " + error.message, true); });
  }

  function value(form, name) { return form.elements[name].value.trim(); }

  document.getElementById("advance-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var seconds = Number(value(event.target, "step"));
    control("Advance the clock by " + seconds + " s", "POST", "/_fake/clock", { advance: seconds });
  });
  document.getElementById("move-form").addEventListener("submit", function (event) {
    event.preventDefault();
    control("Move the clock", "POST", "/_fake/clock", { move_to: value(event.target, "move_to") });
  });
  document.getElementById("outcome-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var rule = { outcome: value(form, "outcome") };
    if (value(form, "kind")) { rule.kind = value(form, "kind"); }
    if (value(form, "name_pattern")) { rule.name_pattern = value(form, "name_pattern"); }
    if (value(form, "seconds")) { rule.seconds = Number(value(form, "seconds")); }
    control("Add the outcome rule", "POST", "/_fake/outcomes", rule);
  });
  document.getElementById("outcome-clear").addEventListener("click", function () {
    control("Clear the outcome rules", "DELETE", "/_fake/outcomes");
  });
  document.getElementById("reset-form").addEventListener("submit", function (event) {
    event.preventDefault();
    loaded = {};
    control("Reset", "POST", "/_fake/reset", {});
  });

  window.setTimeout(poll, pollMs);
}());
