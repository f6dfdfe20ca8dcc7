/* 数据质量: data-quality findings (issue 22), loaded after console.js, whose helpers — api,
   el, $, $$, notice, showError, clearErrors, query, labelCells, showTab, correctAward,
   state, LOADERS, SIGN_OUT_RESETS — it uses.
   A province (tab "quality") sees its open findings by severity, the records side by side
   with the differing fields highlighted, and answers each: 去更正 opens the award's edit
   form, 已更正 asks the next audit run to check, 说明情况 explains (≥ 10 characters).
   An administrator (tab "quality-admin") sees open findings by province and rule, lists
   them with filters, accepts an explanation or reopens a finding, and starts a rescan. */
"use strict";

const QUALITY_RULE_ZH = {
  duplicate_award: "重复报送",
  cross_province_duplicate: "跨省重复报送",
  name_drift: "企业名称不一致",
  before_approval: "获奖日期早于奖项批准日期",
  cycle_mismatch: "与评选周期或零报告不符",
  announcement_reused: "公告文号重复使用",
  registration_elsewhere: "企业在外省登记（统计）",
};
const QUALITY_SEVERITY_ZH = { error: "错误", warning: "警告", info: "提示" };
const QUALITY_STATE_ZH = {
  open: "待处理", corrected: "已更正（待下次审计核实）", explained: "已说明（待管理员确认）",
  accepted: "说明已认可", closed: "已关闭",
};
const QUALITY_OPEN = ["open", "corrected", "explained"];
const QUALITY_FIELDS = [
  ["source_id", "本省编号"], ["program_id", "所属奖项"], ["year", "评选年度"],
  ["awarded_on", "获奖日期"], ["project_name", "工程名称"],
  ["announcement_number", "公告文号"], ["winners.name", "获奖企业"], ["authority_id", "报送单位"],
];
const QUALITY_READ_MAX = 1000;
let qualityLoads = 0;
let qualityAdminCursor = null;

function qualityProgramName(id) {
  const program = (state.programs || []).find((p) => p.id === id);
  return program ? program.name : el("code", {}, id); // an id, not words
}

function qualityValue(record, field) {
  if (field === "winners.name") {
    return record.winners.map((w) => `${w.name}（${w.credit_code}）`).join("、");
  }
  if (field === "program_id") return qualityProgramName(record.program_id);
  if (field === "authority_id") {
    const authority = state.authorities[record.authority_id];
    return authority ? authority.name_zh : record.authority_id;
  }
  if (record[field] == null) return "—";
  if (field === "awarded_on") return formatDate(record[field]);
  // an id the province wrote (本省编号) is data, not words: set as code
  return field === "source_id" ? el("code", {}, String(record[field])) : String(record[field]);
}

/* What the finding says in a sentence, beside the table of records. */
function qualityDetail(finding) {
  const d = finding.detail || {};
  switch (finding.rule) {
    case "before_approval":
      return `获奖日期 ${formatDate(d.awarded_on)} 早于奖项批准日期 ${formatDate(d.approved_on)}。`;
    case "name_drift":
      return `统一社会信用代码 ${d.credit_code} 对应多个名称：` + (d.pairs || []).map((p) =>
        `“${p.names[0]}”与“${p.names[1]}”相似度 ${p.similarity}%（${p.kind === "typo" ? "疑似录入错误" : "疑似企业更名"}）`,
      ).join("；") + "。";
    case "cycle_mismatch":
      return d.kind === "zero_report"
        ? "获奖日期落在本省零报告声明无获奖的期间内：" + (d.zero_reports || []).map((z) => `${z.period_from} 至 ${z.period_to}`).join("、") + "。"
        : `每两年评选一次的奖项在 ${(d.years || []).join("、")} 连续两年均有获奖信息。`;
    case "announcement_reused":
      return `公告文号 ${d.announcement_number} 用于 ${(d.programs || []).length} 个不同奖项。`;
    case "registration_elsewhere":
      return `本省 ${d.count} 项获奖信息的获奖企业在其他省份登记注册（仅统计，无需处理）。`;
    case "duplicate_award":
      return `同一工程在 ${d.year} 年度以不同本省编号报送了多次。`;
    case "cross_province_duplicate":
      return `同一工程、同一企业（${d.credit_code}）在 ${d.year} 年度由多个省级部门报送。`;
    default:
      return "";
  }
}

/* The records side by side: a column per award, a row per field, differing fields marked. */
function qualityRecords(finding, admin) {
  if (!finding.records.length) return null;
  const differing = new Set(finding.records.flatMap((r) => r.differing || []));
  const mine = (r) => !admin && state.me && r.authority_id === state.me.authority_id;
  const head = el("tr", {}, el("th", { scope: "col" }, "字段"), ...finding.records.map((r, i) =>
    el("th", { scope: "col" }, `记录 ${i + 1}`, mine(r) ? el("button", {
      type: "button", class: "secondary", onclick: () => qualityCorrect(r.award_id),
    }, "去更正") : "")));
  const rows = QUALITY_FIELDS.map(([field, label]) => el("tr", { class: differing.has(field) ? "diff" : "" },
    el("th", { scope: "row" }, label),
    ...finding.records.map((r) => el("td", { class: differing.has(field) ? "diff" : "" }, qualityValue(r, field)))));
  const table = el("table", { class: "quality-records" }, el("thead", {}, head), el("tbody", {}, ...rows));
  labelCells(table);
  // Wide with several records: a named region the keyboard can scroll (axe scrollable-region-focusable).
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "记录逐项对照（可左右滚动）" }, table);
}

