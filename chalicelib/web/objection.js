// The objection pages (issue 23): 对此信息有异议 (file an objection, upload evidence, keep
// the number and token) and 查询异议 (the state and the province's answer). Plain browser
// JavaScript; text from the API is only ever set as textContent.
"use strict";

const BASE = document.querySelector('meta[name="api-base"]').content;
const VIEW = document.querySelector('meta[name="objection-view"]').content;
const KIND_ZH = LABELS.OBJECTION_KIND_ZH; // served once from domain/labels_zh.py (labels.js)
const EVIDENCE_TYPES = {
  pdf: "application/pdf", ofd: "application/ofd", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png",
};
const MAX_EVIDENCE = 3;
const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, error) {
    let message = (error && (error.message_zh || error.message)) || `请求失败（${status}）`;
    if (error && error.field) {
      for (const prefix of [`${error.field}: `, `字段 ${error.field}：`]) {
        if (message.startsWith(prefix)) message = message.slice(prefix.length);
      }
    }
    super(message);
    this.status = status;
    this.field = error && error.field;
  }
}

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, options);
  } catch {
    throw new ApiError(0, { message: "无法连接平台，请检查网络后重试。" });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data && data.error);
    if (response.status === 429) {
      const wait = Number(response.headers.get("Retry-After") || 0);
      if (wait > 0) error.message += `（约 ${Math.ceil(wait / 60)} 分钟后可再试）`;
    }
    throw error;
  }
  return data;
}

function chinaTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

function clearErrors(form) {
  $$(".field-error", form).forEach((span) => { span.textContent = ""; });
  $$(".invalid", form).forEach((input) => { input.classList.remove("invalid"); input.removeAttribute("aria-invalid"); });
  $(".form-error", form).textContent = "";
}

// The API's message beside the field it names (contact.phone, credit_code …), else under the form.
function showError(form, error) {
  const field = error.field || "";
  const span = field && ($(`.field-error[data-field="${CSS.escape(field)}"]`, form)
    || $(`.field-error[data-field="${CSS.escape(field.split(".")[0])}"]`, form));
  if (span && !span.closest("[hidden]")) {
    span.textContent = error.message;
    const input = span.parentElement.querySelector("input, select, textarea");
    if (input) { input.classList.add("invalid"); input.setAttribute("aria-invalid", "true"); input.focus(); }
  } else {
    $(".form-error", form).textContent = error.message;
  }
}

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- 对此信息有异议 --------------------------------------------------------------------

function kindChanged() {
  const form = $("#objection-form");
  const kind = form.elements.kind.value;
  $("#award-id-box").hidden = kind === "missing_award";
  $("#authority-box").hidden = !(kind === "missing_award" || kind === "other");
}

async function showAwardContext(awardId) {
  try {
    const award = await api("GET", "/v1/awards/" + encodeURIComponent(awardId));
    $("#award-box").replaceChildren(
      el("p", null, "对以下获奖信息提出异议："),
      el("p", null, el("strong", null, award.project.name), "　", award.honor, "（", String(award.year), " 年度）"),
      el("p", { class: "note" }, "获奖单位：", award.winners.map((w) => w.name).join("、")),
    );
    $("#award-box").hidden = false;
  } catch {
    // the form still works; the API names a wrong award_id beside its field
  }
}

function evidenceFiles(form) {
  const files = Array.from(form.elements.evidence.files || []);
  if (files.length > MAX_EVIDENCE) return { message: `最多上传 ${MAX_EVIDENCE} 个证明材料。` };
  for (const file of files) {
    const extension = (file.name.split(".").pop() || "").toLowerCase();
    if (!EVIDENCE_TYPES[extension]) return { message: `${file.name}：只接受 PDF、OFD、JPEG 或 PNG 文件。` };
    if (file.size > MAX_EVIDENCE_BYTES) return { message: `${file.name}：超过 10 MB。` };
  }
  return { files };
}

function objectionFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  const kind = value("kind");
  const body = {
    kind,
    credit_code: value("credit_code").toUpperCase(),
    description: value("description"),
    contact: { name: value("contact.name") },
  };
  if (value("contact.phone")) body.contact.phone = value("contact.phone");
  if (value("contact.email")) body.contact.email = value("contact.email");
  if (kind !== "missing_award" && value("award_id")) body.award_id = value("award_id");
  if ((kind === "missing_award" || kind === "other") && value("authority_id")) body.authority_id = value("authority_id");
  return body;
}

