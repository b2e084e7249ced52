// The what-if page: levers drawn from the model's declarations (/api/model/NAME), what is on screen
// kept as one object (`state`, the request /api/answer takes), and the answer drawn from the
// server's reply. Plain JavaScript, no library: the page works offline.
"use strict";

var state = null;        // what is on screen: the WhatIf request
var model = null;        // the model's declarations
var specs = {};          // parameter name -> declaration
var latestRequest = 0;   // the newest request sent; older replies are ignored
var debounce = null;
var polling = null;
window.orgsimAnswer = null;      // the last answer shown (for tests and the curious)
window.orgsimAnswerCount = 0;    // how many answers were shown
window.orgsimPending = false;    // whether a request is in flight

function $(id) { return document.getElementById(id); }

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === "text") node.textContent = attrs[k];
    else if (k === "className") node.className = attrs[k];
    else node.setAttribute(k, attrs[k]);
  });
  (children || []).forEach(function (c) {
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  });
  return node;
}

function showError(message) {
  var box = $("error");
  if (message) { box.textContent = message; box.hidden = false; }
  else { box.textContent = ""; box.hidden = true; }
}

// A number to `digits` significant digits (4 unless said), without trailing zeros.
function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  var a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-4)) return x.toExponential((digits || 4) - 1);
  if (a >= 1e4) return String(Math.round(x));
  var s = x.toPrecision(digits || 4);
  if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

function signed(x, digits) {
  var s = fmt(x, digits);
  return x > 0 ? "+" + s : s;
}

function help(spec) {
  var unit = spec.unit && spec.unit !== "-" ? " (" + spec.unit + ")" : "";
  var range = spec.kind === "choice" ? "one of " + spec.choices.join(", ")
    : spec.kind === "set" ? "any of " + spec.choices.join(", ") + ", comma-separated"
    : (spec.kind === "int" ? "a whole number" : "a number") + " from " + spec.min + (spec.max === null ? " up" : " to " + spec.max);
  return spec.label + unit + ": " + spec.meaning + " — " + range + "; default " +
    (spec.default === null ? "unset" : spec.default) + (spec.schedulable ? "; can change mid-run" : "");
}

// A control for one parameter. `get()` gives the current value (null = unset), `put(v)` stores it.
function control(spec, get, put, key) {
  var wrap = el("span", { className: "control" });
  var value = get();
  if (spec.kind === "choice") {
    var select = el("select", { "data-param": spec.name, "data-key": key, title: help(spec) });
    if (spec.default === null) select.appendChild(el("option", { value: "", text: "(unset)" }));
    spec.choices.forEach(function (c) { select.appendChild(el("option", { value: c, text: c })); });
    select.value = value === null ? "" : value;
    select.addEventListener("change", function () { put(select.value === "" ? null : select.value); });
    wrap.appendChild(select);
    return wrap;
  }
  if (spec.kind === "set") {
    var text = el("input", { type: "text", "data-param": spec.name, "data-key": key, title: help(spec) });
    text.value = value === null ? "" : value;
    text.addEventListener("change", function () { put(text.value); });
    wrap.appendChild(text);
    return wrap;
  }
  var number = el("input", { type: "number", "data-param": spec.name, "data-key": key, title: help(spec) });
  if (spec.kind === "int") number.step = "1"; else number.step = "any";
  var slider = null;
  if (spec.slider && spec.kind === "real") {
    slider = el("input", { type: "range", min: spec.slider[0], max: spec.slider[1],
      step: (spec.slider[1] - spec.slider[0]) / 100, title: help(spec), "aria-label": spec.label });
  }
  var enable = null;
  if (spec.default === null) {
    enable = el("input", { type: "checkbox", title: "set " + spec.label + " (unset: the model's own rule)" });
    enable.checked = value !== null;
  }
  function sync(v) {
    number.value = v === null ? "" : v;
    if (slider && v !== null) slider.value = v;
    number.disabled = v === null;
    if (slider) slider.disabled = v === null;
  }
  sync(value);
  number.addEventListener("change", function () {
    if (number.value.trim() === "") { showError(spec.name + ": give a number (" + help(spec) + ")"); return; }
    var v = Number(number.value);
    if (slider) slider.value = v;
    put(v);
  });
  if (slider) {
    slider.addEventListener("input", function () { number.value = slider.value; });
    slider.addEventListener("change", function () { number.value = slider.value; put(Number(slider.value)); });
  }
  if (enable) {
    enable.addEventListener("change", function () {
      var v = enable.checked ? (spec.slider ? spec.slider[0] : spec.min) : null;
      sync(v);
      put(v);
    });
    wrap.appendChild(enable);
  }
  if (slider) wrap.appendChild(slider);
  wrap.appendChild(number);
  if (spec.unit && spec.unit !== "-") wrap.appendChild(el("span", { className: "unit", text: " " + spec.unit }));
  return wrap;
}

