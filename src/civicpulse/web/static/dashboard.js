// Live updates over server-sent events. Post text is attacker-controlled: it is only ever
// inserted with textContent, never as HTML.
"use strict";

function setText(id, value) {
  const node = document.getElementById(id);
  if (node) node.textContent = value;
}

// "2026-08-07T21:59:59.768544+00:00" -> "2026-08-07 21:59:59 UTC": what a control room reads.
function formatTime(iso) {
  return typeof iso === "string" && iso.length >= 19 ? iso.slice(0, 19).replace("T", " ") + " UTC" : "—";
}

function formatNumber(n) {
  return typeof n === "number" ? n.toLocaleString("en-GB") : "—";
}

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

// One entry of a list: a line of metadata (nodes and strings) above the attacker-controlled text.
function entry(className, metaParts, text) {
  const meta = node("div", "meta");
  meta.append(...metaParts);
  const li = node("li", className);
  li.append(meta, node("p", "text", text));
  return li;
}

// What the analysers read in the post: flags (offensive, hate, copies) first, then the rest.
function readingBadges(readings) {
  const parts = [];
  for (const reading of Array.isArray(readings) ? readings : []) {
    const kind = ["flag", "maybe"].includes(reading.kind) ? reading.kind : "info";
    const badge = node("span", "badge reading " + kind, reading.text);
    badge.title = reading.title;
    parts.push(" ", badge);
  }
  return parts;
}

function postItem(post) {
  const parts = [node("time", "", formatTime(post.created_at)), " · ", node("span", "author", post.author)];
  if (post.official) parts.push(" ", node("span", "badge", "official"));
  if (post.language) parts.push(" · " + post.language);
  parts.push(...readingBadges(post.readings));
  return entry("post", parts, post.text);
}

const SVG = "http://www.w3.org/2000/svg";

// A rumour's spread: posts per bucket as a line (the server computes the points: numbers only).
function sparkline(spread) {
  const label = "posts per " + spread.bucket_minutes + " minutes over the last " + spread.buckets +
    " buckets; peak " + spread.peak;
  const svg = svgNode("svg", {class: "spark", viewBox: "0 0 160 28", role: "img", "aria-label": label});
  svg.append(svgNode("title", {}, label), svgNode("polyline", {points: spread.points}));
  return svg;
}

