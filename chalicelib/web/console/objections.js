/* 异议处理: objections routed to a province (and, for administrators, all of them). Loaded
   after console.js, whose helpers — api, el, $, $$, notice, showError, clearErrors, query,
   formatTime, showFacts, labelCells, state, LOADERS — it uses.
   Open objections first, with their deadline and working days left (GET /v1/objections);
   one opened shows the contact, the evidence framed in the page and the history
   (GET /v1/objections/{number}); the province answers 已更正 (naming the award change it
   made since filing) or 原信息无误 (POST …/answer); an administrator transfers. */
"use strict";

// the labels are served once from domain/labels_zh.py (labels.js)
const OBJECTION_KIND_ZH = LABELS.OBJECTION_KIND_ZH;
const OBJECTION_STATE_ZH = LABELS.OBJECTION_STATE_ZH;
const OBJECTION_OUTCOME_ZH = LABELS.OBJECTION_OUTCOME_ZH;
const OBJECTION_CHANGE_ZH = { create: "新报送", update: "更正", revoke: "撤销", redact: "删除字段" };
const OBJECTION_ACTION_ZH = {
  filed: "受理", evidence: "上传证明材料", answered: "答复", transferred: "转交", erased: "个人信息已删除",
};
let objectionOpen = null;
let objectionLoads = 0;

function objectionAuthority(id) {
  const authority = state.authorities[id];
  return authority ? authority.name_zh : id;
}

function objectionDaysLeft(item) {
  if (item.state !== "open") return "—";
  if (item.overdue) return `已超期 ${-item.working_days_left} 个工作日`;
  const provisional = item.deadline_official === false ? "（暂按周一至周五计算）" : "";
  return `${item.working_days_left} 个工作日${provisional}`;
}

function objectionRow(item) {
  return el("tr", { class: item.overdue ? "overdue" : "", dataset: { number: item.number } },
    el("td", {}, el("code", {}, item.number)),
    el("td", {}, OBJECTION_KIND_ZH[item.kind] || item.kind),
    el("td", {}, objectionAuthority(item.authority_id)),
    el("td", {}, formatTime(item.filed_at)),
    el("td", {}, formatDate(item.deadline)),
    el("td", {}, objectionDaysLeft(item)),
    el("td", {}, item.state === "answered"
      ? `已答复：${OBJECTION_OUTCOME_ZH[item.answer.outcome] || item.answer.outcome}`
      : "待答复"),
    el("td", { class: "row-actions" },
      el("button", { type: "button", onclick: () => objectionShow(item.number) },
        item.state === "open" ? "处理" : "查看")),
  );
}

