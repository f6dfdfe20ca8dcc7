/* 及时性与审计: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, clearErrors, formatTime, query, state,
   labelCells, LOADERS, FINDING_KIND_ZH — it uses).

   The league table (GET /v1/timeliness, counters as of the last audit run), the audit runs
   (GET /v1/audit/runs, newest first; 运行审计 = POST /v1/audit/run) and a run's findings
   (GET /v1/audit/runs/{id}); one province's open findings (GET
   /v1/timeliness/{id}/findings) and late pushes, each of which an administrator may
   excuse with a reason (POST /v1/awards/{id}/excuse). */
"use strict";

const AUDIT_TRIGGER_ZH = { schedule: "每日定时", admin: "管理员" };
const AUDIT_FINDING_ROWS = 300; // a run's findings shown at most (the report in S3 has all)
const AUDIT_MAX_ROUNDS = 10; // runs of one click while the change feed has more to read
const AUDIT_AWARD_PAGES = 10; // of 100 awards: a province's most recent 1,000 pushes

function auditFresh() {
  return { league: [], runCursor: null, runsResetting: false, province: null, excusing: null };
}

// each load numbered: an answer that arrives after a newer load was started is dropped
const auditState = { ...auditFresh(), provinceLoads: 0, leagueLoads: 0, runLoads: 0 };

function auditAuthorityName(id) {
  if (!id) return "（全国）";
  const authority = state.authorities[id];
  return authority ? authority.name_zh : id;
}

function auditRate(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;
}

async function loadAuditSection() {
  await Promise.all([auditLoadLeague(), auditLoadRuns(true)]);
}

/* ---------- the league table ---------- */

async function auditLoadLeague() {
  const mine = ++auditState.leagueLoads;
  const table = (await api("GET", "/v1/timeliness")).data;
  if (mine !== auditState.leagueLoads) return;
  auditState.league = table.items;
  // as_of names the audit run (its id, e.g. 2026-12-07-01), shown as the id it is
  $("#audit-as-of").replaceChildren(...(table.as_of
    ? ["计数截至审计运行 ", el("code", {}, table.as_of), "；按时率 =（按时 + 认定合理）÷ 已判定的推送。"]
    : ["尚未运行审计：计数为空。点击“运行审计”统计。"]));
  auditShowLeague();
}

/* Ranked as chosen; a province with nothing judged (no rate) goes last when ranking by rate. */
function auditShowLeague() {
  const order = $("#audit-league-order").elements.order.value;
  const byCode = (a, b) => a.authority_id.localeCompare(b.authority_id);
  const rate = (row) => (row.on_time_rate === null ? Infinity : row.on_time_rate);
  const compare = {
    code: byCode,
    rate: (a, b) => rate(a) - rate(b) || b.late - a.late || byCode(a, b),
    late: (a, b) => b.late - a.late || rate(a) - rate(b) || byCode(a, b),
  }[order] || byCode;
  const rows = [...(auditState.league || [])].sort(compare);
  $("#audit-league tbody").replaceChildren(...rows.map((row) => el("tr", {},
    el("td", {}, row.name_zh),
    el("td", {}, String(row.pushes)),
    el("td", {}, String(row.on_time)),
    el("td", {}, String(row.late)),
    el("td", {}, String(row.excused)),
    el("td", {}, String(row.pending)),
    el("td", {}, String(row.not_judged)),
    el("td", {}, auditRate(row.on_time_rate)),
    el("td", {}, row.median_working_days_late === null ? "—" : String(row.median_working_days_late)),
    el("td", { class: "row-actions" }, el("button", {
      type: "button", class: "secondary", onclick: () => auditOpenProvince(row.authority_id),
    }, "查看")),
  )));
  labelCells($("#audit-league"));
}

/* ---------- audit runs ---------- */

/* Numbered like the other lists: only the newest load's answer is shown. 更早的记录 clicked
   while the list is being reloaded does nothing (its page would continue the old list and
   repeat rows of the new one); a reload drops a 更早的记录 still in flight. */
async function auditLoadRuns(reset) {
  if (!reset && auditState.runsResetting) return;
  const mine = ++auditState.runLoads;
  if (reset) auditState.runsResetting = true;
  let page;
  try {
    page = (await api("GET", "/v1/audit/runs" + query({
      limit: 20, cursor: reset ? null : auditState.runCursor,
    }))).data;
  } finally {
    if (mine === auditState.runLoads) auditState.runsResetting = false;
  }
  if (mine !== auditState.runLoads) return;
  const rows = page.items.map((run) => el("tr", { dataset: { run: run.id } },
    el("td", {}, el("code", {}, run.id)),
    el("td", {}, timeElement(run.date)),
    el("td", {}, AUDIT_TRIGGER_ZH[run.trigger] || run.trigger),
    el("td", {}, formatTime(run.finished_at)),
    el("td", {}, String(run.summary.findings_new ?? "")),
    el("td", {}, String(run.summary.findings_closed ?? "")),
    el("td", {}, String(run.summary.findings_open ?? "")),
    el("td", {}, String(run.summary.changes_read ?? "")),
    el("td", { class: "row-actions" }, el("button", {
      type: "button", class: "secondary", onclick: () => auditOpenRun(run.id),
    }, "查看")),
  ));
  const body = $("#audit-runs tbody");
  if (reset) body.replaceChildren(...rows); else body.append(...rows);
  labelCells($("#audit-runs"));
  auditState.runCursor = page.next_cursor;
  $("#audit-runs-more").hidden = !page.next_cursor;
  $("#audit-runs-empty").hidden = body.children.length > 0;
}