async function uploadEvidence(number, token, file, line) {
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  const content = await file.arrayBuffer();
  const declared = await api("POST", `/v1/objections/${encodeURIComponent(number)}/evidence`, {
    token,
    filename: file.name,
    content_type: EVIDENCE_TYPES[extension],
    size: file.size,
    sha256: await sha256Hex(content),
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(declared.upload.fields)) form.append(name, value);
  form.append("file", new Blob([content], { type: EVIDENCE_TYPES[extension] }), file.name);
  const stored = await fetch(declared.upload.url, { method: "POST", body: form });
  if (!stored.ok) throw new ApiError(stored.status, { message: "上传失败，请稍后重试。" });
  const checked = await api(
    "POST", `/v1/objections/${encodeURIComponent(number)}/evidence/${declared.evidence_id}/check`, { token },
  );
  line.textContent = checked.status === "verified"
    ? `${file.name}：已上传并通过核验`
    : `${file.name}：未通过核验（${checked.reason_zh || "文件与申报不符"}）`;
}

async function fileObjection(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const evidence = evidenceFiles(form);
  if (evidence.message) { showError(form, { field: "evidence", message: evidence.message }); return; }
  const button = $("#objection-submit");
  button.disabled = true;
  let filed;
  try {
    filed = await api("POST", "/v1/objections", objectionFromForm(form));
  } catch (error) {
    showError(form, error);
    button.disabled = false;
    return;
  }
  form.hidden = true;
  $("#filed-number").value = filed.number;
  $("#filed-token").value = filed.token;
  $("#filed-deadline").textContent = filed.deadline;
  const box = $("#filed");
  box.hidden = false;
  box.focus();
  const list = $("#filed-evidence");
  for (const file of evidence.files) {
    const line = el("li", null, `${file.name}：正在上传…`);
    list.append(line);
    try {
      await uploadEvidence(filed.number, filed.token, file, line);
    } catch (error) {
      line.textContent = `${file.name}：${error.message}`;
    }
  }
}

async function loadAuthorities() {
  try {
    const page = await api("GET", "/v1/authorities");
    const select = $('#objection-form select[name="authority_id"]');
    select.append(...page.items.map((a) => el("option", { value: a.id }, a.name_zh)));
  } catch {
    // without the list, missing awards cannot be routed: the API says so beside the field
  }
}

async function copyFiled() {
  const text = `异议编号：${$("#filed-number").value}\n查询码：${$("#filed-token").value}`;
  try {
    await navigator.clipboard.writeText(text);
    $("#filed-copied").textContent = "已复制，请保存在安全的地方。";
  } catch {
    $("#filed-token").focus();
    $("#filed-token").select();
    $("#filed-copied").textContent = "无法自动复制：请手工抄下异议编号和查询码。";
  }
}

function startFiling() {
  $("#file-view").hidden = false;
  const form = $("#objection-form");
  const params = new URLSearchParams(location.search);
  if (params.get("award_id")) {
    form.elements.award_id.value = params.get("award_id");
    showAwardContext(params.get("award_id"));
  }
  if (params.get("credit_code")) form.elements.credit_code.value = params.get("credit_code");
  if (params.get("kind") && KIND_ZH[params.get("kind")]) form.elements.kind.value = params.get("kind");
  form.elements.kind.addEventListener("change", kindChanged);
  form.addEventListener("submit", fileObjection);
  $("#filed-copy").addEventListener("click", copyFiled);
  kindChanged();
  loadAuthorities();
}

// ---- 查询异议 --------------------------------------------------------------------------

async function lookUp(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  $("#lookup-result").hidden = true;
  const number = form.elements.number.value.trim().toUpperCase();
  const token = form.elements.token.value.trim();
  if (!/^YY-\d{4}-\d{6}$/.test(number)) {
    showError(form, { field: "number", message: "异议编号形如 YY-2026-000123。" });
    return;
  }
  if (!token) { showError(form, { field: "token", message: "请填写提交异议时显示的查询码。" }); return; }
  let shown;
  try {
    shown = await api("GET", `/v1/objections/${number}?token=${encodeURIComponent(token)}`);
  } catch (error) {
    showError(form, error);
    return;
  }
  const answer = shown.answer;
  const facts = [
    ["办理状态", shown.state_zh],
    ["异议类型", shown.kind_zh],
    ["获奖信息编号", shown.award_id || "—"],
    ["受理时间", chinaTime(shown.filed_at)],
    ["答复期限", shown.deadline],
    ["处理结果", answer ? answer.outcome_zh : "尚未答复"],
    ["答复内容", answer ? answer.reply : "—"],
    ["答复时间", answer ? chinaTime(answer.answered_at) : "—"],
  ];
  $("#lookup-title").textContent = `异议 ${shown.number}`;
  $("#lookup-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
  $("#lookup-result").hidden = false;
}

function startLookup() {
  $("#lookup-view").hidden = false;
  $("#lookup-form").addEventListener("submit", lookUp);
}

document.addEventListener("DOMContentLoaded", () => {
  if (VIEW === "lookup") startLookup(); else startFiling();
});
