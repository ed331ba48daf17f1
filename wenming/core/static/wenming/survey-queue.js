/* Survey answers survive a bad signal. A complete questionnaire is first kept on the phone
   (localStorage), then sent; it leaves the phone only once the server has it. Every try sends
   the entry's client_id, which the server records once (a repeat answers "already have it"),
   so a try whose answer was lost and is sent again never makes a second response.
   The page says what is still unsent. No build step: plain script, loaded from 'self'. */
(function () {
  "use strict";
  var KEY = "wenming.surveyQueue";
  var box = document.getElementById("survey-queue");
  var form = document.querySelector("form.survey-form");
  if (!box || !form || !window.fetch) return;
  var owner = box.getAttribute("data-owner");
  var url = box.getAttribute("data-url");
  var kind = box.getAttribute("data-kind");  // "entry" (a surveyor, many households) or "self" (one household)
  var flushing = false, again = null, timer = null, delay = 3000;
  // The server's clock, not the phone's: a phone set to the wrong day would otherwise date its
  // entries outside the survey window (the page carries the server's time when it was made).
  var skew = (Date.parse(box.getAttribute("data-now") || "") - Date.now()) || 0;
  function now() { return new Date(Date.now() + skew).toISOString(); }
  var note = "", sent = [];

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    try { window.localStorage.setItem(KEY, JSON.stringify(items)); return true; } catch (e) { return false; }
  }
  function mine() { return load().filter(function (r) { return r.owner === owner; }); }
  function change(clientId, edit) {
    save(load().map(function (r) { return r.client_id === clientId ? edit(r) : r; }).filter(Boolean));
  }
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function input(name) { return form.querySelector("[name=" + name + "]"); }

  function complete() {
    var names = {};
    var filled = ["building", "unit", "room"].every(function (n) { return input(n) && input(n).value.trim(); });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (r) {
      names[r.name] = names[r.name] || r.checked;
    });
    return filled && Object.keys(names).every(function (n) { return names[n]; });
  }

  function render() {
    var items = mine();
    var waiting = items.filter(function (r) { return !r.error; });
    var refused = items.filter(function (r) { return r.error; });
    box.textContent = "";
    if (waiting.length) {
      var p = document.createElement("p");
      p.id = "unsent";
      p.textContent = "还有 " + waiting.length + " 份未上传，网络恢复后自动提交。";
      box.appendChild(p);
    }
    if (note) {
      var n = document.createElement("p");
      n.textContent = note;
      box.appendChild(n);
    }
    if (sent.length) {
      var s = document.createElement("p");
      s.className = "ok";
      s.textContent = "已补交：" + sent.join("、");
      box.appendChild(s);
    }
    if (refused.length) {
      var list = document.createElement("ul");
      refused.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "refused";
        li.textContent = r.household + " 未被接收：" + r.error + " ";
        var restore = document.createElement("button");
        restore.type = "button";
        restore.className = "button small";
        restore.textContent = "放回表单修改";
        restore.addEventListener("click", function () { putBack(r); });
        li.appendChild(restore);
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    box.hidden = !box.firstChild;
  }

  function putBack(record) {
    record.fields.forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("[name=" + pair[0] + "]"), function (el) {
        if (el.type === "radio") el.checked = el.value === pair[1];
        else el.value = pair[1];
      });
    });
    change(record.client_id, function () { return null; });
    form.hidden = false;
    render();
    form.scrollIntoView();
  }

  function nextHousehold() {
    // Same building and unit (door to door), a new room, new answers, a new entry id.
    var id = input("client_id"), started = input("started_at"), room = input("room");
    id.value = id.defaultValue = newId();
    if (started) started.value = started.defaultValue = now();
    if (room) room.value = "";
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (r) { r.checked = false; });
    if (room) room.focus();
  }

  function send(record, current) {
    var body = new FormData();
    record.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", csrf());
    return fetch(record.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: {"X-Survey-Queue": "1", "X-Survey-Current": current ? "1" : "0", "X-CSRFToken": csrf()}
    }).then(function (res) {
      if (res.type === "opaqueredirect") return {outcome: "auth", message: "登录已失效，请重新登录，未上传的问卷会自动提交。"};
      if (res.status >= 500) return {outcome: "retry"};
      return res.json().then(function (data) {
        if (res.ok) return {outcome: "sent", data: data};
        if (res.status === 401) return {outcome: "auth", message: data.message};
        return {outcome: "refused", message: data.message};
      }, function () {
        return {outcome: "auth", message: "页面已过期，请刷新页面，未上传的问卷会自动提交。"};
      });
    }, function () { return {outcome: "retry"}; });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { flush(); }, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function flush(currentId) {
    if (flushing) { again = currentId || again; return Promise.resolve(); }
    flushing = true;
    var queue = mine().filter(function (r) { return !r.error; });
    var leave = null, currentDone = !currentId;
    function step(i) {
      if (i >= queue.length) { delay = 3000; return Promise.resolve(); }
      var record = queue[i], current = record.client_id === currentId;
      return send(record, current).then(function (result) {
        if (current && result.outcome !== "retry" && result.outcome !== "auth") currentDone = true;
        if (result.outcome === "sent") {
          change(record.client_id, function () { return null; });
          if (current || (kind === "self" && form.hidden)) { leave = result.data.next; return null; }
          sent.push(record.household);
          return step(i + 1);
        }
        if (result.outcome === "refused") {
          if (current) {  // the person is still here: let the page itself show what is wrong
            change(record.client_id, function () { return null; });
            form.setAttribute("data-plain", "1");
            form.submit();
            leave = "";
            return null;
          }
          change(record.client_id, function (r) { r.error = result.message; return r; });
          return step(i + 1);
        }
        note = result.outcome === "auth" ? result.message : "网络不通，问卷已保存在手机上。";
        if (result.outcome === "retry") later();
        return null;
      });
    }
    return step(0).then(function () {
      flushing = false;
      if (leave) { window.location.assign(leave); return; }
      if (leave === "") return;
      if (!currentDone) kept();  // not on the server yet: kept here, and the person may go on
      render();
      if (again) { var next = again; again = null; flush(next); }
    });
  }

  function kept() {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; button.textContent = button.getAttribute("data-label"); }
    if (kind === "entry") nextHousehold();
    else form.hidden = true;
  }

  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-plain") || !complete()) return;  // incomplete: the server says what is missing
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "recorded_at") fields.push([name, String(value)]);
    });
    fields.push(["recorded_at", now()]);
    var id = input("client_id").value;
    var record = {client_id: id, owner: owner, url: url, fields: fields, error: null,
                  household: [input("building").value, input("unit").value, input("room").value].join("-")};
    var items = load().filter(function (r) { return r.client_id !== id; });  // a double tap is one entry
    items.push(record);
    if (!save(items)) { form.setAttribute("data-plain", "1"); form.submit(); return; }  // no storage: plain post
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("data-label", button.getAttribute("data-label") || button.textContent);
      button.disabled = true;
      button.textContent = "正在提交…";
    }
    note = "";
    flush(id);
  });

  window.addEventListener("online", function () { delay = 3000; flush(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
  render();
  flush();
})();
