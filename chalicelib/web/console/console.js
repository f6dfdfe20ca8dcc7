/* 奖项信息报送控制台: every action is a call to the public API with the signed-in key.
 * The key lives in memory and sessionStorage (this tab only); never localStorage, a cookie
 * or a URL. No inline script or style: the page's Content-Security-Policy forbids them. */
"use strict";

const BASE = document.querySelector('meta[name="api-base"]').content;
const KEY_SLOT = "award-registry-console-key";
const STATUS_ZH = {
  draft: "草稿", submitted: "已报送，待审核", approved: "已审核通过",
  rejected: "未通过审核", withdrawn: "已撤销设立",
};
const DOC_STATUS_ZH = { pending: "待核验", verified: "已核验", rejected: "未通过核验" };
const IMPORT_STATUS_ZH = {
  awaiting_upload: "等待上传", queued: "排队中", running: "导入中", done: "已完成", failed: "失败",
  cancelled: "已取消", expired: "已过期",
};
const CATEGORY_ZH = { housing: "房屋建筑", municipal: "市政基础设施" };
const CYCLE_ZH = { annual: "每年", biennial: "每两年", irregular: "不定期" };
const RELATION_ZH = { hosts: "主办", supervises: "主管" };
const FINDING_KIND_ZH = {
  late_push: "获奖信息晚报",
  awarded_on_changed: "推送后更改公布日期",
  no_program_list: "未报送奖项清单",
  silent_program: "奖项超周期未推送",
  calendar_missing: "工作日历缺失",
  objection_overdue: "异议超期未答复",
};
const PAGE_SIZE = 20;
const MAX_WINNERS = 40;

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
  constructor(status, error) {
    let message = (error && (error.message_zh || error.message)) || `请求失败（${status}）`;
    if (error && error.field) {
      // shown beside that field already: drop the field's name ("field: …" / "字段 field：…")
      for (const prefix of [`${error.field}: `, `字段 ${error.field}：`]) {
        if (message.startsWith(prefix)) message = message.slice(prefix.length);
      }
    }
    super(message);
    this.status = status;
    this.code = error && error.code;
    this.field = error && error.field;
  }
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
    throw new ApiError(0, { message: "无法连接平台，请检查网络后重试。" });
  }
  if (session !== state.session) throw signedOutError();
  if (response.status === 401 && state.key && path !== "/v1/me") {
    signOut("密钥无效或已撤销");
    throw new ApiError(401, { message: "密钥无效或已撤销" });
  }
  if (!response.ok) {
    let error = null;
    try { error = (await response.json()).error; } catch (exc) { error = null; }
    throw new ApiError(response.status, error);
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
  } catch (exc) {
    throw new ApiError(0, { message: "文件上传失败，请检查网络后重试。" });
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

function formatTime(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

function clearErrors(form) {
  $$(".field-error", form).forEach((span) => { span.textContent = ""; });
  $$(".invalid", form).forEach((input) => input.classList.remove("invalid"));
  const general = $(".form-error", form);
  if (general) general.textContent = "";
}

/* Puts the API's message beside the field named in error.field (e.g. approval.approved_on,
 * winners[1].credit_code); anything it cannot place goes under the form. */
function showError(form, error) {
  const field = error.field || "";
  let span = null;
  const winner = field.match(/^winners\[(\d+)\](?:\.(\w+))?/);
  if (winner) {
    const row = $$("#winners .winner", form)[Number(winner[1])];
    if (row) span = $(`.field-error[data-sub="${winner[2] || "name"}"]`, row);
  } else if (field) {
    span = $(`.field-error[data-field="${CSS.escape(field)}"]`, form)
      || $(`.field-error[data-field="${CSS.escape(field.split(".")[0])}"]`, form);
  }
  if (span) {
    span.textContent = error.message;
    const input = span.parentElement.querySelector("input, select, textarea");
    if (input) { input.classList.add("invalid"); input.focus(); }
  } else {
    const general = $(".form-error", form);
    if (general) general.textContent = error.message;
    else notice(error.message, "error");
  }
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
    throw exc.status === 401 || exc.status === 403
      ? new ApiError(401, { message: "密钥无效或已撤销" }) : exc;
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
  showTab(me.role === "admin" ? "review" : "programs");
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

/* ---------- tabs ---------- */

const LOADERS = {};

function showTab(name) {
  $$("[data-tab]").forEach((button) => {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  });
  $$(".tab").forEach((section) => { section.hidden = section.id !== `tab-${name}`; });
  notice("");
  // aria-busy while the section loads: a screen reader waits, and so can a test, before
  // acting on a form that the loaded list would push down the page
  const section = $(`#tab-${name}`);
  section.setAttribute("aria-busy", "true");
  LOADERS[name]()
    .catch((exc) => notice(exc.message, "error"))
    .finally(() => section.setAttribute("aria-busy", "false"));
}

/* ---------- 奖项清单 ---------- */

async function loadPrograms() {
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
  const body = $("#program-table tbody");
  body.replaceChildren(...items.map((program) => el("tr", {},
    el("td", {}, program.name),
    el("td", {}, el("div", {},
      el("span", { class: `badge ${program.status}` }, STATUS_ZH[program.status] || program.status),
      statusReason(program))),
    el("td", {}, formatTime(program.updated_at)),
    el("td", {}, el("button", {
      type: "button", class: "secondary", onclick: () => openProgram(program.id),
    }, "查看")),
  )));
  labelCells($("#program-table"));
  $("#program-empty").hidden = items.length > 0;
  fillProgramSelects();
}

/* Why an administrator rejected or withdrew it, beside the status: the province reads the
 * reason in its list without opening the programme (the last such change in its history). */
function statusReason(program) {
  if (program.status !== "rejected" && program.status !== "withdrawn") return null;
  const change = [...(program.status_history || [])].reverse().find((c) => c.status === program.status);
  if (!change || !change.reason) return null;
  const since = change.effective_on ? `（自 ${change.effective_on} 起）` : "";
  return el("span", { class: "hint" }, ` 理由：${change.reason}${since}`);
}

function fillProgramSelects() {
  const usable = state.programs.filter((p) => p.status === "submitted" || p.status === "approved");
  const options = (list) => list.map((p) => el("option", { value: p.id }, `${p.name}（${STATUS_ZH[p.status]}）`));
  const awardSelect = $('#award-form select[name="program_id"]');
  const keep = awardSelect.value;
  awardSelect.replaceChildren(...options(usable));
  if (keep) awardSelect.value = keep;
  const filter = $('#award-filter select[name="program_id"]');
  const keepFilter = filter.value;
  filter.replaceChildren(el("option", { value: "" }, "全部"), ...options(state.programs));
  filter.value = keepFilter;
  const importSelect = $('#import-form select[name="program_id"]');
  importSelect.replaceChildren(el("option", { value: "" }, "（文件中注明）"), ...options(usable));
}

function programFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  return {
    name: value("name"),
    organizer: value("organizer"),
    authority_relation: value("authority_relation"),
    cycle: value("cycle"),
    categories: $$('input[name="category"]:checked', form).map((box) => box.value),
    approval: {
      issuer: value("approval.issuer"),
      document_number: value("approval.document_number"),
      approved_on: value("approval.approved_on"),
    },
    classified: form.elements.classified.checked,
    disclosable: form.elements.disclosable.checked,
  };
}

function editProgram(program) {
  const form = $("#program-form");
  form.reset();
  clearErrors(form);
  state.editingProgram = program;
  $("#program-form-title").textContent = program ? `修改草稿：${program.name}` : "新建奖项";
  if (program) {
    for (const name of ["name", "organizer", "authority_relation", "cycle"]) {
      form.elements[name].value = program[name];
    }
    for (const name of ["issuer", "document_number", "approved_on"]) {
      form.elements[`approval.${name}`].value = program.approval[name] || "";
    }
    $$('input[name="category"]', form).forEach((box) => {
      box.checked = program.categories.includes(box.value);
    });
    form.elements.classified.checked = Boolean(program.classified);
    form.elements.disclosable.checked = program.disclosable !== false;
  }
  $("#program-detail").hidden = true;
  form.hidden = false;
  form.elements.name.focus();
}

async function saveProgram(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = programFromForm(form);
  try {
    let saved;
    if (state.editingProgram) {
      saved = (await api("PUT", `/v1/programs/${state.editingProgram.id}`, {
        body, headers: { "If-Match": `"${state.editingProgram.version}"` },
      })).data;
    } else {
      saved = (await api("POST", "/v1/programs", { body })).data;
    }
    form.hidden = true;
    notice(`已保存：${saved.name}`);
    await loadPrograms();
    await openProgram(saved.id);
  } catch (exc) {
    if (exc.status === 412) {
      showError(form, { message: "该奖项已被他人修改，已重新载入，请核对后再保存。" });
      const fresh = (await api("GET", `/v1/programs/${state.editingProgram.id}`)).data;
      editProgram(fresh);
      showError(form, { message: "该奖项已被他人修改，已重新载入，请核对后再保存。" });
    } else {
      showError(form, exc);
    }
  }
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
    ["批准日期", program.approval.approved_on],
    ["涉密", program.classified ? "是" : "否"],
    ["可公开", program.disclosable === false ? "否" : "是"],
  ];
}

function showFacts(list, facts) {
  list.replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v || "")]));
}

