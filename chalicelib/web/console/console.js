/* 奖项信息报送控制台 — the core every tab uses: the API with the signed-in key, el/$/$$,
 * messages beside fields, sign-in and sign-out, and the tab list. Each tab is its own
 * module (province-*.js for a province, admin-*.js for administrators), registering its
 * loader in LOADERS and what it forgets on sign-out in SIGN_OUT_RESETS; its section in
 * index.html is a role="tabpanel" of the tab button with the same data-tab.
 *
 * Globals a tab module may use: api, ApiError, query, el, $, $$, state, LOADERS,
 * SIGN_OUT_RESETS, notice, showError, showErrors, clearErrors, labelCells, ownAuthority,
 * confirmAction, busy (common.js), formatDate/formatTime/formatMonth (common.js), LABELS
 * (labels.js, with the aliases STATUS_ZH, CATEGORY_ZH, … below), feedbackCard,
 * programFacts, showFacts, fetchPrograms, PROGRAM_WATCHERS.
 *
 * The key lives in memory and sessionStorage (this tab only); never localStorage, a cookie
 * or a URL. No inline script or style: the page's Content-Security-Policy forbids them. */
"use strict";

const BASE = document.querySelector('meta[name="api-base"]').content;
const KEY_SLOT = "award-registry-console-key";
// the labels are served once from domain/labels_zh.py (labels.js); these names stay for the tabs
const STATUS_ZH = LABELS.PROGRAM_STATUS_ZH;
const DOC_STATUS_ZH = LABELS.DOC_STATUS_ZH;
const IMPORT_STATUS_ZH = LABELS.IMPORT_STATUS_ZH;
const CATEGORY_ZH = LABELS.CATEGORY_ZH;
const CYCLE_ZH = LABELS.CYCLE_ZH;
const RELATION_ZH = LABELS.RELATION_ZH;
const FINDING_KIND_ZH = LABELS.FINDING_KIND_ZH;
const ROLE_ZH = LABELS.ROLE_ZH;
const PAGE_SIZE = 20;

function freshState() {
  return {
    key: null, me: null, authorities: {}, programs: [],
    awardCursors: [null], awardPage: 0, awardFilter: {}, editingAward: null,
    editingProgram: null, revoking: null, detail: null, importing: null,
  };
}

// session counts sign-outs: an answer to a request sent before the last one is dropped
const state = { ...freshState(), session: 0 };

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/* Each cell names its column, so a phone can show a row as a card (console.css). */
function labelCells(table) {
  const names = $$("thead th", table).map((th) => th.textContent);
  $$("tbody tr", table).forEach((row) => {
    Array.from(row.children).forEach((cell, index) => { cell.dataset.label = names[index] || ""; });
  });
}

/* ---------- the API ---------- */

class ApiError extends Error {
  /* ``message`` is what the page shows: the page's own words for the code (common.js),
   * or a field's reason without the field's path (it is shown beside that field). */
  constructor(status, error) {
    super(errorText({ ...(error || {}), status }));
    this.status = status;
    this.code = error && error.code;
    this.field = error && error.field;
    this.details = [];
  }
}

/* Every problem of an error answer (``errors``, else the one ``error``), each an ApiError. */
function errorsOf(status, body) {
  const items = (body && body.errors) || (body && body.error ? [body.error] : []);
  return items.map((item) => new ApiError(status, item));
}

