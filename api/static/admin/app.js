// The dashboard shell: sign-in, hash routing between views, and error reporting.

import { ApiError, checkToken, setToken, signOut, token, whenSignedOut } from "./api.js";
import { $, toast } from "./dom.js";
import { initActivity, showActivity } from "./activity.js";
import { initEditor, showContent } from "./editor.js";
import { initKpis, showKpis } from "./kpis.js";
import { showOverview } from "./overview.js";
import { initPartners, showPartners } from "./partners.js";
import { initQuestions, showQuestions } from "./questions.js";
import { initQuizzes, showQuizzes } from "./quiz.js";
import { initTranscript, showPartner } from "./transcript.js";

const VIEWS = ["overview", "kpis", "partners", "partner", "questions", "content", "activity", "quizzes"];

function showSignIn(message = "") {
  $("#app").hidden = true;
  $("#signin").hidden = false;
  $("#signin-error").textContent = message;
  $("#token").focus();
}

async function route() {
  if (!token()) return showSignIn();
  $("#signin").hidden = true;
  $("#app").hidden = false;
  const [view, arg] = (location.hash.slice(1) || "overview").split("/");
  const name = VIEWS.includes(view) ? view : "overview";
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== name;
  for (const link of document.querySelectorAll("nav a")) {
    const active = link.dataset.view === name || (name === "partner" && link.dataset.view === "partners");
    link.classList.toggle("active", active);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  try {
    if (name === "overview") await showOverview();
    if (name === "kpis") await showKpis();
    if (name === "questions") await showQuestions();
    if (name === "activity") await showActivity();
    if (name === "partners") await showPartners();
    if (name === "partner") await showPartner(decodeURIComponent(arg || ""));
    if (name === "content") await showContent(arg ? Number(arg) : null);
    if (name === "quizzes") await showQuizzes();
    document.body.dataset.ready = name;
  } catch (error) {
    report(error);
  }
}

function report(error) {
  if (error instanceof ApiError && error.status === 401) return; // already back at sign-in
  toast(error.message || String(error), "error");
  console.error(error);
}

async function signIn(event) {
  event.preventDefault();
  const value = $("#token").value.trim();
  if (!value) return;
  $("#signin-button").disabled = true;
  try {
    const name = await checkToken(value);
    setToken(value);
    sessionStorage.setItem("genie-admin-name", name);
    $("#token").value = "";
    $("#who").textContent = name;
    await route();
  } catch (error) {
    $("#signin-error").textContent = error.message;
  } finally {
    $("#signin-button").disabled = false;
  }
}

function start() {
  whenSignedOut(() => showSignIn("Signed out."));
  $("#signin-form").addEventListener("submit", signIn);
  $("#signout").addEventListener("click", () => signOut());
  $("#who").textContent = sessionStorage.getItem("genie-admin-name") || "";
  initPartners();
  initKpis();
  initQuestions();
  initActivity();
  initTranscript();
  initEditor();
  initQuizzes();
  window.addEventListener("hashchange", route);
  window.addEventListener("unhandledrejection", (event) => report(event.reason));
  route();
}

start();
