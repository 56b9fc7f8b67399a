// Small DOM helpers. Text always goes in through textContent: partner messages are untrusted.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector) {
  return document.querySelector(selector);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function ago(iso) {
  if (!iso) return "never";
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

// WhatsApp formatting (*bold*, _italic_) as elements, never as HTML.
export function whatsappText(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /\*([^*\n]+)\*|_([^_\n]+)_/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    fragment.append(text.slice(last, match.index));
    fragment.append(match[1] ? el("strong", {}, match[1]) : el("em", {}, match[2]));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

const LONG = 420;

// A chat bubble; `clamp` folds long texts behind "Read more", as WhatsApp does.
const IMAGE = /\.(png|jpe?g)(\?|$)/i;
const VIDEO = /\.(mp4|3gp)(\?|$)/i;

// A media item as WhatsApp shows it: the picture or video itself, else a file link.
function media(url) {
  if (IMAGE.test(url)) return el("img", { class: "media-image", src: url, alt: "", loading: "lazy" });
  if (VIDEO.test(url)) return el("video", { class: "media-image", src: url, controls: "" });
  return el("div", { class: "media" }, "📎 ", el("span", {}, url));
}

export function bubble(who, text, time, mediaUrl, clamp = false, options = []) {
  const body = el("div", { class: "text" }, whatsappText(text));
  const long = clamp && text.length > LONG;
  if (long) body.classList.add("clamped");
  const more = long ? el("button", {
    type: "button", class: "more",
    onclick: (event) => { body.classList.remove("clamped"); event.target.remove(); },
  }, "Read more") : null;
  return el(
    "div",
    { class: `bubble ${who === "partner" ? "in" : "out"}` },
    mediaUrl ? media(mediaUrl) : null,
    text ? body : null,
    more,
    options.length ? el("div", { class: "options" }, ...options.map((o) => el("span", {}, o))) : null,
    time ? el("span", { class: "time" }, time) : null,
  );
}

// A list picker as WhatsApp shows it once opened: the button, then one row per option.
export function listPicker(options) {
  return el("div", { class: "list-picker" },
    el("div", { class: "list-button" }, `☰ ${options.button || "Options"}`),
    el("ul", {}, ...options.titles.map((title) => el("li", {}, title))));
}

let toastTimer;
export function toast(message, kind = "ok") {
  const node = $("#toast");
  node.textContent = message;
  node.className = `toast ${kind}`;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 3500);
}