async function api(method, path, { body, headers = {}, raw = false } = {}) {
  const options = { method, headers: { ...headers }, cache: "no-store" };
  if (state.key) options.headers.Authorization = `Bearer ${state.key}`;
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const session = state.session;
  let response;
  try {
    response = await fetch(BASE + path, options);
  } catch (exc) {
    throw new ApiError(0, { code: "network" });
  }
  if (session !== state.session) throw signedOutError();
  if (response.status === 401 && state.key && path !== "/v1/me") {
    signOut(ERROR_TEXTS.unauthenticated);
    throw new ApiError(401, { code: "unauthenticated" });
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (exc) { body = null; }
    const exc = new ApiError(response.status, body && body.error);
    exc.details = errorsOf(response.status, body);
    throw exc;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const data = await response.json();
  if (session !== state.session) throw signedOutError();
  return { data, etag: response.headers.get("ETag") };
}

/* What a request answered after its user signed out throws: its caller drops it (an
 * empty message, so nothing of the old session is written on the page either). */
function signedOutError() {
  const exc = new ApiError(0, null);
  exc.message = "";
  exc.signedOut = true;
  return exc;
}

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/* Declared, then the bytes go straight to the bucket through the presigned POST. The form
 * is a simple cross-origin request: no preflight and no bucket CORS needed ("no-cors"); its
 * answer is opaque, so the registry's check route is what says whether the upload arrived. */
async function uploadForm(upload, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  try {
    await fetch(upload.url, { method: "POST", body: form, mode: "no-cors", credentials: "omit" });
  } catch (cause) {
    const exc = new ApiError(0, { code: "network" });
    exc.message = "文件上传失败，请检查网络后重试。";
    throw exc;
  }
}

/* ---------- GB 32100-2015 check character (the server stays the authority) ---------- */

const CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

function normalizeCode(raw) {
  return raw.normalize("NFKC").trim().toUpperCase();
}

function creditCodeHint(raw) {
  const code = normalizeCode(raw);
  if (!code) return { ok: null, text: "" };
  for (const char of code) {
    if (!CODE_CHARSET.includes(char)) {
      return { ok: false, text: `含有不允许的字符“${char}”（不使用 I、O、Z、S、V）` };
    }
  }
  if (code.length < 18) return { ok: null, text: `已输入 ${code.length} 位，共 18 位` };
  if (code.length > 18) return { ok: false, text: "超过 18 位" };
  let total = 0;
  let weight = 1;
  for (let i = 0; i < 17; i += 1) {
    total += CODE_CHARSET.indexOf(code[i]) * weight;
    weight = (weight * 3) % 31;
  }
  const check = CODE_CHARSET[(31 - (total % 31)) % 31];
  if (check !== code[17]) return { ok: false, text: `校验位不符：按前 17 位应为“${check}”` };
  return { ok: true, text: "校验位正确" };
}

/* ---------- messages and field errors ---------- */

function notice(text, kind = "ok") {
  const box = $("#notice");
  box.textContent = text;
  box.dataset.kind = kind;
}

function clearErrors(form) {
  $$(".field-error", form).forEach((span) => { span.textContent = ""; });
  $$(".invalid", form).forEach((input) => {
    input.classList.remove("invalid");
    input.removeAttribute("aria-invalid");
  });
  const general = $(".form-error", form);
  if (general) general.textContent = "";
}

/* The message span of ``field`` in ``form`` (e.g. approval.approved_on,
 * winners[1].credit_code), or null when the form has no place for it. */
function fieldSpan(form, field) {
  if (!field) return null;
  const winner = field.match(/^winners\[(\d+)\](?:\.(\w+))?/);
  if (winner) {
    const row = $$("#winners .winner", form)[Number(winner[1])];
    return row ? $(`.field-error[data-sub="${winner[2] || "name"}"]`, row) : null;
  }
  return $(`.field-error[data-field="${CSS.escape(field)}"]`, form)
    || $(`.field-error[data-field="${CSS.escape(field.split(".")[0])}"]`, form);
}

/* A field's message is read as its description, not as part of its name (the <label> holds
 * the span): aria-hidden keeps it out of the name, aria-describedby points the input at it. */
let fieldErrorIds = 0;

function linkFieldErrors(root = document) {
  $$(".field-error", root).forEach((span) => {
    if (span.id) return;
    fieldErrorIds += 1;
    span.id = `field-error-${fieldErrorIds}`;
    span.setAttribute("aria-hidden", "true");
    const input = span.parentElement.querySelector("input, select, textarea");
    if (input) {
      const described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? `${described} ${span.id}` : span.id);
    }
  });
}

/* Puts one message beside its field; anything it cannot place goes under the form. */
function placeError(form, error) {
  const span = fieldSpan(form, error.field || "");
  if (span) {
    span.textContent = error.message;
    const input = span.parentElement.querySelector("input, select, textarea");
    if (input) { input.classList.add("invalid"); input.setAttribute("aria-invalid", "true"); }
    return input || span;
  }
  const general = $(".form-error", form);
  if (general) {
    if (!general.textContent.includes(error.message)) {
      general.textContent = general.textContent ? `${general.textContent} ${error.message}` : error.message;
    }
  } else {
    notice(error.message, "error");
  }
  return null;
}

