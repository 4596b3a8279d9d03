// The phone simulator page: vanilla JS, no dependencies. Simulated time is kept as an offset in
// minutes from the real time, per browser tab (sessionStorage), and sent with every request.
// One phone, or two side by side (a pair's partners): they share the clock, and each request
// names the other phone so that its answer brings both conversations as of the same moment.
(function () {
  "use strict";

  var OFFSET_KEY = "nudge-simulator-offset";
  var TWO_PHONES_KEY = "nudge-simulator-two-phones";
  var store = window.sessionStorage;
  var byId = function (id) { return document.getElementById(id); };

  // A phone on the page. The first keeps the element ids the page always had; the second's
  // end in "-2".
  function makePhone(suffix, storageKey) {
    var element = function (name) { return byId(name + suffix); };
    var phone = {
      number: store.getItem(storageKey) || element("phone").value,
      zone: null,
      element: element,
      remember: function () { store.setItem(storageKey, phone.number); },
    };
    element("phone").value = phone.number;
    return phone;
  }

  var first = makePhone("", "nudge-simulator-phone");
  var second = makePhone("-2", "nudge-simulator-phone-2");
  var state = {
    offset: Number(store.getItem(OFFSET_KEY) || 0),
    twoPhones: store.getItem(TWO_PHONES_KEY) === "1",
  };

  function shown() { return state.twoPhones ? [first, second] : [first]; }
  function otherOf(phone) { return phone === first ? second : first; }

  function formatTime(iso, zone) {
    var moment = new Date(iso);
    var options = {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    };
    if (zone) {
      options.timeZone = zone;  // the subscriber's own time, wherever the browser is
    }
    return moment.toLocaleString(undefined, options);
  }

  function showError(phone, message) {
    var box = phone.element("sim-error");
    box.textContent = message;
    box.hidden = !message;
  }

  function renderClock(conversation) {
    state.offset = conversation.offset_minutes;
    store.setItem(OFFSET_KEY, String(state.offset));
    var zone = first.zone;  // the first phone's local time, as with one phone
    byId("sim-time").textContent = formatTime(conversation.simulated_now, zone) +
      (zone ? " in " + zone.split("/").pop().replace(/_/g, " ") : "") +
      (state.offset ? " (" + describeOffset(state.offset) + " ahead)" : " (the real time)");
  }

  function render(phone, conversation) {
    phone.zone = conversation.timezone;
    renderClock(conversation);
    var list = phone.element("conversation");
    list.replaceChildren();
    conversation.messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "message " + message.direction;
      var meta = document.createElement("p");
      meta.className = "meta";
      var who = message.direction === "sent" ? "You" : "Service" + (message.kind === "reply" ? "" : " (" + message.kind + ")");
      var when = document.createElement("time");
      when.dateTime = message.at;
      when.textContent = formatTime(message.at, phone.zone);
      meta.append(who + " · ", when);
      var body = document.createElement("p");
      body.className = "body";
      body.textContent = message.body;
      item.append(meta, body);
      list.append(item);
    });
    phone.element("empty").hidden = conversation.messages.length > 0;
    var status = conversation.status ? "Status: " + conversation.status.replace("_", " ") : "Not subscribed yet.";
    if (conversation.next_prompt_at) {
      status += ". Next prompt: " + formatTime(conversation.next_prompt_at, phone.zone) + ".";
    }
    phone.element("sim-status").textContent = status;
  }

  // An answer about `phone` (and, with two phones, `other`: the other one's conversation).
  function renderAnswer(phone, data) {
    if (data.other) {
      render(otherOf(phone), data.other);
    }
    render(phone, data.conversation);
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

  function request(phone, method, url, payload) {
    showError(phone, "");
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

  // The fields every POST carries: this phone, the shared clock, and the other phone if shown.
  function about(phone, fields) {
    fields.phone = phone.number;
    fields.offset_minutes = state.offset;
    if (state.twoPhones) {
      fields.other_phone = otherOf(phone).number;
    }
    return fields;
  }

  function load(phone) {
    var query = "?phone=" + encodeURIComponent(phone.number) + "&offset_minutes=" + state.offset;
    return request(phone, "GET", "/simulator/api/conversation" + query)
      .then(function (conversation) { render(phone, conversation); })
      .catch(function (error) { showError(phone, error.message); });
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = on;
    });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  [first, second].forEach(function (phone) {
    phone.element("phone-form").addEventListener("submit", function (event) {
      event.preventDefault();
      phone.number = phone.element("phone").value.trim();
      phone.remember();
      load(phone);
    });

    phone.element("compose").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.currentTarget;
      var input = phone.element("message");
      busy(form, true);
      request(phone, "POST", "/simulator/api/text", about(phone, { body: input.value }))
        .then(function (data) {
          input.value = "";
          renderAnswer(phone, data);
        })
        .catch(function (error) { showError(phone, error.message); })
        .finally(function () { busy(form, false); input.focus(); });
    });
  });

  function advance(payload) {
    var form = byId("advance-form");
    busy(form, true);
    return request(first, "POST", "/simulator/api/advance", about(first, payload))
      .then(function (data) { renderAnswer(first, data); })
      .catch(function (error) { showError(first, error.message); })
      .finally(function () { busy(form, false); });
  }

  byId("advance-form").addEventListener("submit", function (event) {
    event.preventDefault();
    advance({ minutes: Number(byId("advance-amount").value) });
  });

  byId("next-prompt").addEventListener("click", function () {
    advance({ minutes: 0, to_next_prompt: true });
  });

  function showPhones() {
    byId("two-phones").checked = state.twoPhones;
    byId("phone-panel-2").hidden = !state.twoPhones;
    byId("main").classList.toggle("two-phones", state.twoPhones);
    shown().forEach(load);
  }

  byId("two-phones").addEventListener("change", function (event) {
    state.twoPhones = event.currentTarget.checked;
    store.setItem(TWO_PHONES_KEY, state.twoPhones ? "1" : "0");
    showPhones();
  });

  showPhones();
})();
