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

function renderPosts(posts) {
  const list = document.getElementById("latest");
  const items = posts.map((post) => {
    const li = document.createElement("li");
    li.className = "post";
    const meta = document.createElement("div");
    meta.className = "meta";
    const time = document.createElement("time");
    time.textContent = formatTime(post.created_at);
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = post.author;
    meta.append(time, " · ", author);
    if (post.official) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "official";
      meta.append(" ", badge);
    }
    if (post.language) meta.append(" · " + post.language);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = post.text;
    li.append(meta, text);
    return li;
  });
  if (items.length) list.replaceChildren(...items);
}

function badge(text, kind) {
  const node = document.createElement("span");
  node.className = "badge " + kind;
  node.textContent = text;
  return node;
}

function renderList(id, entries, build, emptyText) {
  const list = document.getElementById(id);
  if (!list) return;
  if (!entries.length) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = emptyText;
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...entries.map(build));
}

function signalItem(signal) {
  const li = document.createElement("li");
  li.className = "signal " + (["rumour", "coordination"].includes(signal.kind) ? signal.kind : "event");
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = document.createElement("time");
  time.textContent = formatTime(signal.first_seen);
  meta.append(badge(signal.kind, "kind"), " ", badge(signal.status, "status"), " · first seen ", time);
  if (typeof signal.posts === "number") meta.append(" · " + formatNumber(signal.posts) + " posts");
  if (typeof signal.accounts === "number") meta.append(", " + formatNumber(signal.accounts) + " accounts");
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = signal.title;
  li.append(meta, text);
  return li;
}

function alertItem(alert) {
  const li = document.createElement("li");
  li.className = "signal alert";
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = document.createElement("time");
  time.textContent = formatTime(alert.at);
  meta.append(time, " · " + alert.rule_id);
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = alert.summary;
  li.append(meta, text);
  return li;
}

function update(data) {
  setText("posts", formatNumber(data.posts));
  setText("authors", formatNumber(data.authors));
  setText("quarantined", formatNumber(data.quarantined));
  const pipeline = data.pipeline;
  setText("clock", formatTime((pipeline && pipeline.stream_time) || data.latest_post_at));
  setText("rate", pipeline ? formatNumber(pipeline.posts_per_s) : "—");
  renderPosts(data.latest || []);
  renderList("signals", data.signals || [], signalItem, "Nothing detected yet.");
  renderList("alerts", data.alerts || [], alertItem, "No alerts.");
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("update", (event) => {
    setText("connection", "live");
    document.body.dataset.live = "true";
    update(JSON.parse(event.data));
  });
  source.onerror = () => setText("connection", "reconnecting…");
}

document.addEventListener("DOMContentLoaded", connect);