/* Every problem at once, each beside its field; the first field gets the focus. */
function showErrors(form, errors) {
  const placed = errors.map((error) => placeError(form, error)).filter(Boolean);
  const first = placed.find((node) => node.focus);
  if (first) first.focus();
}

/* An ApiError (or {message, field}) beside its field, with the other problems it carries. */
function showError(form, error) {
  showErrors(form, error.details && error.details.length ? error.details : [error]);
}

/* ---------- checks a form makes before sending ---------- */

/* The API's name of a form control: its name, or winners[i].key inside a winner row. */
function fieldNameOf(input) {
  if (input.dataset.key) {
    const row = input.closest(".winner");
    return `winners[${$$("#winners .winner").indexOf(row)}].${input.dataset.key}`;
  }
  if (input.name === "category") return "categories";
  return input.dataset.field || input.name;
}

function clearField(form, field) {
  const span = fieldSpan(form, field);
  if (!span) return;
  span.textContent = "";
  const input = span.parentElement.querySelector("input, select, textarea");
  if (input) { input.classList.remove("invalid"); input.removeAttribute("aria-invalid"); }
}

/* ``check(form)`` lists the problems ([{field, message}]) of what is filled in. Leaving a
 * field shows that field's problem beside it; the function returned, called on submit,
 * shows every problem at once and says whether the form may be sent. */
function checkedForm(form, check) {
  form.addEventListener("focusout", (event) => {
    const input = event.target;
    if (!input.matches("input, select, textarea") || form.hidden) return;
    // on the way to a button (保存, 取消 …) say nothing now: a message appearing would move
    // the button from under the pointer; 保存 shows every problem anyway
    if (event.relatedTarget && event.relatedTarget.tagName === "BUTTON") return;
    const field = fieldNameOf(input);
    clearField(form, field);
    const problem = check(form).find((p) => p.field === field);
    if (problem) placeError(form, problem);
  });
  return () => {
    clearErrors(form);
    const problems = check(form);
    showErrors(form, problems);
    return problems.length === 0;
  };
}

/* The usual checks: ``required`` [[field, label]], then a date's sense. */
function requiredProblems(form, fields) {
  return fields
    .filter(([field]) => !form.elements[field].value.trim())
    .map(([field, label]) => ({ field, message: `请填写${label}。` }));
}

function dateProblem(field, value, { label, earliest = null, future = false }) {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    return { field, message: `${label}不是有效的日期。` };
  }
  if (earliest && value < earliest) {
    return { field, message: `${label}不能早于${formatDate(earliest)}。` };
  }
  if (!future && value > chinaToday()) return { field, message: `${label}不能晚于今天。` };
  return null;
}

/* Asks before a decision that cannot be taken back or that the public sees, naming it. */
function confirmAction(question) {
  return window.confirm(question);
}

/* ---------- sign in / out ---------- */

async function signIn(key) {
  state.key = key;
  let me;
  try {
    me = (await api("GET", "/v1/me")).data;
  } catch (exc) {
    state.key = null;
    sessionStorage.removeItem(KEY_SLOT);
    throw exc.status === 401 || exc.status === 403 ? new ApiError(401, { code: "unauthenticated" }) : exc;
  }
  state.me = me;
  sessionStorage.setItem(KEY_SLOT, key);
  const authorities = (await api("GET", "/v1/authorities")).data.items;
  state.authorities = Object.fromEntries(authorities.map((a) => [a.id || a.authority_id, a]));
  const mine = state.authorities[me.authority_id];
  $("#who").textContent = me.role === "admin" ? "管理员" : (mine ? mine.name_zh : me.authority_id);
  $("#who-box").hidden = false;
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#api-key").value = "";
  // an administrator sees the review, keys, calendar, feedback, audit and pilot sections;
  // a province its programmes, awards, imports and timeliness (data-role on each tab)
  // (data-role may name both: "provincial admin")
  $$("[data-tab]").forEach((button) => {
    button.hidden = !button.dataset.role.split(" ").includes(me.role);
  });
  showTab(visibleTabs()[0].dataset.tab);
}

/* How #app was when the page loaded (before anyone signed in): which elements were hidden,
 * the text of every element without child elements (an empty list, table body, detail
 * box or message is "" then) and the options of every select. Signing out puts it all
 * back, so nothing the last user saw is left in the page for the next one at a shared
 * workstation: lists, open detail cards, a document's framed link, a new key. A section
 * added later is covered without naming its elements here. */