function levers() {
  return model.params.filter(function (p) { return p.group === "lever"; });
}

function drawOptions() {
  var table = $("options");
  table.textContent = "";
  var head = el("tr", {}, [el("th", { text: "" })]);
  state.options.forEach(function (option, i) {
    var name = el("input", { type: "text", className: "option-name", "data-option-name": i, value: option.name,
      title: "the option's name (rename it here)" });
    name.addEventListener("change", function () {
      var old = option.name;
      option.name = name.value.trim();
      if (state.baseline === old) state.baseline = option.name;
      ask();
    });
    var base = el("input", { type: "radio", name: "baseline", title: "compare the others with this one" });
    base.checked = (state.baseline || state.options[0].name) === option.name;
    base.addEventListener("change", function () { state.baseline = option.name; ask(); });
    var cell = el("th", {}, [name, el("br"), el("label", { className: "note" }, [base, " baseline"])]);
    if (state.options.length > 1) {
      var remove = el("button", { type: "button", className: "remove", title: "remove this option", text: "×" });
      remove.addEventListener("click", function () {
        state.options.splice(i, 1);
        if (state.baseline === option.name) state.baseline = null;
        drawOptions();
        ask();
      });
      cell.appendChild(remove);
    }
    head.appendChild(cell);
  });
  table.appendChild(head);
  levers().forEach(function (spec) {
    var row = el("tr", {}, [el("th", { className: "lever", title: help(spec), text: spec.label })]);
    state.options.forEach(function (option, i) {
      var get = function () { return option.set[spec.name] === undefined ? spec.default : option.set[spec.name]; };
      var put = function (v) { option.set[spec.name] = v; ask(); };
      row.appendChild(el("td", {}, [control(spec, get, put, "option-" + i)]));
    });
    table.appendChild(row);
  });
  var programme = el("tr", {}, [el("th", { className: "lever", text: "Change programme",
    title: "levers that change at a chosen week: the option's J-curve against the baseline" })]);
  state.options.forEach(function (option, i) { programme.appendChild(el("td", {}, [drawProgramme(option, i)])); });
  table.appendChild(programme);
  $("add-option").disabled = state.options.length >= model.max_options;
}

// One option's change programme: at week W, these levers take these values (the first change of
// the option's schedule; any further ones from the scenario are kept and listed).
function drawProgramme(option, i) {
  var box = el("div", { className: "programme" });
  var schedulable = levers().filter(function (p) { return p.schedulable; });
  if (!option.schedule.length) {
    var start = el("button", { type: "button", "data-programme": i, text: "+ change at a week" });
    start.addEventListener("click", function () {
      var first = schedulable[0];
      var set = {};
      set[first.name] = option.set[first.name] === undefined ? first.default : option.set[first.name];
      option.schedule.push({ at: Math.round(model.default_ticks / 5), set: set });
      drawOptions();
      ask();
    });
    box.appendChild(start);
    return box;
  }
  var change = option.schedule[0];
  var at = el("input", { type: "number", min: 1, step: 1, value: change.at, "data-at": i });
  at.addEventListener("change", function () { change.at = Number(at.value); ask(); });
  box.appendChild(el("label", {}, ["at " + model.tick_unit + " ", at]));
  Object.keys(change.set).forEach(function (name) {
    var spec = specs[name];
    var pick = el("select", { title: "the lever that changes" });
    schedulable.forEach(function (p) { pick.appendChild(el("option", { value: p.name, text: p.label })); });
    pick.value = name;
    pick.addEventListener("change", function () {
      var v = change.set[name];
      delete change.set[name];
      change.set[pick.value] = specs[pick.value].kind === spec.kind ? v : specs[pick.value].default;
      if (change.set[pick.value] === null) change.set[pick.value] = specs[pick.value].choices[0] || specs[pick.value].min;
      drawOptions();
      ask();
    });
    var get = function () { return change.set[name]; };
    var put = function (v) { change.set[name] = v; ask(); };
    var drop = el("button", { type: "button", className: "remove", title: "drop this change", text: "×" });
    drop.addEventListener("click", function () {
      delete change.set[name];
      if (!Object.keys(change.set).length) option.schedule.splice(0, 1);
      drawOptions();
      ask();
    });
    box.appendChild(el("div", {}, [pick, " → ", control(spec, get, put, "change-" + i), drop]));
  });
  var more = el("button", { type: "button", text: "+ lever" });
  more.addEventListener("click", function () {
    var free = schedulable.filter(function (p) { return !(p.name in change.set); })[0];
    if (!free) return;
    change.set[free.name] = option.set[free.name] === undefined ? free.default : option.set[free.name];
    if (change.set[free.name] === null) change.set[free.name] = free.choices[0] || free.min;
    drawOptions();
    ask();
  });
  box.appendChild(more);
  if (option.schedule.length > 1) {
    box.appendChild(el("div", { className: "note", text: "and " + (option.schedule.length - 1) + " later change(s) from the scenario" }));
  }
  return box;
}