async function openProgram(id) {
  const program = (await api("GET", `/v1/programs/${id}`)).data;
  state.detail = program;
  const box = $("#program-detail");
  $("#program-form").hidden = true;
  $("#pd-name").textContent = program.name;
  showFacts($("#pd-facts"), [
    ["状态", STATUS_ZH[program.status] || program.status],
    ...programFacts(program),
  ]);
  $("#pd-history").replaceChildren(...program.status_history.map((change) => el("li", {},
    el("time", {}, formatTime(change.at)), " ",
    el("strong", {}, STATUS_ZH[change.status] || change.status),
    change.reason ? `：${change.reason}` : "",
    change.effective_on ? `（自 ${change.effective_on} 起）` : "",
  )));
  $("#pd-documents").replaceChildren(...program.documents.map((doc) => el("li", {},
    `${doc.filename}（${(doc.size / 1024).toFixed(1)} KB）`, " ",
    el("span", { class: `badge doc-${doc.status}` }, DOC_STATUS_ZH[doc.status] || doc.status),
    doc.reason ? `：${doc.reason}` : "",
  )));
  if (!program.documents.length) $("#pd-documents").append(el("li", {}, "尚未上传"));
  const draft = program.status === "draft" || program.status === "rejected";
  $("#pd-upload").hidden = program.status !== "draft";
  $("#pd-edit").hidden = !draft;
  $("#pd-submit").hidden = program.status !== "draft";
  $("#pd-error").textContent = "";
  $("#pd-upload-status").textContent = "";
  box.hidden = false;
}

