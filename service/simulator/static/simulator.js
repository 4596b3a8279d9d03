// The phone simulator page: vanilla JS, no dependencies. Simulated time is kept as an offset in
// minutes from the real time, per browser tab (sessionStorage), and sent with every request.
(function () {
  "use strict";

  var OFFSET_KEY = "nudge-simulator-offset";
  var PHONE_KEY = "nudge-simulator-phone";
  var byId = function (id) { return document.getElementById(id); };

  var state = {
    offset: Number(window.sessionStorage.getItem(OFFSET_KEY) || 0),
    phone: window.sessionStorage.getItem(PHONE_KEY) || byId("phone").value,
  };
  byId("phone").value = state.phone;

  function remember() {
    window.sessionStorage.setItem(OFFSET_KEY, String(state.offset));
    window.sessionStorage.setItem(PHONE_KEY, state.phone);
  }

  function formatTime(iso) {
    var moment = new Date(iso);
    var options = {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    };
    if (state.zone) {
      options.timeZone = state.zone;  // the subscriber's own time, wherever the browser is
    }
    return moment.toLocaleString(undefined, options);
  }

  function showError(message) {
    var box = byId("sim-error");
    box.textContent = message;
    box.hidden = !message;
  }

  function render(conversation) {
    state.offset = conversation.offset_minutes;
    state.zone = conversation.timezone;
    remember();
    var list = byId("conversation");
    list.replaceChildren();
    conversation.messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "message " + message.direction;
      var meta = document.createElement("p");
      meta.className = "meta";
      var who = message.direction === "sent" ? "You" : "Service" + (message.kind === "reply" ? "" : " (" + message.kind + ")");
      var when = document.createElement("time");
      when.dateTime = message.at;
      when.textContent = formatTime(message.at);
      meta.append(who + " · ", when);
      var body = document.createElement("p");
      body.className = "body";
      body.textContent = message.body;
      item.append(meta, body);
      list.append(item);
    });
    byId("empty").hidden = conversation.messages.length > 0;
    var time = byId("sim-time");
    time.textContent = formatTime(conversation.simulated_now) +
      (state.zone ? " in " + state.zone.split("/").pop().replace(/_/g, " ") : "") +
      (state.offset ? " (" + describeOffset(state.offset) + " ahead)" : " (the real time)");
    var status = conversation.status ? "Status: " + conversation.status.replace("_", " ") : "Not subscribed yet.";
    if (conversation.next_prompt_at) {
      status += ". Next prompt: " + formatTime(conversation.next_prompt_at) + ".";
    }
    byId("sim-status").textContent = status;
  }

  function describeOffset(minutes) {
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (days === 1 ? " day" : " days"));
    if (hours) parts.push(hours + (hours === 1 ? " hour" : " hours"));
    if (rest || !parts.length) parts.push(rest + (rest === 1 ? " minute" : " minutes"));
    return parts.join(", ");
  }

  function request(method, url, payload) {
    showError("");
    var options = { method: method, headers: { "Accept": "application/json" } };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var detail = data && data.detail;
          throw new Error(typeof detail === "string" ? detail : "The service said no (" + response.status + ").");
        }
        return data;
      });
    });
  }

  function load() {
    var query = "?phone=" + encodeURIComponent(state.phone) + "&offset_minutes=" + state.offset;
    return request("GET", "/simulator/api/conversation" + query).then(render).catch(function (error) {
      showError(error.message);
    });
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = on;
    });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  byId("phone-form").addEventListener("submit", function (event) {
    event.preventDefault();
    state.phone = byId("phone").value.trim();
    remember();
    load();
  });

  byId("compose").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.currentTarget;
    var input = byId("message");
    busy(form, true);
    request("POST", "/simulator/api/text", { phone: state.phone, body: input.value, offset_minutes: state.offset })
      .then(function (data) {
        input.value = "";
        render(data.conversation);
      })
      .catch(function (error) { showError(error.message); })
      .finally(function () { busy(form, false); input.focus(); });
  });

  function advance(payload) {
    var form = byId("advance-form");
    busy(form, true);
    payload.phone = state.phone;
    payload.offset_minutes = state.offset;
    return request("POST", "/simulator/api/advance", payload)
      .then(function (data) { render(data.conversation); })
      .catch(function (error) { showError(error.message); })
      .finally(function () { busy(form, false); });
  }

  byId("advance-form").addEventListener("submit", function (event) {
    event.preventDefault();
    advance({ minutes: Number(byId("advance-amount").value) });
  });

  byId("next-prompt").addEventListener("click", function () {
    advance({ minutes: 0, to_next_prompt: true });
  });

  load();
})();