const pristine = { hidden: new Map(), text: new Map(), options: new Map() };

function rememberPristine() {
  for (const node of $$("#app, #app *")) {
    pristine.hidden.set(node, node.hidden);
    if (node.tagName === "SELECT") {
      pristine.options.set(node, Array.from(node.options, (option) => option.cloneNode(true)));
    } else if (node.childElementCount === 0 && node.tagName !== "TEMPLATE") {
      pristine.text.set(node, node.textContent);
    }
  }
}

// what each section keeps in memory for the signed-in user, forgotten on sign-out
const SIGN_OUT_RESETS = [];

function restorePristine() {
  const app = $("#app");
  $$("form", app).forEach((form) => form.reset());
  $$("input, textarea", app).forEach((input) => {
    if (input.form) return;
    if (input.type === "file") input.value = "";
    else if (input.type === "checkbox" || input.type === "radio") input.checked = input.defaultChecked;
    else input.value = input.defaultValue;
  });
  pristine.text.forEach((text, node) => { node.textContent = text; });
  pristine.options.forEach((options, select) => {
    select.replaceChildren(...options.map((option) => option.cloneNode(true)));
  });
  pristine.hidden.forEach((hidden, node) => { node.hidden = hidden; });
  $$(".invalid", app).forEach((input) => input.classList.remove("invalid"));
  delete $("#notice").dataset.kind;
}

function signOut(message = "") {
  state.session += 1;
  Object.assign(state, freshState());
  sessionStorage.removeItem(KEY_SLOT);
  $("#who").textContent = "";
  $("#who-box").hidden = true;
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = message;
  SIGN_OUT_RESETS.forEach((reset) => reset());
  restorePristine();
}

function ownAuthority() {
  return state.me && state.me.role === "provincial" ? state.me.authority_id : null;
}

/* ---------- tabs: an ARIA tablist (arrow keys, Home/End), any tab a module adds ---------- */

const LOADERS = {};

function visibleTabs() {
  return $$('[role="tablist"] [data-tab]').filter((button) => !button.hidden);
}

/* Ties each tab button to its section (ids, aria-controls, role="tabpanel"): a section
 * added later needs only its <button data-tab="x"> and <section id="tab-x" class="tab">. */
function setupTabs() {
  $$('[role="tablist"] [data-tab]').forEach((button) => {
    const name = button.dataset.tab;
    const panel = $(`#tab-${name}`);
    button.setAttribute("role", "tab");
    button.id = button.id || `tab-button-${name}`;
    button.setAttribute("aria-selected", "false");
    button.tabIndex = -1;
    if (panel) {
      button.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
    }
    button.addEventListener("click", () => showTab(name));
  });
  const list = $('[role="tablist"]');
  if (list) list.addEventListener("keydown", tabKeys);
}