async function uploadApproval() {
  const program = state.detail;
  const file = $("#pd-file").files[0];
  const status = $("#pd-upload-status");
  $("#pd-error").textContent = "";
  if (!file) { $("#pd-error").textContent = "请先选择批准文件。"; return; }
  const type = file.name.toLowerCase().endsWith(".ofd") ? "application/ofd" : "application/pdf";
  try {
    status.textContent = "正在计算文件摘要……";
    const sha256 = await sha256Hex(await file.arrayBuffer());
    status.textContent = "正在上传……";
    const declared = (await api("POST", `/v1/programs/${program.id}/documents`, {
      body: { filename: file.name, content_type: type, size: file.size, sha256 },
    })).data;
    await uploadForm(declared.upload, file);
    status.textContent = "正在核验……";
    const checked = (await api("POST",
      `/v1/programs/${program.id}/documents/${declared.document_id}/check`)).data;
    await openProgram(program.id);
    status.textContent = checked.status === "verified"
      ? `${file.name}：已核验`
      : `${file.name}：未通过核验：${checked.reason || checked.reason_code || ""}`;
  } catch (exc) {
    status.textContent = "";
    $("#pd-error").textContent = exc.message;
  }
}

async function submitProgram() {
  const program = state.detail;
  try {
    await api("POST", `/v1/programs/${program.id}/submit`);
    notice(`已提交审核：${program.name}`);
    await loadPrograms();
    await openProgram(program.id);
  } catch (exc) {
    $("#pd-error").textContent = exc.message;
  }
}