/* One click audits until the change feed is read (an HTTP run reads a bounded slice). */
async function auditRunNow() {
  const button = $("#audit-run");
  const status = $("#audit-run-status");
  button.disabled = true;
  button.textContent = "正在运行审计…";
  try {
    let report;
    let rounds = 0;
    do {
      rounds += 1;
      status.textContent = rounds === 1 ? "审计运行中……" : `审计运行中（第 ${rounds} 轮，继续读取变更）……`;
      report = (await api("POST", "/v1/audit/run")).data;
    } while (report.summary.more_changes && rounds < AUDIT_MAX_ROUNDS);
    status.textContent = "审计已运行，正在刷新……";
    await Promise.all([auditLoadLeague(), auditLoadRuns(true)]);
    const s = report.summary;
    status.textContent = `审计已完成：新发现 ${s.findings_new} 条，`
      + `关闭 ${s.findings_closed} 条，未关闭 ${s.findings_open} 条。`
      + (s.more_changes ? "尚有未读取的变更，请再次运行。" : "");
    auditShowRun(report);
    if (auditState.province && !$("#audit-province").hidden) await auditLoadProvince();
  } catch (exc) {
    status.textContent = "";
    notice(exc.message, "error");
  } finally {
    button.disabled = false;
    button.textContent = "运行审计";
  }
}

async function auditOpenRun(id) {
  try {
    auditShowRun((await api("GET", `/v1/audit/runs/${encodeURIComponent(id)}`)).data.report);
  } catch (exc) {
    notice(exc.message, "error");
  }
}

function auditSubject(finding) {
  const detail = finding.detail || {};
  switch (finding.subject.type) {
    case "award": return ["获奖信息 ", el("code", {}, detail.source_id || finding.subject.id)];
    case "program": return `奖项 ${detail.name || finding.subject.id}`;
    case "calendar": return `${detail.year || finding.subject.id} 年工作日历`;
    default: return auditAuthorityName(finding.subject.id);
  }
}

function auditShowRun(report) {
  const box = $("#audit-run-detail");
  const s = report.summary || {};
  $("#audit-run-title").replaceChildren("审计运行 ", el("code", {}, report.run_id));
  const missing = (report.calendar && report.calendar.missing_years) || [];
  const facts = [
    ["稽核日期", formatDate(report.date)],
    ["触发", AUDIT_TRIGGER_ZH[report.trigger] || report.trigger],
    ["开始", formatTime(report.started_at)],
    ["完成", formatTime(report.finished_at)],
    ["读取变更", `${s.changes_read ?? 0} 条` + (s.more_changes ? "（尚有未读）" : "")],
    ["涉及获奖信息", `${s.awards_changed ?? 0} 条`],
    ["稽核发现", `新 ${s.findings_new ?? 0}，关闭 ${s.findings_closed ?? 0}，未关闭 ${s.findings_open ?? 0}`],
    ["待定推送", String(s.pending_pushes ?? 0)],
    ["重新判定", `${s.recomputed ?? 0} 条`],
    ["意见反馈", `${s.feedback ?? 0} 条`],
    ["告警", `已发送 ${s.alerts_sent ?? 0}，失败 ${s.alerts_failed ?? 0}`],
    ["缺少工作日历", missing.length ? missing.join("、") : "无"],
  ];
  $("#audit-run-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const all = [
    ...(report.findings_new || []).map((f) => ["新发现", f]),
    ...(report.findings_closed || []).map((f) => ["已关闭", f]),
    ...(report.findings_open || []).map((f) => ["仍未关闭", f]),
  ];
  const shown = all.slice(0, AUDIT_FINDING_ROWS);
  $("#audit-run-findings tbody").replaceChildren(...shown.map(([when, finding]) => el("tr", {},
    el("td", {}, when),
    el("td", {}, FINDING_KIND_ZH[finding.kind] || finding.kind),
    el("td", {}, auditAuthorityName(finding.authority_id)),
    el("td", {}, ...[auditSubject(finding)].flat()),
    el("td", {}, timeElement(finding.opened_on)),
    el("td", {}, finding.action ? finding.action.zh : ""),
  )));
  labelCells($("#audit-run-findings"));
  $("#audit-run-findings-empty").hidden = all.length > 0;
  const more = $("#audit-run-more");
  more.hidden = all.length <= shown.length;
  more.textContent = `另有 ${all.length - shown.length} 条未列出，见该次运行保存的完整报告。`;
  box.hidden = false;
  box.scrollIntoView({ block: "start" });
}

