/* What every page shares (the public page, the receipt check, the console): one date style,
 * the pages' own words for each error code the API can return, the 大字版 switch and the
 * "正在…" state of a button. Loaded after labels.js (LABELS) and before the page's script.
 * Plain browser JavaScript, no build step; top-level names are shared by the later scripts. */
"use strict";

/* ---------- one date style (China time) ---------- */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function chinaParts(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const parts = {};
  new Intl.DateTimeFormat("en-CA", {
    timeZone: LABELS.CHINA_TZ, year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(date).forEach((part) => { parts[part.type] = part.value; });
  return parts;
}

/** 2026年12月6日: a date (YYYY-MM-DD as is) or the China date of an instant. */
function formatDate(value) {
  if (!value) return "";
  const plain = String(value).match(DATE_ONLY);
  if (plain) return `${Number(plain[1])}年${Number(plain[2])}月${Number(plain[3])}日`;
  const p = chinaParts(value);
  return p ? `${p.year}年${Number(p.month)}月${Number(p.day)}日` : String(value);
}

/** 2026年12月6日 23:41, China time. */
function formatTime(value) {
  if (!value) return "";
  if (DATE_ONLY.test(String(value))) return formatDate(value);
  const p = chinaParts(value);
  return p ? `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}` : String(value);
}

/** 2026年1月 (from YYYY-MM). */
function formatMonth(value) {
  const match = String(value || "").match(/^(\d{4})-(\d{2})/);
  return match ? `${Number(match[1])}年${Number(match[2])}月` : String(value || "");
}

/** Today's date in China, YYYY-MM-DD (what "not in the future" is judged against). */
function chinaToday() {
  const p = chinaParts(new Date());
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** A <time> that keeps its value on one line; ``kind`` "date" or "time". */
function timeElement(value, kind = "date") {
  const node = document.createElement("time");
  if (value) node.setAttribute("datetime", String(value));
  node.textContent = kind === "time" ? formatTime(value) : formatDate(value);
  return node;
}

/* ---------- the pages' words for the API's error codes ---------- */

/* Every code the API can return (tests/unit/test_page_texts.py checks against
 * domain/errors.py and domain/messages_zh.py): what went wrong and what to do, as a person
 * at one of these pages would do it. */
const ERROR_TEXTS = {
  validation_error: "填写的内容有误，请按提示修改后再试。",
  invalid_json: "页面发送的内容无法识别，请刷新页面后重试。",
  invalid_cursor: "翻页已失效，请重新查询。",
  unauthenticated: "密钥无效或已吊销，请重新登录。",
  forbidden: "您没有办理此事项的权限；如需办理，请联系住房和城乡建设部管理员。",
  not_found: "没有找到该记录，可能已被删除或地址有误。",
  method_not_allowed: "页面暂不支持此操作，请刷新页面后重试。",
  payload_too_large: "填写的内容过多，请精简后重试。",
  unsupported_media_type: "页面发送的内容无法识别，请刷新页面后重试。",
  source_id_conflict: "该本省编号已报送过不同的内容；如需修改，请在列表中点击“更正”。",
  document_required: "请先上传批准文件并等待核验通过，再提交审核。",
  award_revoked: "该获奖信息已撤销，不能再修改。",
  invalid_state: "该记录当前的状态不允许此操作，请刷新后查看最新状态。",
  upload_missing: "文件没有上传成功，请重新选择文件上传。",
  version_mismatch: "该记录已被他人修改，请刷新后核对再提交。",
  if_match_required: "该记录已被他人修改，请刷新后核对再提交。",
  program_not_disclosable: "涉密或依法不予公开的奖项不在本平台收集范围内，无需报送。",
  out_of_scope: "工程类别不在所属奖项的范围内，请改选工程类别或所属奖项。",
  duplicate_winner: "同一统一社会信用代码填写了两次，请删除重复的获奖单位。",
  document_too_large: "批准文件超过 20 MB，请压缩后重新上传。",
  too_many_documents: "该奖项的批准文件已达上限，不能再上传。",
  file_too_large: "导入文件超过大小上限，请分成几个文件导入。",
  too_many_open_imports: "本单位尚未完成的导入过多，请等其中一个完成或取消后再导入。",
  upload_rejected: "上传的文件未通过核验，请检查文件后重新上传。",
  too_large: "文件超过大小上限，请压缩或拆分后重新上传。",
  size_mismatch: "文件没有完整上传，请重新上传。",
  content_type_mismatch: "文件类型与所选不一致，请上传 PDF 或 OFD 文件。",
  not_pdf: "该文件不是有效的 PDF 文件，请重新导出后上传。",
  not_ofd: "该文件不是有效的 OFD 文件，请重新导出后上传。",
  not_xlsx: "该文件不是 XLSX 工作簿，请用模板另存后再导入。",
  pdf_incomplete: "文件不完整，可能上传中断，请重新上传。",
  pdf_unreadable: "该 PDF 文件无法打开，可能已损坏，请重新导出后上传。",
  pdf_encrypted: "该 PDF 文件设置了密码，请去除密码保护后重新上传。",
  pdf_no_pages: "该 PDF 文件没有任何页面，请上传完整的批准文件。",
  sha256_mismatch: "文件在上传过程中发生变化，请重新上传。",
  unreadable: "文件无法读取或缺少必填列，请对照模板检查后重新导入。",
  throttled: "操作过于频繁，请稍等一分钟后再试。",
  // objections (异议, issue 23)
  unknown_award: "没有找到该获奖信息，请核对获奖信息编号；奖项缺失请选择“奖项缺失”并填写授奖省份。",
  not_a_winner: "该统一社会信用代码不是这条获奖信息的获奖单位，请核对代码。",
  evidence_too_large: "证明材料超过大小上限（每份不超过 10 MB），请压缩后再上传。",
  too_many_evidence: "证明材料最多上传 3 份。",
  invalid_change: "所选的更正记录不符合要求：须是受理异议之后对该获奖信息所做的更正、撤销或新报送。",
  not_jpeg: "该文件不是有效的照片文件，请用相机或扫描软件重新导出后上传。",
  not_png: "该文件不是有效的图片文件，请重新导出截图后上传。",
  unavailable: "平台暂时繁忙，请稍后重试。",
  internal_error: "平台暂时出现故障，请稍后重试；如仍不行，请通过意见反馈告知。",
  bad_request: "填写的内容有误，请检查后重试。",
  unauthorized: "密钥无效或已吊销，请重新登录。",
  conflict: "该记录当前的状态不允许此操作，请刷新后查看最新状态。",
  unprocessable_entity: "填写的内容不符合报送规则，请按提示修改。",
  too_many_requests: "操作过于频繁，请稍等一分钟后再试。",
  request_timeout: "平台响应超时，请稍后重试。",
  conflicting_values: "同一本省编号的几行填写不一致，请统一后重新导入。",
  number_cell: "该单元格是数字格式，位数已丢失，请把该列设为文本后重新填写。",
  unknown_program: "找不到该奖项名称，请填写已报送的奖项全称。",
  rejected: "平台未接收该记录，请按错误原因修改后重新报送。",
};

const NETWORK_TEXT = "无法连接平台，请检查网络后重试。";

/* A reason the API gave in Chinese, in the words of a form: without the field's path
 * (the page shows the message beside the field) and without spreadsheet wording. */
function reasonText(error) {
  let text = (error && error.message_zh) || "";
  const prefix = text.match(/^字段 [^：]+：/);
  if (prefix) text = text.slice(prefix[0].length);
  text = text.replace("，或使用日期单元格", "").replace(/YYYY-MM-DD/g, "年-月-日")
    .replace(/YYYY-MM/g, "年-月");
  return /[A-Za-z]{3,}/.test(text.replace(/PDF|OFD|XLSX|CSV|JSON|API|SHA-256/g, "")) ? "" : text;
}

/** The page's text for an API error: a field's own reason when there is one, else the code's. */
function errorText(error) {
  if (!error) return NETWORK_TEXT;
  if (error.status === 0 || error.code === "network") return NETWORK_TEXT;
  if (error.code === "validation_error" || error.code === "unprocessable_entity") {
    const reason = reasonText(error);
    if (reason) return reason;
  }
  return ERROR_TEXTS[error.code] || (error.status >= 500
    ? ERROR_TEXTS.unavailable : "操作没有成功，请刷新页面后重试。");
}

/* ---------- progress ---------- */

/** Runs ``work`` with ``button`` disabled and saying ``text`` (正在…); gives back its result. */
async function busy(button, text, work) {
  if (!button) return work();
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = text;
  try {
    return await work();
  } finally {
    button.textContent = label;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/* ---------- 大字版 (larger type, higher contrast), remembered in this browser ---------- */

const LARGE_SLOT = "award-registry-large-type";

function applyLargeType(on) {
  document.documentElement.classList.toggle("large-type", on);
  document.querySelectorAll(".large-switch").forEach((button) => {
    button.setAttribute("aria-pressed", String(on));
  });
}

function largeTypeSwitch() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "large-switch";
  button.textContent = "大字版";
  button.addEventListener("click", () => {
    const on = !document.documentElement.classList.contains("large-type");
    try { localStorage.setItem(LARGE_SLOT, on ? "1" : "0"); } catch (exc) { /* storage off */ }
    applyLargeType(on);
  });
  return button;
}

/* Before first paint where possible (the scripts are deferred, so at parse end). */
(function rememberLargeType() {
  let on = false;
  try { on = localStorage.getItem(LARGE_SLOT) === "1"; } catch (exc) { on = false; }
  document.documentElement.classList.toggle("large-type", on);
  document.addEventListener("DOMContentLoaded", () => {
    const slot = document.querySelector("[data-large-switch]");
    if (slot) slot.append(largeTypeSwitch());
    applyLargeType(on);
  });
}());