/* ---------- 获奖信息 ---------- */

function addWinner(winner = {}) {
  const box = $("#winners");
  if (box.children.length >= MAX_WINNERS) return;
  const row = $("#winner-row").content.firstElementChild.cloneNode(true);
  for (const input of $$("[data-key]", row)) {
    if (winner[input.dataset.key]) input.value = winner[input.dataset.key];
  }
  const code = $('[data-key="credit_code"]', row);
  code.addEventListener("input", () => hintCode(row));
  $(".winner-remove", row).addEventListener("click", () => {
    if (box.children.length > 1) { row.remove(); numberWinners(); }
  });
  box.append(row);
  hintCode(row);
  numberWinners();
}

function hintCode(row) {
  const hint = creditCodeHint($('[data-key="credit_code"]', row).value);
  const span = $(".code-hint", row);
  span.textContent = hint.text;
  span.dataset.ok = hint.ok === null ? "" : String(hint.ok);
}

function numberWinners() {
  const rows = $$("#winners .winner");
  rows.forEach((row, index) => {
    $("legend", row).textContent = `获奖单位 ${index + 1}`;
    $(".winner-remove", row).disabled = rows.length <= 1;
  });
  $("#winner-add").disabled = rows.length >= MAX_WINNERS;
}

function awardFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  const optional = (name) => value(name) || undefined;
  const year = value("year");
  return {
    source_id: value("source_id"),
    program_id: value("program_id"),
    year: /^\d{1,4}$/.test(year) ? Number(year) : year,
    honor: value("honor"),
    awarded_on: value("awarded_on"),
    announcement_number: optional("announcement_number"),
    announcement_url: optional("announcement_url"),
    project: {
      name: value("project.name"),
      category: value("project.category"),
      location_code: optional("project.location_code"),
      code: optional("project.code"),
    },
    winners: $$("#winners .winner", form).map((row) => {
      const get = (key) => $(`[data-key="${key}"]`, row).value.trim();
      return {
        name: get("name"),
        credit_code: normalizeCode(get("credit_code")),
        role: get("role"),
        project_manager: get("project_manager") || undefined,
      };
    }),
  };
}

function editAward(award) {
  const form = $("#award-form");
  form.reset();
  clearErrors(form);
  $("#award-conflict").textContent = "";
  state.editingAward = award;
  fillProgramSelects();
  $("#winners").replaceChildren();
  $("#award-form-title").textContent = award ? `更正获奖信息：${award.project.name}` : "录入获奖信息";
  form.elements.source_id.readOnly = Boolean(award);
  if (award) {
    const select = form.elements.program_id;
    if (!$$("option", select).some((o) => o.value === award.program_id)) {
      select.append(el("option", { value: award.program_id }, award.program_id));
    }
    for (const name of ["source_id", "program_id", "year", "honor", "awarded_on",
      "announcement_number", "announcement_url"]) {
      form.elements[name].value = award[name] ?? "";
    }
    for (const name of ["name", "category", "location_code", "code"]) {
      form.elements[`project.${name}`].value = award.project[name] ?? "";
    }
    award.winners.forEach((winner) => addWinner(winner));
  } else {
    form.elements.year.value = String(new Date().getFullYear());
    addWinner();
  }
  $("#revoke-form").hidden = true;
  form.hidden = false;
  form.scrollIntoView({ block: "start" });
}