/* ---------- one province: open findings, late pushes, excuses ---------- */

async function auditOpenProvince(authorityId) {
  auditState.province = authorityId;
  $("#audit-excuse-form").hidden = true;
  $("#audit-province-name").textContent = `${auditAuthorityName(authorityId)}：稽核发现与迟报`;
  const box = $("#audit-province");
  box.hidden = false;
  try {
    await auditLoadProvince();
  } catch (exc) {
    notice(exc.message, "error");
  }
  box.scrollIntoView({ block: "start" });
}

async function auditLoadProvince() {
  const authorityId = auditState.province;
  const mine = ++auditState.provinceLoads;
  const findings = (await api("GET", `/v1/timeliness/${authorityId}/findings`)).data;
  const late = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/awards" + query({
      authority_id: authorityId, limit: 100, cursor,
    }))).data;
    late.push(...page.items.filter((award) => award.timeliness.status === "late"));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < AUDIT_AWARD_PAGES);
  if (mine !== auditState.provinceLoads) return; // another province was opened meanwhile

  $("#audit-province-findings").replaceChildren(...findings.items.map((finding) => el("li", { class: "card" },
    el("strong", {}, FINDING_KIND_ZH[finding.kind] || finding.kind),
    el("span", { class: "hint" }, `（${formatDate(finding.opened_on)}起，`, ...[auditSubject(finding)].flat(), "）"),
    el("p", {}, `处理办法：${finding.action.zh}`),
  )));
  $("#audit-province-findings-empty").hidden = findings.items.length > 0;

  $("#audit-late tbody").replaceChildren(...late.map((award) => el("tr", { dataset: { award: award.id } },
    el("td", {}, award.project.name),
    el("td", {}, el("code", {}, award.source_id)),
    el("td", {}, timeElement(award.awarded_on)),
    el("td", {}, timeElement(award.deadline)),
    el("td", {}, timeElement(award.submitted_at, "time")),
    el("td", {}, `${award.timeliness.working_days_late} 个工作日`),
    el("td", {}, award.timeliness.excused
      ? `已认定合理：${award.timeliness.excused_reason || ""}` : "未认定"),
    el("td", { class: "row-actions" }, award.timeliness.excused ? "" : el("button", {
      type: "button", class: "secondary", onclick: () => auditAskExcuse(award),
    }, "认定合理")),
  )));
  labelCells($("#audit-late"));
  const empty = $("#audit-late-empty");
  empty.hidden = late.length > 0 && !cursor;
  empty.textContent = late.length === 0 ? "没有迟报的获奖信息。" : "以上为最近推送的 1000 条中的迟报。";
}

function auditAskExcuse(award) {
  const form = $("#audit-excuse-form");
  form.reset();
  clearErrors(form);
  auditState.excusing = award;
  $("#audit-excuse-what").textContent = `${award.project.name}（本省编号 ${award.source_id}，`
    + `报送截止 ${formatDate(award.deadline)}，迟报 ${award.timeliness.working_days_late} 个工作日）`;
  form.hidden = false;
  form.scrollIntoView({ block: "start" });
  form.elements.reason.focus();
}

async function auditExcuse(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const award = auditState.excusing;
  const reason = form.elements.reason.value.trim();
  if (!reason) { showError(form, { field: "reason", message: "请填写免责理由。" }); return; }
  try {
    await busy($("button[type=submit]", form), "正在提交…",
      () => api("POST", `/v1/awards/${award.id}/excuse`, { body: { reason } }));
    form.hidden = true;
    notice(`已认定迟报合理：${award.project.name}`);
    await auditLoadProvince();
  } catch (exc) {
    showError(form, exc);
  }
}

LOADERS.audit = loadAuditSection;
SIGN_OUT_RESETS.push(() => {
  Object.assign(auditState, auditFresh());
  auditState.provinceLoads += 1;
  auditState.leagueLoads += 1;
  auditState.runLoads += 1;
});
$("#audit-run").addEventListener("click", auditRunNow);
$("#audit-runs-more").addEventListener("click", () => {
  auditLoadRuns(false).catch((exc) => notice(exc.message, "error"));
});
$("#audit-excuse-form").addEventListener("submit", auditExcuse);
$("#audit-league-order").addEventListener("change", auditShowLeague);
$("#audit-league-order").addEventListener("submit", (event) => event.preventDefault());