function tabKeys(event) {
  const tabs = visibleTabs();
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  const next = {
    ArrowRight: (at + 1) % tabs.length,
    ArrowDown: (at + 1) % tabs.length,
    ArrowLeft: (at - 1 + tabs.length) % tabs.length,
    ArrowUp: (at - 1 + tabs.length) % tabs.length,
    Home: 0,
    End: tabs.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  tabs[next].focus();
  showTab(tabs[next].dataset.tab);
}

function showTab(name) {
  $$("[data-tab]").forEach((button) => {
    const selected = button.dataset.tab === name;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
  });
  $$(".tab").forEach((section) => { section.hidden = section.id !== `tab-${name}`; });
  notice("");
  // aria-busy while the section loads: a screen reader waits, and so can a test, before
  // acting on a form that the loaded list would push down the page
  const section = $(`#tab-${name}`);
  section.setAttribute("aria-busy", "true");
  Promise.resolve()
    .then(() => (LOADERS[name] ? LOADERS[name]() : null))
    .catch((exc) => { if (!exc.signedOut) notice(exc.message, "error"); })
    .finally(() => section.setAttribute("aria-busy", "false"));
}

/* ---------- programmes: read once, shown by several tabs ---------- */

// functions called with state.programs whenever it is re-read (the tabs' selects)
const PROGRAM_WATCHERS = [];

async function fetchPrograms() {
  const items = [];
  let cursor = null;
  do {
    const page = (await api("GET", "/v1/programs" + query({
      authority_id: ownAuthority(), limit: 100, cursor,
    }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 1000);
  state.programs = items;
  PROGRAM_WATCHERS.forEach((watch) => watch(items));
  return items;
}

/* An audit run's China date from its id (2026-12-07-01 → 2026年12月7日). */
function auditRunDate(runId) {
  const match = String(runId || "").match(/^(\d{4}-\d{2}-\d{2})/);
  return match ? formatDate(match[1]) : String(runId || "");
}

/* How timely a push was, in words (the awards and timeliness tabs). */
function timelinessText(award) {
  const t = award.timeliness;
  if (!t) return "";
  if (t.status === "on_time") return "按时";
  if (t.status === "pending") return "待定";
  return `迟报 ${t.working_days_late} 个工作日` + (t.excused ? "（已认定合理）" : "");
}

/* Which approval document counts: the last one that passed the check, else the last one
 * uploaded (a resubmission adds a file; the reviewer and the province see which is current). */
function currentDocumentId(program) {
  const docs = program.documents || [];
  const verified = docs.filter((doc) => doc.status === "verified");
  const last = verified.length ? verified[verified.length - 1] : docs[docs.length - 1];
  return last ? last.id : null;
}

function documentMark(doc, currentId) {
  return doc.id === currentId
    ? el("span", { class: "badge current-doc" }, "当前文件")
    : el("span", { class: "hint" }, "（已被后来上传的文件取代）");
}

/* Why a document failed its check, in the page's words (never the check's English). */
function documentReason(doc) {
  if (doc.status !== "rejected") return "";
  return ERROR_TEXTS[doc.reason_code] || "文件未通过核验，请检查后重新上传。";
}

/** A programme's declared fields as [label, text] pairs (the province's and the reviewer's view). */
function programFacts(program) {
  return [
    ["组织单位", program.organizer],
    ["住建部门关系", RELATION_ZH[program.authority_relation]],
    ["评选周期", CYCLE_ZH[program.cycle]],
    ["工程类别", program.categories.map((c) => CATEGORY_ZH[c]).join("、")],
    ["批准机关", program.approval.issuer],
    ["批准文号", program.approval.document_number],
    ["批准日期", formatDate(program.approval.approved_on)],
    ["涉密", program.classified ? "是" : "否"],
    ["可公开", program.disclosable === false ? "否" : "是"],
  ];
}

function showFacts(list, facts) {
  list.replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v || "")]));
}

const FEEDBACK_STATE_ZH = { open: "待处理", handled: "已处理" };

/* One feedback item: what was sent, its state and every reply, oldest first (the province's
 * 我的反馈 and the administrators' inbox, admin-feedback.js, both show it so). */
function feedbackCard(item, meta, ...extra) {
  const replies = item.replies || [];
  return el("li", { class: `feedback fb-${item.state}`, dataset: { id: item.id } },
    el("div", { class: "bar" },
      el("h4", {}, item.subject),
      el("span", { class: `badge fb-${item.state}` }, FEEDBACK_STATE_ZH[item.state] || item.state)),
    el("p", { class: "hint" }, meta),
    el("p", { class: "feedback-body" }, item.body),
    replies.length ? el("ol", { class: "replies" }, ...replies.map((r) => el("li", {},
      el("time", {}, formatTime(r.handled_at)), " 住房和城乡建设部回复：", r.reply))) : null,
    ...extra);
}

/* ---------- wiring ---------- */

function wire() {
  linkFieldErrors();
  rememberPristine();
  setupTabs();
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("#api-key").value.trim();
    $("#login-error").textContent = "";
    if (!key) { $("#login-error").textContent = "请输入接入密钥。"; return; }
    try {
      await busy($("#login-button"), "正在登录…", () => signIn(key));
    } catch (exc) {
      $("#login-error").textContent = exc.message;
    }
  });
  $("#logout").addEventListener("click", () => signOut());
  $$("[data-close]").forEach((button) => {
    button.addEventListener("click", () => { button.closest("form, article").hidden = true; });
  });
  const kept = sessionStorage.getItem(KEY_SLOT);
  if (kept) {
    signIn(kept).catch((exc) => signOut(exc.message));
  }
}

// after every deferred tab module (province-*.js, admin-*.js) has registered its loader
document.addEventListener("DOMContentLoaded", wire);