async function saveAward(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  $("#award-conflict").textContent = "";
  const body = awardFromForm(form);
  const editing = state.editingAward;
  try {
    let saved;
    if (editing) {
      saved = (await api("PUT", `/v1/awards/${editing.id}`, {
        body, headers: { "If-Match": `"${editing.version}"` },
      })).data;
    } else {
      saved = (await api("POST", "/v1/awards", { body })).data;
    }
    form.hidden = true;
    state.editingAward = null;
    notice(`${editing ? "已更正" : "已报送"}：${saved.project.name}（第 ${saved.version} 版）`);
    await loadAwards(true);
  } catch (exc) {
    if (exc.status === 412 && editing) {
      const fresh = (await api("GET", `/v1/awards/${editing.id}`)).data;
      editAward(fresh);
      $("#award-conflict").textContent =
        "该获奖信息已被他人修改，已重新载入最新内容（第 " + fresh.version + " 版），请核对后再提交更正。";
    } else {
      showError(form, exc);
    }
  }
}

function timelinessText(award) {
  const t = award.timeliness;
  if (!t) return "";
  if (t.status === "on_time") return "按时";
  if (t.status === "pending") return "待定";
  return `迟报 ${t.working_days_late} 个工作日` + (t.excused ? "（已认定合理）" : "");
}

// Each list load is numbered: an answer that arrives after a newer load was started (a
// tab switch still in flight when the filter is applied) is dropped, never shown.
let awardLoads = 0;

async function loadAwards(reset = false) {
  if (reset) { state.awardCursors = [null]; state.awardPage = 0; }
  const mine = ++awardLoads;
  const cursor = state.awardCursors[state.awardPage];
  const page = (await api("GET", "/v1/awards" + query({
    authority_id: ownAuthority(), include_revoked: "true", limit: PAGE_SIZE, cursor,
    ...state.awardFilter,
  }))).data;
  if (mine !== awardLoads) return;
  state.awardCursors[state.awardPage + 1] = page.next_cursor || null;
  const body = $("#award-table tbody");
  body.replaceChildren(...page.items.map((award) => el("tr", { class: award.status },
    el("td", {}, award.project.name),
    el("td", {}, award.honor),
    el("td", {}, award.winners.map((w) => w.name).join("、")),
    el("td", {}, award.awarded_on),
    el("td", {}, award.deadline),
    el("td", {}, el("span", { class: `badge t-${award.timeliness.status}` }, timelinessText(award))),
    el("td", {}, award.status === "revoked" ? `已撤销：${award.revoked_reason || ""}` : "有效"),
    el("td", { class: "row-actions" }, award.status === "revoked" ? "" : [
      el("button", { type: "button", class: "secondary", onclick: () => correctAward(award.id) }, "更正"),
      el("button", { type: "button", class: "danger", onclick: () => askRevoke(award) }, "撤销"),
    ].reduce((frag, b) => { frag.append(b); return frag; }, document.createDocumentFragment())),
  )));
  labelCells($("#award-table"));
  $("#award-empty").hidden = page.items.length > 0;
  $("#award-prev").disabled = state.awardPage === 0;
  $("#award-next").disabled = !page.next_cursor;
  $("#award-page").textContent = `第 ${state.awardPage + 1} 页`;
}

async function correctAward(id) {
  try {
    editAward((await api("GET", `/v1/awards/${id}`)).data);
  } catch (exc) {
    notice(exc.message, "error");
  }
}

function askRevoke(award) {
  const form = $("#revoke-form");
  form.reset();
  clearErrors(form);
  state.revoking = award;
  $("#revoke-what").textContent = `${award.project.name}（${award.honor}）`;
  $("#award-form").hidden = true;
  form.hidden = false;
  form.elements.reason.focus();
}