function drawContext() {
  var box = $("context");
  box.textContent = "";
  model.params.filter(function (p) { return p.group === "context"; }).forEach(function (spec) {
    var get = function () { return state.context[spec.name] === undefined ? spec.default : state.context[spec.name]; };
    var put = function (v) { state.context[spec.name] = v; ask(); };
    box.appendChild(el("label", {}, [el("span", { className: "name", title: help(spec), text: spec.label }),
      control(spec, get, put, "context")]));
  });
}

function drawSettings() {
  $("seed").value = state.seed;
  $("replicates").value = state.replicates;
  $("replicates").max = model.max_replicates;
  var metric = $("metric");
  metric.textContent = "";
  model.metrics.forEach(function (m) {
    metric.appendChild(el("option", { value: m.name, text: m.label + (m.headline ? "" : " ·") }));
  });
  metric.value = state.metric || model.metrics.filter(function (m) { return m.headline; })[0].name;
}

function metricInfo(name) {
  return model.metrics.filter(function (m) { return m.name === name; })[0] || { label: name, unit: "", higher_is_better: true };
}

function rankingTable(answer, metric) {
  var info = metricInfo(metric);
  var rows = answer.rows.filter(function (r) { return r.metric === metric; })
    .sort(function (a, b) { return a.rank - b.rank; });
  var table = el("table", { "data-metric": metric }, [
    el("caption", { text: info.label + (info.unit ? " (" + info.unit + ")" : "") + " — " +
      (info.higher_is_better ? "higher" : "lower") + " is better" }),
    el("tr", {}, ["rank", "option", "mean", "95% CI", "vs " + (rows[0] ? rows[0].baseline : "baseline"), "paired 95% CI", "P(best)"]
      .map(function (h) { return el("th", { text: h }); }))]);
  rows.forEach(function (r) {
    // Clearly better or worse than the baseline: the paired interval excludes 0.
    var clear = !r.is_baseline && (r.diff_low > 0 || r.diff_high < 0);
    var good = clear && (r.diff_low > 0) === info.higher_is_better;
    var bad = clear && !good;
    var tr = el("tr", { className: r.is_baseline ? "baseline-row" : good ? "better" : bad ? "worse" : "",
      "data-option": r.option }, [
      el("td", { text: String(r.rank) }),
      el("td", { text: r.option }),
      el("td", { "data-field": "mean", text: fmt(r.mean) }),
      el("td", { text: "[" + fmt(r.ci_low, 3) + ", " + fmt(r.ci_high, 3) + "]" }),
      el("td", { "data-field": "diff", text: r.is_baseline ? "baseline" : signed(r.diff) }),
      el("td", { text: r.is_baseline ? "" : "[" + signed(r.diff_low, 3) + ", " + signed(r.diff_high, 3) + "]" }),
      el("td", { "data-field": "p_best", text: fmt(r.p_best) })]);
    table.appendChild(tr);
  });
  return el("div", { className: "result" }, [table]);
}

var COSTS = ["cost", "value_per_cost"];

function drawAnswer(answer) {
  window.orgsimAnswer = answer;
  window.orgsimAnswerCount += 1;
  var ranking = $("ranking");
  ranking.textContent = "";
  answer.metrics.filter(function (m) { return COSTS.indexOf(m) < 0; }).forEach(function (m) {
    ranking.appendChild(rankingTable(answer, m));
  });
  var costs = $("costs");
  costs.textContent = "";
  var costMetrics = answer.metrics.filter(function (m) { return COSTS.indexOf(m) >= 0; });
  if (!costMetrics.length) costs.appendChild(el("p", { className: "note", text: "This model reports no cost." }));
  costMetrics.forEach(function (m) { costs.appendChild(rankingTable(answer, m)); });

  var changes = $("changes");
  changes.textContent = "";
  $("changes-block").hidden = !answer.changes.length;
  if (answer.changes.length) {
    var t = el("table", { className: "changes result" }, [el("tr", {}, ["option", "metric", "change at", "dip (95% CI)", "deepest at",
      "dip clear?", "recovered after", "break-even at"].map(function (h) { return el("th", { text: h }); }))]);
    answer.changes.forEach(function (c) {
      var weeks = function (w) { return w === null ? "not within the run" : model.tick_unit + " " + w; };
      t.appendChild(el("tr", {}, [c.option, c.metric, model.tick_unit + " " + c.change_week,
        fmt(c.dip_depth) + " [" + fmt(c.dip_low) + ", " + fmt(c.dip_high) + "]", weeks(c.dip_week),
        c.dip_significant ? "yes" : "no",
        c.weeks_to_recover === null ? "not within the run" : c.weeks_to_recover + " " + model.tick_unit + "s",
        weeks(c.breakeven_week)].map(function (x) { return el("td", { text: String(x) }); })));
    });
    changes.appendChild(t);
  }

  var figures = $("figures");
  figures.textContent = "";
  answer.figures.forEach(function (f) {
    // As an image, so that nothing inside the SVG can run as script on this page.
    var img = el("img", { alt: f.caption, "data-figure": f.kind,
      src: "data:image/svg+xml;charset=utf-8," + encodeURIComponent(f.svg) });
    figures.appendChild(el("figure", {}, [img, el("figcaption", { text: f.caption })]));
  });
  $("toml").textContent = answer.toml;
  $("status").textContent = answer.runs + " runs (" + state.replicates + " paired replicates × " +
    state.options.length + " options) in " + answer.seconds.toFixed(2) + " s";
  $("bar-fill").style.width = "100%";
}