function svgNode(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

// The located events as circles, numbered as in the list, over the named districts of the
// operation's area, with a scale bar (numbers and names only).
function renderMap(map) {
  const holder = document.getElementById("map");
  if (!holder) return;
  const none = node("p", "empty", "No located events yet.");
  if (!map) {
    holder.replaceChildren(none);
    return;
  }
  const svg = svgNode("svg", {class: "map", viewBox: "0 0 " + map.width + " " + map.height, role: "img",
    "aria-label": map.label});
  for (const d of map.districts) {
    svg.append(svgNode("circle", {class: "district", cx: d.x, cy: d.y, r: d.r}),
      svgNode("text", {class: "district", x: d.x, y: d.ty}, d.name));
  }
  for (const c of map.circles) {
    svg.append(svgNode("circle", {class: c.status, cx: c.x, cy: c.y, r: c.r}), svgNode("text", {x: c.lx, y: c.ly}, c.n));
  }
  const y = map.height - 10;
  svg.append(svgNode("line", {x1: 8, y1: y, x2: 8 + map.scale.px, y2: y}),
    svgNode("text", {class: "scale", x: 8, y: y - 4}, map.scale.label));
  if (map.circles.length) holder.replaceChildren(svg);
  else holder.replaceChildren(none, svg);
}

function signalItem(signal) {
  const parts = [node("span", "badge kind", signal.kind), " ", node("span", "badge status", signal.status),
    " · first seen ", node("time", "", formatTime(signal.first_seen))];
  if (typeof signal.posts === "number") parts.push(" · " + formatNumber(signal.posts) + " posts");
  if (typeof signal.accounts === "number") {
    parts.push(", " + (signal.accounts_estimated ? "≈ " : "") + formatNumber(signal.accounts) + " accounts");
  }
  if (signal.location) parts.push(" · around " + signal.location);
  if (signal.places) parts.push(" · about " + signal.places);
  if (signal.pace) parts.push(" · " + signal.pace);
  if (signal.languages) parts.push(" · languages " + signal.languages);
  if (signal.pin) parts.unshift(node("span", "badge pin", signal.pin), " ");
  const kind = ["rumour", "coordination"].includes(signal.kind) ? signal.kind : "event";
  const item = entry("signal " + kind, parts, signal.title);
  if (signal.example) item.append(node("p", "example", "e.g. “" + signal.example + "”"));
  if (Array.isArray(signal.related) && signal.related.length) {
    const claims = signal.related.map((r) => "“" + r.title + "” (" + r.status + ")");
    const label = signal.kind === "rumour" ? "about events: " : "related rumours: ";
    item.append(node("p", "hint", label + claims.join(" · ")));
  }
  const wordings = signal.wordings;
  if (wordings && typeof wordings.count === "number" && Array.isArray(wordings.titles)) {
    const more = wordings.count - wordings.titles.length;
    item.append(node("p", "hint", "answered by the same official post as " + wordings.count + " other wording"
      + (wordings.count === 1 ? "" : "s") + " of the claim, not listed: "
      + wordings.titles.map((t) => "“" + t + "”").join(" · ") + (more > 0 ? " and " + more + " more" : "")));
  }
  if (signal.evidence) item.append(node("p", "hint", signal.evidence));
  if (signal.stance || signal.spread) {
    const spread = node("div", "spread");
    if (signal.spread) spread.append(sparkline(signal.spread));
    if (signal.stance) spread.append(node("span", "hint", "replies and quotes (stance model's guess): " + signal.stance));
    item.append(spread);
  }
  return item;
}

function alertItem(alert) {
  const item = entry("signal alert", [node("time", "", formatTime(alert.at)), " · " + alert.rule_id],
    alert.headline || alert.summary);
  if (alert.example) item.append(node("p", "example", "“" + alert.example + "”"));
  return item;
}

// Replaces a list's entries; ``emptyText`` (if any) is shown when there are none.
function renderList(id, entries, build, emptyText) {
  const list = document.getElementById(id);
  if (!list) return;
  if (entries.length) list.replaceChildren(...entries.map(build));
  else if (emptyText) list.replaceChildren(node("li", "empty", emptyText));
}

function update(data) {
  setText("posts", formatNumber(data.posts));
  setText("authors", formatNumber(data.authors));
  setText("quarantined", formatNumber(data.quarantined));
  const pipeline = data.pipeline;
  setText("clock", formatTime((pipeline && pipeline.stream_time) || data.latest_post_at));
  setText("rate", pipeline ? formatNumber(pipeline.posts_per_s) : "—");
  renderList("latest", data.latest || [], postItem);
  renderList("signals", data.signals || [], signalItem, "Nothing detected yet.");
  const more = document.getElementById("signals-more");
  if (more) {
    more.hidden = !data.signals_more;
    more.textContent = data.signals_more ? "… and " + data.signals_more + " more, less urgent, not shown." : "";
  }
  const limits = document.getElementById("limits");
  if (limits) {
    const found = Array.isArray(data.limits) ? data.limits : [];
    limits.hidden = found.length === 0;
    limits.textContent = found.length
      ? "Detector limits reached so far (the numbers here leave these out): " + found.join(" · ") : "";
  }
  renderMap(data.map);
  // null: the viewer's role does not receive alerts (the page says so already).
  if (data.alerts !== null) renderList("alerts", data.alerts || [], alertItem, "No alerts.");
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("update", (event) => {
    setText("connection", "live");
    document.body.dataset.live = "true";
    update(JSON.parse(event.data));
  });
  // A refused reconnect (signed out, session expired, operation ended) closes the stream for good.
  source.onerror = () => setText("connection", source.readyState === EventSource.CLOSED
    ? "stopped: reload the page (you may need to sign in again)" : "reconnecting…");
}

document.addEventListener("DOMContentLoaded", connect);