async function revokeAward(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = { reason: form.elements.reason.value.trim() };
  const number = form.elements.document_number.value.trim();
  if (number) body.document_number = number;
  try {
    await api("POST", `/v1/awards/${state.revoking.id}/revoke`, { body });
    form.hidden = true;
    notice(`已撤销：${state.revoking.project.name}`);
    await loadAwards();
  } catch (exc) {
    showError(form, exc);
  }
}

async function loadAwardsTab() {
  await loadPrograms();
  await loadAwards(true);
}

/* ---------- 批量导入 ---------- */

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function startImport(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const file = $("#import-file").files[0];
  if (!file) { showError(form, { message: "请先选择 XLSX 或 CSV 文件。" }); return; }
  const type = file.name.toLowerCase().endsWith(".csv") ? "text/csv" : XLSX_TYPE;
  const button = $("#import-start");
  button.disabled = true;
  try {
    const sha256 = await sha256Hex(await file.arrayBuffer());
    const declaration = { filename: file.name, content_type: type, size: file.size, sha256 };
    if (form.elements.program_id.value) declaration.program_id = form.elements.program_id.value;
    if (form.elements.skip_duplicates.checked) declaration.skip_duplicates = true;
    const declared = (await api("POST", "/v1/imports", { body: declaration })).data;
    await uploadForm(declared.upload, file);
    await api("POST", `/v1/imports/${declared.import_id}/start`);
    $("#import-progress").hidden = false;
    $("#import-errors").hidden = true;
    await followImport(declared.import_id);
  } catch (exc) {
    showError(form, exc);
  } finally {
    button.disabled = false;
  }
}

function pause(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/* 取消导入: a confirm step, then POST /v1/imports/{id}/cancel; followImport shows the outcome. */
function askCancelImport() {
  $("#import-cancel-confirm").hidden = false;
  $("#import-cancel-yes").focus();
}

async function cancelImport() {
  const id = state.importing;
  $("#import-cancel-confirm").hidden = true;
  if (!id) return;
  try {
    await api("POST", `/v1/imports/${id}/cancel`);
  } catch (exc) {
    notice(exc.message, "error");
  }
}

async function followImport(id) {
  state.importing = id;
  for (;;) {
    const job = (await api("GET", `/v1/imports/${id}`)).data;
    const open = ["awaiting_upload", "queued", "running"].includes(job.status);
    $("#import-cancel").hidden = !open;
    if (!open) $("#import-cancel-confirm").hidden = true;
    const done = job.pushed + job.unchanged + job.rejected;
    const bar = $("#import-bar");
    if (job.awards) { bar.max = job.awards; bar.value = Math.min(done, job.awards); }
    if (job.status === "done") { bar.max = 1; bar.value = 1; }
    $("#import-state").textContent = `${job.filename}：${IMPORT_STATUS_ZH[job.status] || job.status}`
      + (job.rows !== undefined && job.rows !== null ? `，共 ${job.rows} 行` : "");
    $("#import-counts").textContent =
      `已推送 ${job.pushed} 条，未变化 ${job.unchanged} 条，被退回 ${job.rejected} 条`
      + (job.warnings ? `，警告 ${job.warnings} 条` : "")
      + (job.duplicates_skipped ? `（跳过重复 ${job.duplicates_skipped} 条）` : "");
    if (["failed", "cancelled", "expired"].includes(job.status)) {
      if (job.error) $("#import-state").textContent += `：${job.error.message_zh || job.error.message}`;
      return;
    }
    if (job.status === "done") {
      if (job.rejected > 0 || job.warnings > 0) await showImportErrors(id);
      return;
    }
    await pause(1000); // polling the import's progress, as a person would refresh
  }
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") { row.push(cell); cell = ""; }
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += char;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function showImportErrors(id) {
  const response = await api("GET", `/v1/imports/${id}/errors.csv`, { raw: true });
  const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
  if (!rows.length) return;
  const [header, ...body] = rows;
  $("#import-error-table thead").replaceChildren(el("tr", {}, ...header.map((h) => el("th", {}, h))));
  $("#import-error-table tbody").replaceChildren(
    ...body.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c)))),
  );
  labelCells($("#import-error-table"));
  $("#import-errors").hidden = false;
}