function qualityCard(finding, { admin = false } = {}) {
  const authority = state.authorities[finding.authority_id];
  const card = el("li", { class: `quality-finding sev-${finding.severity}`, dataset: { findingId: finding.id } },
    el("h4", {},
      el("span", { class: `badge q-${finding.severity}` }, QUALITY_SEVERITY_ZH[finding.severity]),
      " ", QUALITY_RULE_ZH[finding.rule] || finding.rule,
      admin && authority ? `（${authority.name_zh}）` : ""),
    el("p", { class: "hint" }, `状态：${QUALITY_STATE_ZH[finding.state] || finding.state}；发现于 ${formatDate(finding.opened_on)}`
      + (finding.closed_on ? `；关闭于 ${formatDate(finding.closed_on)}` : "")),
    el("p", {}, finding.explanation.zh),
    el("p", { class: "quality-detail" }, qualityDetail(finding)),
  );
  const records = qualityRecords(finding, admin);
  if (records) card.append(records);
  if (finding.resolution && finding.resolution.reason) {
    card.append(el("p", { class: "hint" }, `说明：${finding.resolution.reason}`));
  }
  const actions = el("div", { class: "actions" });
  if (!admin && QUALITY_OPEN.includes(finding.state) && finding.rule !== "registration_elsewhere") {
    actions.append(
      el("button", { type: "button", onclick: () => qualityAnswer(card, finding, { action: "corrected" }) }, "已更正"),
      el("button", { type: "button", class: "secondary", onclick: () => qualityExplainForm(card, finding) }, "说明情况"),
    );
  }
  if (admin && finding.state === "explained") {
    actions.append(el("button", { type: "button", onclick: () => qualityAnswer(card, finding, { action: "accept" }) }, "认可说明"));
  }
  if (admin && ["corrected", "explained", "accepted"].includes(finding.state)) {
    actions.append(el("button", { type: "button", class: "secondary", onclick: () => qualityAnswer(card, finding, { action: "reopen" }) }, "重新打开"));
  }
  if (actions.children.length) card.append(actions);
  return card;
}

function qualityExplainForm(card, finding) {
  let form = $("form.quality-explain", card);
  if (!form) {
    const id = `quality-reason-${finding.id}`;
    form = el("form", { class: "quality-explain", novalidate: true },
      el("label", { for: id }, "情况说明（至少 10 个字）"),
      el("textarea", { id, name: "reason", rows: "3", maxlength: "1000" }),
      el("span", { class: "field-error", dataset: { field: "reason" } }),
      el("p", { class: "error form-error", role: "alert" }),
      el("div", { class: "actions" }, el("button", { type: "submit" }, "提交说明")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearErrors(form);
      const reason = form.elements.reason.value.trim();
      if (reason.length < 10) {
        showError(form, { field: "reason", message: "请至少用 10 个字说明情况。" });
        return;
      }
      qualityAnswer(card, finding, { action: "explained", reason }, form);
    });
    card.append(form);
  }
  form.hidden = false;
  form.elements.reason.focus();
}

async function qualityAnswer(card, finding, body, form = null) {
  let answered;
  try {
    answered = (await api("POST", `/v1/quality/findings/${finding.id}/resolve`, { body })).data;
  } catch (exc) {
    if (form) showError(form, exc); else notice(exc.message, "error");
    return;
  }
  const admin = Boolean(state.me && state.me.role === "admin");
  card.replaceWith(qualityCard(answered, { admin }));
  notice(`已${{ corrected: "标记为已更正", explained: "提交说明", accept: "认可说明", reopen: "重新打开" }[body.action]}：${QUALITY_RULE_ZH[answered.rule]}`);
}

async function qualityCorrect(awardId) {
  showTab("awards");
  await correctAward(awardId);
}