async function objectionPages(filters) {
  const items = [];
  let cursor = null;
  do {
    const page = (await api("GET", "/v1/objections" + query({ ...filters, limit: 100, cursor }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 500);
  return items;
}

async function objectionList() {
  const mine = ++objectionLoads;
  const form = $("#objection-filter");
  const wanted = form.elements.state.value;
  const overdue = form.elements.overdue.checked ? "true" : undefined;
  // open ones first (oldest deadline first), then the answered ones, newest first
  const open = wanted === "answered" ? [] : await objectionPages({ state: "open", overdue });
  const answered = wanted === "open" || overdue ? [] : await objectionPages({ state: "answered" });
  if (mine !== objectionLoads) return;
  open.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
  const body = $("#objection-table tbody");
  body.replaceChildren(...[...open, ...answered].map(objectionRow));
  labelCells($("#objection-table"));
  $("#objection-empty").hidden = body.children.length > 0;
}

async function loadObjections() {
  $("#objection-detail").hidden = true;
  objectionOpen = null;
  const select = $('#objection-transfer-form select[name="authority_id"]');
  if (!select.options.length) {
    const authorities = Object.entries(state.authorities).sort(([a], [b]) => (a < b ? -1 : 1));
    select.replaceChildren(...authorities.map(([id, a]) => el("option", { value: id }, a.name_zh || id)));
  }
  await objectionList();
}

function objectionEvidence(item) {
  const box = $("#ob-evidence");
  const files = item.evidence || [];
  if (!files.length) { box.replaceChildren(el("p", { class: "empty" }, "未上传证明材料。")); return; }
  box.replaceChildren(...files.map((file) => {
    const title = file.filename ? `${file.filename}（${(file.size / 1024).toFixed(1)} KB）` : file.id;
    if (file.status !== "verified" || !file.url) {
      const why = { pending: "待核验", rejected: `未通过核验：${file.reason_zh || file.reason || ""}`, erased: "已删除" };
      return el("p", {}, `${title}：${why[file.status] || file.status}`);
    }
    if (file.content_type === "application/ofd") {
      return el("p", {}, el("a", { href: file.url, download: file.filename, rel: "noopener" }, `下载 ${title}（OFD）`));
    }
    // framed on request: a PDF viewer loading in the page takes the keyboard focus
    const figure = el("figure", { class: "review-doc" });
    const show = el("button", { type: "button", class: "secondary", onclick: () => {
      figure.replaceChildren(el("iframe", { src: file.url, title: `证明材料：${file.filename}` }));
      show.hidden = true;
    } }, `查看 ${file.filename}`);
    return el("div", {}, el("p", { class: "hint" }, title, " ", show, " ",
      el("a", { href: file.url, target: "_blank", rel: "noopener" }, "在新窗口打开")), figure);
  }));
}

function objectionChanges(item) {
  const select = $('#objection-answer-form select[name="change_seq"]');
  const changes = item.changes_since_filing || [];
  select.replaceChildren(
    el("option", { value: "" }, changes.length ? "请选择" : "受理后尚无该获奖信息的变更"),
    ...changes.map((change) => el("option", { value: String(change.seq) },
      `第 ${change.seq} 号变更：${OBJECTION_CHANGE_ZH[change.op] || change.op}（${formatTime(change.committed_at)}）`)),
  );
}

async function objectionShow(number) {
  const item = (await api("GET", `/v1/objections/${number}`)).data;
  objectionOpen = item;
  const contact = item.contact || {};
  $("#ob-title").textContent = `异议 ${item.number}`;
  showFacts($("#ob-facts"), [
    ["类型", OBJECTION_KIND_ZH[item.kind] || item.kind],
    ["状态", OBJECTION_STATE_ZH[item.state] || item.state],
    ["统一社会信用代码", item.credit_code],
    ["获奖信息编号", item.award_id || "（奖项缺失）"],
    ["承办单位", objectionAuthority(item.authority_id)],
    ["受理时间", formatTime(item.filed_at)],
    ["答复期限", formatDate(item.deadline)],
    ["剩余工作日", objectionDaysLeft(item)],
    ["联系人", contact.name || (item.erased_at ? "（已删除）" : "")],
    ["手机号码", contact.phone],
    ["电子邮箱", contact.email],
    ["答复", item.answer ? `${item.answer.outcome_zh}：${item.answer.reply}` : ""],
  ]);
  $("#ob-description").textContent = item.description;
  objectionEvidence(item);
  $("#ob-history").replaceChildren(...item.history.map((step) => el("li", {},
    el("time", {}, formatTime(step.at)), " ", OBJECTION_ACTION_ZH[step.action] || step.action,
    step.outcome ? `：${OBJECTION_OUTCOME_ZH[step.outcome] || step.outcome}` : "",
    step.action === "transferred" ? `：${objectionAuthority(step.from)} → ${objectionAuthority(step.authority_id)}` : "")));
  const isAdmin = state.me && state.me.role === "admin";
  const answer = $("#objection-answer-form");
  const transfer = $("#objection-transfer-form");
  clearErrors(answer);
  clearErrors(transfer);
  answer.reset();
  transfer.reset();
  answer.hidden = isAdmin || item.state !== "open";
  transfer.hidden = !isAdmin || item.state !== "open";
  objectionChanges(item);
  objectionOutcomeChanged();
  const box = $("#objection-detail");
  box.hidden = false;
  box.scrollIntoView({ block: "start" });
}

function objectionOutcomeChanged() {
  const form = $("#objection-answer-form");
  const corrected = form.elements.outcome.value === "corrected";
  $("#ob-change-box").hidden = !corrected;
  $("#ob-change-hint").hidden = !corrected;
}

async function objectionAnswer(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const outcome = form.elements.outcome.value;
  if (!outcome) { showError(form, { field: "outcome", message: "请选择处理结果。" }); return; }
  const body = { outcome, reply: form.elements.reply.value.trim() };
  if (outcome === "corrected") {
    const seq = form.elements.change_seq.value;
    if (!seq) { showError(form, { field: "change_seq", message: "请选择受理后所做的那次更正。" }); return; }
    body.change_seq = Number(seq);
  }
  await objectionSend(form, body, "已答复");
}

async function objectionTransfer(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {
    outcome: "transferred",
    authority_id: form.elements.authority_id.value,
    reply: form.elements.reply.value.trim(),
  };
  await objectionSend(form, body, "已转交");
}

async function objectionSend(form, body, done) {
  const number = objectionOpen.number;
  const button = $("button[type=submit]", form);
  button.disabled = true;
  try {
    await api("POST", `/v1/objections/${number}/answer`, { body });
  } catch (exc) {
    showError(form, exc);
    return;
  } finally {
    button.disabled = false;
  }
  notice(`${done}异议 ${number}`);
  await objectionList();
  if (state.me.role === "admin" || body.outcome !== "transferred") await objectionShow(number);
}

function wireObjections() {
  $("#objection-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    objectionList().catch((exc) => notice(exc.message, "error"));
  });
  $$('#objection-answer-form input[name="outcome"]').forEach((radio) => {
    radio.addEventListener("change", objectionOutcomeChanged);
  });
  $("#objection-answer-form").addEventListener("submit", objectionAnswer);
  $("#objection-transfer-form").addEventListener("submit", objectionTransfer);
}

LOADERS.objections = loadObjections;
SIGN_OUT_RESETS.push(() => { objectionOpen = null; objectionLoads += 1; });
document.addEventListener("DOMContentLoaded", wireObjections);