async function loadImports() {
  $("#template-link").href = `${BASE}/v1/templates/awards.xlsx`;
  await loadPrograms();
}

/* ---------- 及时性 ---------- */

async function loadTimeliness() {
  const authority = ownAuthority();
  const summary = $("#tl-summary");
  if (authority) {
    try {
      const t = (await api("GET", `/v1/timeliness/${authority}`)).data;
      const rate = t.on_time_rate === null || t.on_time_rate === undefined
        ? "—" : `${(t.on_time_rate * 100).toFixed(1)}%`;
      summary.replaceChildren(
        el("p", {}, `截至最近一次稽核（${t.as_of || "尚未稽核"}）：共推送 ${t.pushes} 条，按时 ${t.on_time} 条，`
          + `迟报 ${t.late} 条（其中认定合理 ${t.excused} 条），待定 ${t.pending} 条；按时率 ${rate}。`),
      );
    } catch (exc) {
      summary.replaceChildren(el("p", {}, exc.message));
    }
  } else {
    summary.replaceChildren(el("p", {}, "管理员：下表列出所有省份逾期与待定的获奖信息。"));
  }
  const findings = authority
    ? (await api("GET", `/v1/timeliness/${authority}/findings`)).data.items : [];
  $("#tl-findings").replaceChildren(...findings.map((finding) => el("li", { class: "card" },
    el("strong", {}, FINDING_KIND_ZH[finding.kind] || finding.kind),
    el("span", { class: "hint" }, `（${finding.opened_on} 起`
      + (finding.detail && finding.detail.source_id ? `，本省编号 ${finding.detail.source_id}` : "")
      + "）"),
    el("p", {}, `处理办法：${finding.action.zh}`),
  )));
  $("#tl-findings-empty").hidden = findings.length > 0;
  const flagged = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/awards" + query({
      authority_id: authority, limit: 100, cursor,
    }))).data;
    flagged.push(...page.items.filter((a) => a.timeliness.status !== "on_time"));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 20);
  const advice = (award) => {
    if (award.timeliness.status === "pending") {
      return "按临时工作日历计为迟报；国务院公布该年节假日安排后自动重新判定，无需处理。";
    }
    if (award.timeliness.excused) return "管理员已认定为合理迟报，无需处理。";
    return "稽核将其列为“获奖信息晚报”。如有正当理由，请通过下方“意见反馈”说明，由管理员认定；今后请在公布后 10 个工作日内推送。";
  };
  $("#tl-table tbody").replaceChildren(...flagged.map((award) => el("tr", {},
    el("td", {}, award.project.name),
    el("td", {}, award.awarded_on),
    el("td", {}, award.deadline),
    el("td", {}, formatTime(award.submitted_at)),
    el("td", {}, el("span", { class: `badge t-${award.timeliness.status}` }, timelinessText(award))),
    el("td", {}, advice(award)),
  )));
  labelCells($("#tl-table"));
  $("#tl-empty").hidden = flagged.length > 0;
  await loadZeroReports();
  if (authority) await loadMyFeedback();
}

async function loadZeroReports() {
  const page = (await api("GET", "/v1/zero-reports" + query({
    authority_id: ownAuthority(), limit: 50,
  }))).data;
  $("#zero-list").replaceChildren(...page.items.map((report) => el("li", {},
    `${report.period_from} 至 ${report.period_to}：${report.note}`,
    el("span", { class: "hint" }, `（报送于 ${formatTime(report.created_at)}）`),
  )));
}