async function qualityAll(params) {
  const items = [];
  let cursor = null;
  do {
    const page = (await api("GET", "/v1/quality/findings" + query({ ...params, limit: 100, cursor }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < QUALITY_READ_MAX);
  return items;
}

/* ---------- a province: its open findings by severity ---------- */

async function loadQuality() {
  const mine = ++qualityLoads;
  if (!state.programs || !state.programs.length) await loadPrograms().catch(() => null);
  const wanted = $("#quality-filter").elements.state.value;
  const items = await qualityAll({ state: wanted || undefined });
  if (mine !== qualityLoads) return;
  const shown = wanted ? items : items.filter((f) => QUALITY_OPEN.includes(f.state));
  const list = $("#quality-list");
  list.replaceChildren();
  for (const severity of ["error", "warning", "info"]) {
    const group = shown.filter((f) => f.severity === severity);
    if (!group.length) continue;
    list.append(el("h3", {}, `${QUALITY_SEVERITY_ZH[severity]}（${group.length}）`),
      el("ul", { class: "quality-list" }, ...group.map((f) => qualityCard(f))));
  }
  $("#quality-empty").hidden = shown.length > 0;
}

/* ---------- administrators: by province and rule, then the list ---------- */

function qualityAdminOptions() {
  const form = $("#quality-admin-filter");
  const province = form.elements.authority_id;
  if (province.options.length <= 1) {
    const authorities = Object.entries(state.authorities).sort(([a], [b]) => (a < b ? -1 : 1));
    province.append(...authorities.map(([id, a]) => el("option", { value: id }, a.name_zh || id)));
  }
  const rule = form.elements.rule;
  if (rule.options.length <= 1) {
    rule.append(...Object.entries(QUALITY_RULE_ZH).map(([id, name]) => el("option", { value: id }, name)));
  }
}

async function loadQualitySummary() {
  const items = (await qualityAll({})).filter((f) => QUALITY_OPEN.includes(f.state));
  const rules = Object.keys(QUALITY_RULE_ZH);
  const counts = {};
  for (const f of items) {
    counts[f.authority_id] = counts[f.authority_id] || {};
    counts[f.authority_id][f.rule] = (counts[f.authority_id][f.rule] || 0) + (f.rule === "registration_elsewhere" ? (f.detail.count || 0) : 1);
  }
  const table = $("#quality-summary");
  $("thead", table).replaceChildren(el("tr", {}, el("th", {}, "省份"), ...rules.map((r) => el("th", {}, QUALITY_RULE_ZH[r]))));
  const ids = Object.keys(counts).sort();
  $("tbody", table).replaceChildren(...ids.map((id) => el("tr", {},
    el("td", {}, (state.authorities[id] || {}).name_zh || id),
    ...rules.map((r) => el("td", {}, String(counts[id][r] || 0))))));
  labelCells(table);
  $("#quality-summary-empty").hidden = ids.length > 0;
}

async function qualityAdminList(reset) {
  const mine = ++qualityLoads;
  if (reset) qualityAdminCursor = null;
  const form = $("#quality-admin-filter");
  const params = {
    authority_id: form.elements.authority_id.value || undefined,
    rule: form.elements.rule.value || undefined,
    state: form.elements.state.value || undefined,
    limit: 50,
    cursor: qualityAdminCursor,
  };
  const page = (await api("GET", "/v1/quality/findings" + query(params))).data;
  if (mine !== qualityLoads) return;
  const list = $("#quality-admin-list");
  const cards = page.items.map((f) => qualityCard(f, { admin: true }));
  if (reset) list.replaceChildren(...cards); else list.append(...cards);
  qualityAdminCursor = page.next_cursor;
  $("#quality-admin-more").hidden = !qualityAdminCursor;
  $("#quality-admin-empty").hidden = list.children.length > 0;
}

async function loadQualityAdmin() {
  qualityAdminOptions();
  if (!state.programs || !state.programs.length) await loadPrograms().catch(() => null);
  await loadQualitySummary();
  await qualityAdminList(true);
}

async function qualityRescan() {
  const button = $("#quality-rescan");
  const status = $("#quality-rescan-status");
  button.disabled = true;
  try {
    let job = (await api("POST", "/v1/quality/rescan")).data;
    status.textContent = "全面复查已开始……";
    const session = state.session;
    while (job.state !== "done" && job.state !== "failed") {
      await pause(2000);
      if (session !== state.session) return;
      job = (await api("GET", `/v1/quality/rescans/${job.id}`)).data;
      status.textContent = `全面复查进行中：${Math.round(job.progress * 100)}%，已检查 ${job.awards_done} 条获奖信息`;
    }
    status.textContent = job.state === "done"
      ? `全面复查完成：检查 ${job.awards_done} 条获奖信息，新发现 ${job.findings_opened} 个问题。`
      : `全面复查失败：${job.error || ""}`;
    await loadQualityAdmin();
  } catch (exc) {
    notice(exc.message, "error");
  } finally {
    button.disabled = false;
  }
}

LOADERS.quality = loadQuality;
LOADERS["quality-admin"] = loadQualityAdmin;
SIGN_OUT_RESETS.push(() => { qualityLoads += 1; qualityAdminCursor = null; });

$("#quality-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  loadQuality().catch((exc) => notice(exc.message, "error"));
});
$("#quality-admin-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  qualityAdminList(true).catch((exc) => notice(exc.message, "error"));
});
$("#quality-admin-more").addEventListener("click", () => {
  qualityAdminList(false).catch((exc) => notice(exc.message, "error"));
});
$("#quality-rescan").addEventListener("click", qualityRescan);