function pollProgress() {
  fetch("/api/progress").then(function (r) { return r.json(); }).then(function (p) {
    if (!window.orgsimPending) return;
    if (p.total > 0) {
      $("bar-fill").style.width = Math.round(100 * p.done / p.total) + "%";
      $("status").textContent = "running: " + p.done + " of " + p.total + " runs";
    }
  }).catch(function () { /* the answer itself reports a lost server */ });
}

// Sends what is on screen, after a short pause so that a slider's drag sends one request.
function ask() {
  clearTimeout(debounce);
  debounce = setTimeout(send, 150);
}

function send() {
  var id = ++latestRequest;
  window.orgsimPending = true;
  $("status").textContent = "running…";
  $("bar-fill").style.width = "0%";
  clearInterval(polling);
  polling = setInterval(pollProgress, 120);
  fetch("/api/answer", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(state) })
    .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
    .then(function (reply) {
      if (id !== latestRequest) return;        // a newer request is on its way
      window.orgsimPending = false;
      clearInterval(polling);
      if (reply.status === 200) { showError(null); drawAnswer(reply.body); return; }
      if (reply.status === 409) return;          // superseded
      showError(reply.body.error || ("error " + reply.status));
      $("status").textContent = "not run: fix the input above";
    })
    .catch(function (e) {
      if (id !== latestRequest) return;
      window.orgsimPending = false;
      clearInterval(polling);
      showError("no answer from the server (is orgsim serve still running?): " + e);
    });
}

function download() {
  var blob = new Blob([$("toml").textContent], { type: "application/toml" });
  var a = el("a", { href: URL.createObjectURL(blob), download: (state.name || "what-if") + ".toml" });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function study() {
  var status = $("study-status");
  status.textContent = "running the study…";
  $("study").disabled = true;
  fetch("/api/study", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(state) })
    .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
    .then(function (reply) {
      $("study").disabled = false;
      if (reply.status === 200) {
        status.textContent = "written: " + reply.body.report + " (" + reply.body.runs + " runs; the scenario is " + reply.body.scenario + ")";
      } else {
        status.textContent = "";
        showError(reply.body.error || ("error " + reply.status));
      }
    })
    .catch(function (e) { $("study").disabled = false; status.textContent = ""; showError("the study failed: " + e); });
}

function uniqueName(base) {
  var names = state.options.map(function (o) { return o.name; });
  var k = 2, name = base;
  while (names.indexOf(name) >= 0) name = base + " " + (k++);
  return name;
}

function load() {
  fetch("/api/start").then(function (r) { return r.json(); }).then(function (start) {
    state = start;
    return fetch("/api/model/" + encodeURIComponent(start.model));
  }).then(function (r) { return r.json(); }).then(function (m) {
    model = m;
    model.params.forEach(function (p) { specs[p.name] = p; });
    $("model-name").textContent = "(" + m.name + ")";
    $("model-summary").textContent = m.summary;
    drawSettings();
    drawOptions();
    drawContext();
    $("seed").addEventListener("change", function () { state.seed = Number($("seed").value); ask(); });
    $("replicates").addEventListener("change", function () { state.replicates = Number($("replicates").value); ask(); });
    $("metric").addEventListener("change", function () { state.metric = $("metric").value; ask(); });
    $("add-option").addEventListener("click", function () {
      var last = state.options[state.options.length - 1];
      var copy = JSON.parse(JSON.stringify(last));
      copy.name = uniqueName(last.name + " copy");
      state.options.push(copy);
      drawOptions();
      ask();
    });
    $("download").addEventListener("click", download);
    $("study").addEventListener("click", study);
    send();
  }).catch(function (e) { showError("cannot load the page's model: " + e); });
}

load();