async function sendZeroReport(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {
    period_from: form.elements.period_from.value,
    period_to: form.elements.period_to.value,
    note: form.elements.note.value.trim(),
  };
  try {
    await api("POST", "/v1/zero-reports", { body });
    form.reset();
    await loadZeroReports();
    notice("零报告已报送。");
  } catch (exc) {
    showError(form, exc);
  }
}

async function sendFeedback(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = { subject: form.elements.subject.value.trim(), body: form.elements.body.value.trim() };
  try {
    await api("POST", "/v1/feedback", { body });
    form.reset();
    notice("意见已提交，感谢反馈。");
    await loadMyFeedback();
  } catch (exc) {
    showError(form, exc);
  }
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

/* The province's own feedback, newest first. A page may be short (the list reads a bounded
 * number of items): follow next_cursor until a page's worth is found. */
async function loadMyFeedback() {
  const items = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/feedback" + query({ limit: PAGE_SIZE, cursor }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && items.length < PAGE_SIZE && pages < 10);
  $("#feedback-mine").replaceChildren(
    ...items.map((item) => feedbackCard(item, `提交于 ${formatTime(item.created_at)}`)),
  );
  $("#feedback-mine-empty").hidden = items.length > 0;
}

/* ---------- wiring ---------- */

LOADERS.programs = loadPrograms;
LOADERS.awards = loadAwardsTab;
LOADERS.imports = loadImports;
LOADERS.timeliness = loadTimeliness;

function wire() {
  rememberPristine();
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("#api-key").value.trim();
    $("#login-error").textContent = "";
    if (!key) { $("#login-error").textContent = "请输入接入密钥。"; return; }
    try {
      await signIn(key);
    } catch (exc) {
      $("#login-error").textContent = exc.message;
    }
  });
  $("#logout").addEventListener("click", () => signOut());
  $$("[data-tab]").forEach((button) => {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  });
  $$("[data-close]").forEach((button) => {
    button.addEventListener("click", () => { button.closest("form, article").hidden = true; });
  });
  $("#program-new").addEventListener("click", () => editProgram(null));
  $("#program-form").addEventListener("submit", saveProgram);
  $("#pd-edit").addEventListener("click", () => editProgram(state.detail));
  $("#pd-upload-button").addEventListener("click", uploadApproval);
  $("#pd-submit").addEventListener("click", submitProgram);
  $("#award-new").addEventListener("click", () => editAward(null));
  $("#winner-add").addEventListener("click", () => addWinner());
  $("#award-form").addEventListener("submit", saveAward);
  $("#revoke-form").addEventListener("submit", revokeAward);
  $("#award-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    state.awardFilter = {
      program_id: form.elements.program_id.value,
      year: form.elements.year.value.trim(),
    };
    loadAwards(true).catch((exc) => notice(exc.message, "error"));
  });
  $("#award-prev").addEventListener("click", () => {
    state.awardPage = Math.max(0, state.awardPage - 1);
    loadAwards().catch((exc) => notice(exc.message, "error"));
  });
  $("#award-next").addEventListener("click", () => {
    if (!state.awardCursors[state.awardPage + 1]) return;
    state.awardPage += 1;
    loadAwards().catch((exc) => notice(exc.message, "error"));
  });
  $("#import-form").addEventListener("submit", startImport);
  $("#import-cancel").addEventListener("click", askCancelImport);
  $("#import-cancel-yes").addEventListener("click", cancelImport);
  $("#import-cancel-no").addEventListener("click", () => { $("#import-cancel-confirm").hidden = true; });
  $("#zero-form").addEventListener("submit", sendZeroReport);
  $("#feedback-form").addEventListener("submit", sendFeedback);

  const kept = sessionStorage.getItem(KEY_SLOT);
  if (kept) {
    signIn(kept).catch((exc) => signOut(exc.message));
  }
}

// after every deferred section script (admin-*.js) has registered its loader
document.addEventListener("DOMContentLoaded", wire);
